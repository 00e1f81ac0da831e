from screening import create_app, db, migrate

app = create_app()

# A database left behind by an upgrade fails here, with the fix, not later
# on some page.
if behind := migrate.behind_message(db.engine_of(app)):
    raise SystemExit(behind)
