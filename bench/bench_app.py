"""The application as gunicorn serves it, plus one bare template page.

The bare page goes through the same server, the same app and the same
request hooks (session, login, security headers) as the interview page, and
renders a trivial template: the floor the interview page is compared with.
"""

from flask import render_template_string

from screening import create_app

app = create_app()


@app.get("/_bench/bare")
def bare() -> str:
    return render_template_string(
        "<!doctype html><html lang=en><title>bare</title><p>{{ text }}</p></html>",
        text="A bare Flask template page.",
    )
