"""The administrators' trust screens: bundles, revocation lists, the register."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid

import pytest
from cryptography import x509
from sqlalchemy import select

from screening import db, issued, trust_store
from screening.documents import keys, trust
from screening.models import AuditEvent, IssuedDocument
from tests.helpers import signed, trust_bundle

LAO = keys.AgencyIdentity("Bokeo Provincial Anti-Trafficking Unit", "LA", "Bokeo")
ADMIN_PAGES = ["/admin/trust", "/admin/documents", "/admin/trust/bundle.pem"]


@pytest.fixture
def counterpart(tmp_path):
    folder = tmp_path / "lao"
    keys.create_signing_key(folder, LAO)
    return folder, keys.load_signing_material(folder)


@pytest.fixture
def admin(signed_in, agency_key):
    return signed_in("admin")


def send(browser, path: str, field: str, data: bytes):
    return browser.post(
        path,
        {field: (io.BytesIO(data), "file")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def trusted(app) -> int:
    with app.app_context():
        return len(trust_store.trusted_issuers(db.session()))


def actions(app) -> list[str]:
    with app.app_context():
        return [row.action for row in db.session().scalars(select(AuditEvent))]


def test_our_trust_bundle_exports_with_an_audit_row(app, admin):
    page = admin.get("/admin/trust").get_data(as_text=True)
    response = admin.get("/admin/trust/bundle.pem")

    certificates = x509.load_pem_x509_certificates(response.data)
    assert "Chiang Rai PSDHS (Chiang Rai, TH)" in page and "current" in page
    assert len(certificates) == 1
    assert "trust-bundle.pem" in response.headers["Content-Disposition"]
    assert "trust.export" in actions(app)


def test_a_counterpart_bundle_is_checked_then_imported_listed_and_removed(
    app, admin, counterpart
):
    folder, material = counterpart
    bundle = trust.export_trust_bundle(folder)

    check = send(admin, "/admin/trust/bundle", "bundle", bundle).get_data(as_text=True)
    trusted_before = trusted(app)
    _, confirmed = trust_bundle(admin, bundle)
    imported = confirmed.get_data(as_text=True)
    again = send(admin, "/admin/trust/bundle", "bundle", bundle).get_data(as_text=True)
    removed = admin.post(
        f"/admin/trust/issuers/{material.fingerprint}/remove", follow_redirects=True
    ).get_data(as_text=True)
    missing = admin.post(f"/admin/trust/issuers/{material.fingerprint}/remove")

    assert "would form a new counterpart agency" in check
    assert material.fingerprint in check
    assert trusted_before == 0
    assert "New certificates trusted: 1." in imported
    assert material.fingerprint in imported
    assert "trusted already" in again
    assert "no longer trusted" in removed
    assert "revocations are kept" in removed
    assert material.fingerprint not in removed
    assert missing.status_code == 404
    assert actions(app).count("trust.import") == 1
    assert "trust.remove" in actions(app)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "Choose a file to import."),
        (b"hello", "This is not a trust bundle"),
        (b"-" * (trust.MAX_IMPORT_BYTES + 10), "The file is too large"),
    ],
)
def test_a_bad_bundle_is_refused_with_a_plain_message(app, admin, data, words):
    field = "bundle" if data else "nothing"

    response = send(admin, "/admin/trust/bundle", field, data)

    assert response.status_code == 200
    assert words in response.get_data(as_text=True)
    assert "trust.import" not in actions(app)


def test_a_file_over_the_import_limit_gets_the_error_page(admin):
    response = admin.post(
        "/admin/trust/bundle",
        {"bundle": (io.BytesIO(b"-" * (3 * 1024 * 1024)), "big.pem")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_our_revocation_list_exports_signed_with_every_withdrawal(app, admin):
    with app.app_context():
        session = db.session()
        document = signed()
        issued.record_issue(session, document)
        issued.withdraw(session, document.document_id, "issued in error")
        session.commit()

    response = admin.get("/admin/trust/revocations.json")
    body = json.loads(response.data)["list"]
    page = admin.get("/admin/trust").get_data(as_text=True)

    assert body["sequence"] == 1
    assert body["entries"][0]["document_id"] == document.document_id
    assert "Documents in our list, revoked or replaced: 1." in page
    assert "revocations.export" in actions(app)


def test_a_counterpart_list_is_imported_and_an_older_one_refused(
    app, admin, counterpart
):
    folder, material = counterpart
    trust_bundle(admin, trust.export_trust_bundle(folder))
    entry = trust.withdrawal(str(uuid.uuid4()), "duplicate")
    older = trust.sign_revocation_list(material, 1, [entry])
    newer = trust.sign_revocation_list(material, 2, [entry, entry])

    first = send(admin, "/admin/trust/revocations", "revocations", newer)
    refused = send(admin, "/admin/trust/revocations", "revocations", older)

    assert "Revocation list number 2 imported, with 2 entries." in first.get_data(
        as_text=True
    )
    assert (
        "This list (number 1) is older than the one already imported (number 2)"
        in refused.get_data(as_text=True)
    )
    assert actions(app).count("revocations.import") == 1


def test_a_list_from_an_agency_not_trusted_is_refused(admin, counterpart):
    _, material = counterpart

    response = send(
        admin,
        "/admin/trust/revocations",
        "revocations",
        trust.sign_revocation_list(material, 1, []),
    )

    assert "not signed by an agency trusted here" in response.get_data(as_text=True)


def trusted_fingerprints(app) -> set[str]:
    with app.app_context():
        return {row.sha256 for row in trust_store.trusted_issuers(db.session())}


def test_a_bundle_refused_for_one_certificate_trusts_none_of_them(
    app, admin, counterpart
):
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import rsa

    from tests.documents.conftest import self_signed

    folder, _ = counterpart
    rsa_certificate = self_signed(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "rsa",
        dt.datetime.now(dt.UTC),
        1,
    )
    bundle = trust.export_trust_bundle(folder) + keys.certificate_pem(rsa_certificate)

    response = send(admin, "/admin/trust/bundle", "bundle", bundle)

    assert "Only ECDSA certificates are accepted." in response.get_data(as_text=True)
    assert trusted_fingerprints(app) == set()
    assert "trust.import" not in actions(app)


def test_each_agency_is_shown_with_its_fingerprints_and_a_rotation_joins_it(
    app, admin, counterpart
):
    folder, old = counterpart
    _, first = trust_bundle(admin, trust.export_trust_bundle(folder))
    keys.create_signing_key(folder, LAO)  # the agency rotates its key
    new = keys.load_signing_material(folder)
    check, second = trust_bundle(admin, trust.export_trust_bundle(folder))
    page = second.get_data(as_text=True)

    assert "The bundle formed agency" in first.get_data(as_text=True)
    assert "so its new certificates would join that agency" in check
    assert "so its certificates join that agency" in page
    section = page[page.index('id="trusted-issuers"') :]
    heading = section.index("Agency ")
    assert section.count('<table class="list" data-group=') == 1
    assert heading < section.index(old.fingerprint) < section.index(new.fingerprint)


def test_a_list_with_an_odd_entry_is_refused_with_its_number(app, admin, counterpart):
    folder, material = counterpart
    trust_bundle(admin, trust.export_trust_bundle(folder))
    good = trust.withdrawal(str(uuid.uuid4()), "duplicate")
    signed_list = json.loads(trust.sign_revocation_list(material, 1, [good]))
    body = {**signed_list["list"], "entries": [{**good.as_dict(), "reason": [1]}]}
    signature = material.private_key.sign(
        trust.canonical_json(body), trust.ec.ECDSA(trust.hashes.SHA256())
    )
    signed_list["list"] = body
    signed_list["signature"]["value"] = trust.base64.b64encode(signature).decode()

    response = send(
        admin,
        "/admin/trust/revocations",
        "revocations",
        json.dumps(signed_list).encode(),
    )

    assert "Entry 1 of the list is not a valid revocation" in response.get_data(
        as_text=True
    )
    assert "revocations.import" not in actions(app)


def test_the_register_lists_every_document_and_an_administrator_revokes_one(app, admin):
    with app.app_context():
        session = db.session()
        documents = [signed(), signed()]
        for document in documents:
            issued.record_issue(session, document)
        session.commit()
    first, second = (document.document_id for document in documents)

    page = admin.get("/admin/documents").get_data(as_text=True)
    superseded = admin.post(
        f"/admin/documents/{first}/revoke",
        {"reason": "date corrected", "action": "revoke", "replaced_by": second},
        follow_redirects=True,
    ).get_data(as_text=True)
    revoked = admin.post(
        f"/admin/documents/{second}/revoke",
        {"reason": "interview repeated", "action": "revoke"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert first in page and second in page and "from an answers file" in page
    assert "date corrected" in superseded
    assert "interview repeated" in revoked
    with app.app_context():
        rows = {
            row.document_id: (row.status, row.superseded_by)
            for row in db.session().scalars(select(IssuedDocument))
        }
    assert rows == {first: ("superseded", second), second: ("revoked", None)}
    assert actions(app).count("document.revoke") == 1
    assert actions(app).count("document.supersede") == 1


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("username", ["malee", "anan", "verifier", "nok"])
def test_only_administrators_open_the_trust_screens(signed_in, path, username):
    assert signed_in(username).get(path).status_code == 403


@pytest.fixture
def trusted_and_stranger(admin, counterpart, tmp_path):
    """The counterpart trusted; a new certificate; a bundle of both."""
    folder, genuine = counterpart
    trust_bundle(admin, trust.export_trust_bundle(folder))
    stranger = keys.create_signing_key(tmp_path / "stranger", LAO)
    mixed = keys.certificate_pem(genuine.certificate) + keys.certificate_pem(stranger)
    return stranger, mixed


def test_a_strangers_certificate_beside_a_trusted_one_is_shown_before_it_joins(
    app, admin, trusted_and_stranger
):
    stranger, mixed = trusted_and_stranger
    stranger_sha = keys.fingerprint(stranger)

    check = send(admin, "/admin/trust/bundle", "bundle", mixed).get_data(as_text=True)
    not_yet = trusted(app)
    _, confirmed = trust_bundle(admin, mixed)

    row = check[check.index(f'data-sha256="{stranger_sha}"') :]
    assert "A bundle from anyone else can hold a stranger" in check
    assert row.index("new") < row.index("</tr>")
    assert not_yet == 1
    assert "New certificates trusted: 1." in confirmed.get_data(as_text=True)
    assert trusted(app) == 2
    with app.app_context():
        details = db.session().scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "trust.import")
        )
        assert any(stranger_sha in (detail or "") for detail in details)


def test_a_confirmation_for_other_certificates_than_those_checked_is_refused(
    app, admin, counterpart, tmp_path
):
    _, genuine = counterpart
    stranger = keys.create_signing_key(tmp_path / "stranger", LAO)
    checked = keys.fingerprint(genuine.certificate)
    smuggled = keys.certificate_pem(genuine.certificate) + keys.certificate_pem(
        stranger
    )

    response = admin.post(
        "/admin/trust/bundle/confirm",
        {"certificates": smuggled.decode(), "expected": checked},
        follow_redirects=True,
    )

    assert "The trust changed since you checked this bundle" in response.get_data(
        as_text=True
    )
    assert trusted(app) == 0
    assert "trust.import" not in actions(app)


def test_a_confirmation_for_another_agency_than_the_one_shown_is_refused(
    app, admin, trusted_and_stranger
):
    """Checked as forming a new agency, the bundle would now join one: refused."""
    renewed, bundle = trusted_and_stranger
    check = send(admin, "/admin/trust/bundle", "bundle", bundle).get_data(as_text=True)

    response = admin.post(
        "/admin/trust/bundle/confirm",
        {
            "certificates": bundle.decode(),
            "expected": keys.fingerprint(renewed),
            "destination": "new",
        },
        follow_redirects=True,
    )

    assert re.search(r'name="destination" value="\d+"', check), check
    assert "The trust changed since you checked" in response.get_data(as_text=True)
    assert trusted(app) == 1


def test_a_bundle_at_the_size_limit_can_still_be_confirmed(app, admin):
    """The checked certificates travel back percent-encoded, a tenth larger."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.documents.conftest import self_signed

    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificates, size = [], 0
    while size < trust.MAX_IMPORT_BYTES - 1024:
        pem = keys.certificate_pem(
            self_signed(key, f"Bokeo {len(certificates)}", now, 30, (usage, True))
        )
        certificates.append(pem)
        size += len(pem)

    _, confirmed = trust_bundle(admin, b"".join(certificates))

    assert confirmed.status_code == 200
    assert f"New certificates trusted: {len(certificates)}." in confirmed.get_data(
        as_text=True
    )
