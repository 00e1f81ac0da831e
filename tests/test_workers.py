"""Trust imported through one gunicorn worker holds at once for every worker."""

from __future__ import annotations

import html
import json

import pytest

from screening import accounts, create_app, db, migrate
from screening.batch import assess_answers
from screening.documents import keys, trust
from screening.documents.issue import Issuer
from screening.issuance import ensure_signing_key
from screening.published import publish_catalog
from tests.conftest import PASSWORD, TEST_DATA_KEY, TEST_SECRET_KEY, make_user
from tests.helpers import CONFIRM_FIELDS, HIDDEN
from tests.livesite import Server, WebClient

pytestmark = pytest.mark.slow

LAO = keys.AgencyIdentity("Bokeo Anti-Trafficking Unit", "LA", "Bokeo")
ANSWERS = {
    "questionnaire": {"id": "mini", "version": "0.1.0"},
    "answers": {"consent_screening": "yes", "age_at_departure": 15},
}


@pytest.fixture
def site(tmp_path, empty_database, catalog_folder):
    instance = tmp_path / "instance"
    settings = {
        "instance_path": instance,
        "database_url": empty_database.url,
        "secret_key": TEST_SECRET_KEY,
        "data_keys": (TEST_DATA_KEY,),
        "questionnaires_folder": catalog_folder,
    }
    app = create_app(settings)
    migrate.upgrade(db.engine_of(app))
    with app.app_context():
        session = db.session()
        catalog = app.extensions["screening"].catalog
        publish_catalog(session, catalog)
        agency = accounts.create_agency(session, "Agency", "TH", "Nong Khai", own=True)
        make_user(session, agency, "admin", {"administrator"})
        make_user(session, agency, "souk", {"verifier"})
        ensure_signing_key(instance, agency)
        session.commit()
    counterpart = tmp_path / "lao"
    keys.create_signing_key(counterpart, LAO)
    document = Issuer(LAO, keys.load_signing_material(counterpart)).issue(
        assess_answers(ANSWERS, catalog), catalog.standard("gms-common@1")
    )
    environment = {
        "SCREENING_INSTANCE_PATH": str(instance),
        "SCREENING_DATABASE_URL": empty_database.url,
        "SCREENING_QUESTIONNAIRES": str(catalog_folder),
        "SCREENING_SECRET_KEY": TEST_SECRET_KEY,
        "SCREENING_DATA_KEYS": TEST_DATA_KEY,
    }
    yield environment, trust.export_trust_bundle(counterpart), document.pdf
    db.engine_of(app).dispose()


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "screening-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_bundle_imported_in_one_worker_is_trusted_by_all_at_once(site):
    environment, bundle, pdf = site
    server = Server(environment, workers=2)
    try:
        admin, souk = WebClient(server.url), WebClient(server.url)
        admin.login("admin", PASSWORD)
        souk.login("souk", PASSWORD)

        def verdicts(count: int) -> set[str]:
            found = set()
            for _ in range(count):
                status, body, _ = souk.send("/api/verify", pdf, "application/pdf")
                assert status == 200, body
                found.add(json.loads(body)["verdict"])
            return found

        before = verdicts(4)
        admin.get("/admin/trust")
        status, check, _ = admin.send(
            "/admin/trust/bundle", *multipart("bundle", "b.pem", bundle)
        )
        fields = {
            name: html.unescape(value)
            for name, value in HIDDEN.findall(check)
            if name in CONFIRM_FIELDS
        }
        confirmed, _, _ = admin.post("/admin/trust/bundle/confirm", fields)
        after = verdicts(8)
    finally:
        server.stop()

    assert before == {"invalid"}
    assert (status, confirmed) == (200, 302)
    assert after == {"valid"}
