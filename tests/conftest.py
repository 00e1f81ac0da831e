"""Fixtures: a migrated database per test worker, the app, clients, users.

SQLite by default. With SCREENING_TEST_DATABASE_URL set to a PostgreSQL URL,
each pytest-xdist worker gets its own schema, created fresh and dropped at
the end, so runs are repeatable and workers never meet.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from screening import accounts, create_app, db, migrate
from screening.catalog import Catalog
from screening.models import Agency, User
from screening.published import publish_catalog
from screening.standard import Standard, StandardRegistry

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET_KEY = "a-secret-for-tests-only-" + "x" * 24
TEST_DATA_KEY = "E-b-YHoCwXQY6EWyqtuNlbhIN5oSGTNunezAmREVg5Q="
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


QUESTIONNAIRES = ROOT / "questionnaires"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def standards() -> StandardRegistry:
    return StandardRegistry.from_folder(QUESTIONNAIRES / "standards")


@pytest.fixture(scope="session")
def standard(standards: StandardRegistry) -> Standard:
    found = standards.get("gms-common@1")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load(QUESTIONNAIRES)


def mini_catalog(folder: Path) -> Path:
    """A questionnaires folder holding the standard and tests/data/mini.yaml."""
    shutil.copytree(ROOT / "questionnaires" / "standards", folder / "standards")
    (folder / "mini").mkdir()
    shutil.copy(ROOT / "tests" / "data" / "mini.yaml", folder / "mini" / "0.1.0.yaml")
    return folder


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """Argon2 at its default cost takes ~0.2 s here; tests need no such cost."""
    accounts.use_password_hasher(
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(scope="session")
def catalog_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mini_catalog(tmp_path_factory.mktemp("catalog"))


class Database:
    """A place for one test run's tables: an SQLite file or a PostgreSQL schema."""

    def __init__(self, url: str, admin_url: str | None, schema: str | None) -> None:
        self.url = url
        self.admin_url = admin_url
        self.schema = schema

    @classmethod
    def create(cls, tmp: Path, label: str) -> Database:
        base = os.environ.get("SCREENING_TEST_DATABASE_URL")
        if not base:
            return cls(f"sqlite:///{tmp / f'{label}.sqlite3'}", None, None)
        schema = f"t_{label}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        separator = "&" if "?" in base else "?"
        options = quote(f"-csearch_path={schema}")
        return cls(f"{base}{separator}options={options}", base, schema)

    def drop(self) -> None:
        if self.admin_url is None:
            return
        admin = create_engine(self.admin_url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[Database]:
    """One migrated database for the whole session of this worker."""
    place = Database.create(tmp_path_factory.mktemp("db"), worker_id)
    engine = db.make_engine(place.url)
    migrate.upgrade(engine)
    engine.dispose()
    yield place
    place.drop()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all, for migration tests."""
    place = Database.create(tmp_path, "empty")
    yield place
    place.drop()


def settings_for(
    instance: Path, database_url: str, catalog: Path, **extra: Any
) -> dict[str, Any]:
    return {
        "instance_path": instance,
        "secret_key": TEST_SECRET_KEY,
        "data_keys": (TEST_DATA_KEY,),
        "database_url": database_url,
        "questionnaires_folder": catalog,
        "testing": True,
        **extra,
    }


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(db.Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(tmp_path: Path, database: Database, catalog_folder: Path) -> Iterator[Flask]:
    app = create_app(settings_for(tmp_path / "instance", database.url, catalog_folder))
    with app.app_context():
        session = db.session()
        publish_catalog(session, app.extensions["screening"].catalog)
        session.commit()
    yield app
    engine = db.engine_of(app)
    _clear(engine)
    engine.dispose()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by a threaded werkzeug server on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


@dataclass
class People:
    """Two agencies and users with every role that matters for access."""

    agency: Agency
    other_agency: Agency
    interviewer: User
    colleague: User
    supervisor: User
    coordinator: User
    administrator: User
    verifier: User
    stranger: User  # a supervisor of the other agency


def make_user(session: Session, agency: Agency, username: str, roles: set[str]) -> User:
    user, _ = accounts.create_user(session, agency, username, username.title(), roles)
    user.password_hash = accounts.hash_password(PASSWORD)
    user.must_change_password = False
    return user


@pytest.fixture
def people(app: Flask) -> People:
    with app.app_context():
        session = db.session()
        agency = accounts.create_agency(
            session, "Chiang Rai PSDHS", "TH", "Chiang Rai", own=True
        )
        other = accounts.create_agency(
            session, "Bokeo anti-trafficking unit", "LA", "Bokeo"
        )
        found = People(
            agency=agency,
            other_agency=other,
            interviewer=make_user(session, agency, "nok", {"interviewer"}),
            colleague=make_user(session, agency, "somchai", {"interviewer"}),
            supervisor=make_user(session, agency, "malee", {"supervisor"}),
            coordinator=make_user(session, agency, "anan", {"coordinator"}),
            administrator=make_user(session, agency, "admin", {"administrator"}),
            verifier=make_user(session, agency, "verifier", {"verifier"}),
            stranger=make_user(session, other, "khamla", {"supervisor", "interviewer"}),
        )
        session.commit()
        return found


@pytest.fixture
def agency_key(app: Flask, people: People) -> Path:
    """The signing key and certificate `screening init` gives the agency."""
    from screening.documents import keys
    from screening.issuance import agency_identity

    instance = Path(app.instance_path)
    keys.create_signing_key(instance, agency_identity(people.agency))
    return instance


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


class Browser:
    """A test client signed in as one user, posting forms with their CSRF token."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_token(client, "/")

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(
            path, data={"csrf_token": self.token, **(data or {})}, **kwargs
        )


@pytest.fixture
def signed_in(app: Flask, people: People):
    """signed_in("nok") -> a Browser for that user, each with its own client."""

    def sign_in(username: str) -> Browser:
        return Browser(app.test_client(), username)

    return sign_in
