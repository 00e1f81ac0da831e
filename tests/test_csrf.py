"""Every POST route refuses a request without a CSRF token."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import login


def _post_paths(app: Flask) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        path = re.sub(
            r"<(?:int:)?(\w+)>",
            lambda m: "1" if "int:" in m.group(0) else "TH-AAAA-BBBB",
            rule.rule,
        )
        paths.append(path)
    return sorted(paths)


def test_the_walk_finds_the_post_routes(app):
    paths = _post_paths(app)
    assert "/login" in paths
    assert "/screenings/TH-AAAA-BBBB/autosave" in paths
    assert len(paths) >= 10


def test_every_post_without_a_csrf_token_is_refused(app, people, client):
    token_page = client.get("/login").get_data(as_text=True)
    assert "csrf-token" in token_page
    assert login(client, "admin").status_code == 302

    for path in _post_paths(app):
        response = client.post(path, data={"anything": "x"})
        assert response.status_code == 400, path
        assert "form had expired" in response.get_data(as_text=True), path


def test_a_post_with_a_wrong_csrf_token_is_refused(app, people, client):
    assert login(client, "nok").status_code == 302

    response = client.post(
        "/screenings/new", data={"csrf_token": "forged", "interview_language": "en"}
    )

    assert response.status_code == 400
