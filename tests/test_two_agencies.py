"""A Thai agency and a Lao agency, each with its own instance, database and key.

They exchange trust files through the administrators' screens only. The
Lao agency verifies a document issued from the Thai agency's result page,
then sees it revoked once it imports the Thai agency's new revocation list.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from screening import accounts, create_app, db, migrate
from screening.issuance import ensure_signing_key
from screening.published import publish_catalog
from tests.conftest import Browser, Database, make_user, settings_for
from tests.helpers import complete_mini, document_ids, issue, trust_bundle

pytestmark = pytest.mark.slow

CHECK = re.compile(r'<li class="check (pass|fail|skipped)" data-check="(\w+)">')


@dataclass
class Instance:
    app: Flask
    database: Database

    def browser(self, username: str) -> Browser:
        return Browser(self.app.test_client(), username)


def make_instance(
    folder: Path,
    catalog_folder: Path,
    agency: tuple[str, str, str],
    users: dict[str, set[str]],
) -> Instance:
    folder.mkdir()
    database = Database.create(folder, folder.name)
    engine = db.make_engine(database.url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(settings_for(folder / "instance", database.url, catalog_folder))
    with app.app_context():
        session = db.session()
        publish_catalog(session, app.extensions["screening"].catalog)
        own = accounts.create_agency(session, *agency, own=True)
        for username, roles in users.items():
            make_user(session, own, username, roles)
        ensure_signing_key(folder / "instance", own)  # what `screening init` does
        session.commit()
    return Instance(app, database)


@pytest.fixture
def agencies(tmp_path, catalog_folder) -> Iterator[tuple[Instance, Instance]]:
    thai = make_instance(
        tmp_path / "th",
        catalog_folder,
        ("Chiang Rai PSDHS", "TH", "Chiang Rai"),
        {"nok": {"interviewer"}, "malee": {"supervisor"}, "admin": {"administrator"}},
    )
    lao = make_instance(
        tmp_path / "la",
        catalog_folder,
        ("Bokeo Anti-Trafficking Unit", "LA", "Bokeo"),
        {"souk": {"verifier"}, "admin": {"administrator"}},
    )
    yield thai, lao
    for instance in (thai, lao):
        db.engine_of(instance.app).dispose()
        instance.database.drop()


def upload(browser: Browser, path: str, field: str, data: bytes, name: str):
    form = {field: (io.BytesIO(data), name), "kind": "pdf"}
    return browser.post(path, form, content_type="multipart/form-data")


def verdict_of(browser: Browser, pdf: bytes) -> tuple[str, dict[str, str]]:
    """The verify page's verdict and the status of each check, by name."""
    page = upload(browser, "/verify", "document", pdf, "result.pdf")
    text = page.get_data(as_text=True)
    verdict = re.search(r'data-verdict="(\w+)"', text)
    assert verdict, text
    checks = {name: status for status, name in CHECK.findall(text)}
    return verdict.group(1), checks


def test_the_lao_agency_verifies_a_thai_document_and_later_its_revocation(agencies):
    thai, lao = agencies
    nok, malee, thai_admin = (thai.browser(name) for name in ("nok", "malee", "admin"))
    souk, lao_admin = lao.browser("souk"), lao.browser("admin")

    # The Thai interviewer issues the signed PDF from the result page.
    reference = complete_mini(nok)
    assert issue(nok, reference, "lo").status_code == 302
    [document_id] = document_ids(nok, reference)
    pdf = nok.get(f"/screenings/{reference}/documents/{document_id}.pdf").data

    # Before any exchange, the Lao verifier does not trust the signer.
    verdict, checks = verdict_of(souk, pdf)
    assert verdict == "invalid"
    assert checks["issuer_trusted"] == "fail"

    # The administrators exchange the Thai trust bundle.
    bundle = thai_admin.get("/admin/trust/bundle.pem")
    assert bundle.status_code == 200
    check, imported = trust_bundle(lao_admin, bundle.data)
    assert "Chiang Rai PSDHS (Chiang Rai, TH)" in check
    trust_page = imported.get_data(as_text=True)
    assert "New certificates trusted: 1." in trust_page
    assert "Chiang Rai PSDHS (Chiang Rai, TH)" in trust_page

    verdict, checks = verdict_of(souk, pdf)
    assert verdict == "valid", checks
    assert set(checks.values()) == {"pass"}

    # The Thai list before the revocation, kept to try a rollback later.
    older = thai_admin.get("/admin/trust/revocations.json").data

    # A Thai supervisor revokes the document; the new list travels to Laos.
    revoked = malee.post(
        f"/screenings/{reference}/documents/{document_id}/withdraw",
        {"reason": "interview repeated", "action": "revoke"},
    )
    assert revoked.status_code == 302
    newer = thai_admin.get("/admin/trust/revocations.json").data
    imported = upload(
        lao_admin, "/admin/trust/revocations", "revocations", newer, "th.json"
    )
    assert imported.status_code == 302
    assert "Revocation list number 1 imported, with 1 entries." in (
        lao_admin.get("/admin/trust").get_data(as_text=True)
    )

    verdict, checks = verdict_of(souk, pdf)
    assert verdict == "invalid"
    assert [name for name, status in checks.items() if status == "fail"] == [
        "not_revoked"
    ]
    souk.post("/language", {"language": "lo", "next": "/verify"})
    page = upload(souk, "/verify", "document", pdf, "r.pdf").get_data(as_text=True)
    assert "ຜູ້ອອກເອກະສານໄດ້ຖອນເອກະສານນີ້ແລ້ວ." in page
    facts = page[page.index('<dl class="facts">') :]
    assert facts.index("interview repeated") < facts.index(document_id)

    # The older Thai list cannot bring the document back.
    refused = upload(
        lao_admin, "/admin/trust/revocations", "revocations", older, "old.json"
    )
    assert refused.status_code == 302
    assert "older than the one already imported" in (
        lao_admin.get("/admin/trust").get_data(as_text=True)
    )
    api = souk.client.post(
        "/api/verify",
        data=pdf,
        content_type="application/pdf",
        headers={"X-CSRFToken": souk.token},
    )
    assert api.json["verdict"] == "invalid"
    assert [c["code"] for c in api.json["checks"] if c["status"] == "fail"] == [
        "not_revoked.revoked"
    ]
