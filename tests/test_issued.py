"""The register of issued documents and the trust kept in the database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from screening import issued, trust_store
from screening.crypto import DataCipher
from screening.documents import keys, trust
from screening.models import IssuedDocument
from tests.conftest import TEST_DATA_KEY
from tests.helpers import signed

LAO = keys.AgencyIdentity("Bokeo Provincial Anti-Trafficking Unit", "LA", "Bokeo")


@pytest.fixture
def counterpart(tmp_path):
    """A Lao agency's key in a folder of its own."""
    folder = tmp_path / "lao"
    keys.create_signing_key(folder, LAO)
    return folder, keys.load_signing_material(folder)


def test_a_registered_document_keeps_its_facts_and_its_pdf_encrypted(session):
    cipher = DataCipher([TEST_DATA_KEY])
    document = signed(pdf=b"%PDF-1.7 the person's name")

    row = issued.record_issue(session, document, cipher=cipher)
    session.commit()

    assert (row.band, row.status, row.languages) == ("likely", "valid", "th,lo,en")
    assert row.status_at == row.issued_at == document.issued_at
    assert b"name" not in row.pdf.encode()
    assert issued.stored_pdf(row, cipher) == document.pdf
    assert issued.find(session, document.document_id.upper()) is row
    assert issued.find(session, "../etc/passwd") is None


def test_only_our_own_documents_are_withdrawn_and_only_once(session):
    document = signed()
    issued.record_issue(session, document)
    stranger = str(uuid.uuid4())

    with pytest.raises(trust.TrustError) as not_ours:
        issued.withdraw(session, stranger, "typo")
    issued.withdraw(session, document.document_id, "interview repeated")
    with pytest.raises(trust.TrustError) as again:
        issued.withdraw(session, document.document_id, "again")

    assert not_ours.value.code == "not_ours"
    assert again.value.code == "already_withdrawn"
    row = issued.find(session, document.document_id)
    assert (row.status, row.reason) == ("revoked", "interview repeated")


def test_a_document_is_superseded_only_by_a_valid_document_of_ours(session):
    old, new = signed(), signed()
    for document in (old, new):
        issued.record_issue(session, document)

    with pytest.raises(trust.TrustError) as unknown:
        issued.withdraw(
            session,
            old.document_id,
            "date corrected",
            status="superseded",
            replaced_by=str(uuid.uuid4()),
        )
    row = issued.withdraw(
        session,
        old.document_id,
        "date corrected",
        status="superseded",
        replaced_by=new.document_id,
    )

    assert unknown.value.code == "bad_replacement"
    assert (row.status, row.superseded_by) == ("superseded", new.document_id)


def test_our_revocation_list_is_numbered_by_its_entries(session, app):
    keys.create_signing_key(Path(app.instance_path), LAO)
    material = keys.load_signing_material(Path(app.instance_path))
    documents = [signed() for _ in range(3)]
    for document in documents:
        issued.record_issue(session, document)
    empty = json.loads(issued.revocation_list(session, material))
    issued.withdraw(session, documents[0].document_id, "first")
    issued.withdraw(
        session,
        documents[1].document_id,
        "second",
        status="superseded",
        replaced_by=documents[2].document_id,
    )

    signed_list = issued.revocation_list(session, material)
    body = json.loads(signed_list)["list"]

    assert empty["list"]["sequence"] == 0
    assert body["sequence"] == 2
    assert [entry["reason"] for entry in body["entries"]] == ["first", "second"]
    assert body["entries"][1]["replaced_by"] == documents[2].document_id
    own = trust.build_trust_context([material.certificate])
    assert trust.check_revocation_list(signed_list, own).sequence == 2


def test_own_revocations_reach_the_trust_context(session, app):
    keys.create_signing_key(Path(app.instance_path), LAO)
    material = keys.load_signing_material(Path(app.instance_path))
    document = signed()
    issued.record_issue(session, document)
    issued.withdraw(session, document.document_id, "issued in error")

    context = trust_store.load_trust_context(session, Path(app.instance_path))

    assert context.own == {material.fingerprint}
    found = context.revocation(material.certificate, document.document_id)
    assert found is not None and found.reason == "issued in error"


def test_a_trust_bundle_is_imported_once_and_can_be_removed(session, app, counterpart):
    folder, material = counterpart
    bundle = trust.export_trust_bundle(folder)

    first = trust_store.import_trust_bundle(session, bundle, Path(app.instance_path))
    second = trust_store.import_trust_bundle(session, bundle, Path(app.instance_path))
    session.commit()
    rows = trust_store.trusted_issuers(session)

    assert first.added == [material.fingerprint] and not first.joined
    assert second.added == [] and second.group_id == first.group_id
    assert [row.subject for row in rows] == [
        material.certificate.subject.rfc4514_string()
    ]
    assert not trust_store.remove_trusted(session, "../../keys/signing-key")
    assert trust_store.remove_trusted(session, material.fingerprint.upper())
    assert trust_store.trusted_issuers(session) == []


def test_an_older_revocation_list_cannot_undo_a_newer_one(session, app, counterpart):
    folder, material = counterpart
    trust_store.import_trust_bundle(
        session, trust.export_trust_bundle(folder), Path(app.instance_path)
    )
    entries = [
        trust.withdrawal(str(uuid.uuid4()), reason) for reason in ("first", "second")
    ]
    older = trust.sign_revocation_list(material, 1, entries[:1])
    newer = trust.sign_revocation_list(material, 2, entries)
    context = trust_store.load_trust_context(session, Path(app.instance_path))

    trust_store.import_revocation_list(session, newer, context)
    trust_store.import_revocation_list(session, newer, context)  # the same again
    with pytest.raises(trust.TrustError) as refused:
        trust_store.import_revocation_list(session, older, context)
    session.commit()

    assert refused.value.code == "list_older"
    assert refused.value.values == {"sequence": 1, "kept": 2}
    kept = trust_store.load_trust_context(session, Path(app.instance_path))
    assert len(kept.revocations[kept.group_of(material.certificate)]) == 2
    assert [row.sequence for row in trust_store.revocation_lists(session)] == [2]


def test_a_revocation_list_of_an_untrusted_issuer_is_refused(session, app, counterpart):
    _, material = counterpart
    signed_list = trust.sign_revocation_list(material, 1, [])
    context = trust_store.load_trust_context(session, Path(app.instance_path))

    with pytest.raises(trust.TrustError) as refused:
        trust_store.import_revocation_list(session, signed_list, context)

    assert refused.value.code == "list_untrusted"
    assert session.scalars(select(IssuedDocument)).all() == []
