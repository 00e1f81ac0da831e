"""Trust kept in the database: issuer groups, and revocation lists bound to them."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, update

from screening import issued, trust_store
from screening.documents import keys, trust
from screening.models import ImportedRevocationList, TrustedCertificate
from tests.documents.conftest import self_signed
from tests.helpers import signed

BOKEO = keys.AgencyIdentity("Bokeo Office", "LA", "Bokeo")


def agency(folder: Path, identity: keys.AgencyIdentity = BOKEO) -> keys.SigningMaterial:
    keys.create_signing_key(folder, identity)
    return keys.load_signing_material(folder)


def revocation_list(
    material: keys.SigningMaterial, sequence: int, *document_ids: str
) -> bytes:
    entries = [
        trust.withdrawal(document_id, "duplicate") for document_id in document_ids
    ]
    return trust.sign_revocation_list(material, sequence, entries)


def signed_entries(material: keys.SigningMaterial, entries: list) -> bytes:
    """A list signed by a trusted agency whatever its entries hold."""
    body = json.loads(trust.sign_revocation_list(material, 1, []))["list"]
    body["entries"] = entries
    # canonical_json, but with non-ASCII escaped: the same bytes for the ASCII
    # lists here, and still bytes for text that is not UTF-8
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    signature = material.private_key.sign(
        canonical, trust.ec.ECDSA(trust.hashes.SHA256())
    )
    signed_list = json.loads(trust.sign_revocation_list(material, 1, []))
    signed_list["list"] = body
    signed_list["signature"]["value"] = trust.base64.b64encode(signature).decode()
    return json.dumps(signed_list, separators=(",", ":")).encode()


def context(session, app) -> trust.TrustContext:
    return trust_store.load_trust_context(session, Path(app.instance_path))


def import_bundle(session, app, *certificates) -> trust_store.BundleImport:
    bundle = b"".join(keys.certificate_pem(c) for c in certificates)
    return trust_store.import_trust_bundle(session, bundle, Path(app.instance_path))


def import_list(session, app, data: bytes) -> trust.RevocationList:
    return trust_store.import_revocation_list(session, data, context(session, app))


def trusted(session) -> set[str]:
    return set(session.scalars(select(TrustedCertificate.sha256)))


@pytest.fixture
def bokeo(tmp_path) -> keys.SigningMaterial:
    return agency(tmp_path / "bokeo")


@pytest.fixture
def impostor(tmp_path) -> keys.SigningMaterial:
    """A third trusted agency whose certificate names itself "Bokeo Office"."""
    return agency(tmp_path / "impostor")


@pytest.fixture
def both_trusted(session, app, agency_key, bokeo, impostor) -> None:
    for material in (bokeo, impostor):
        import_bundle(session, app, material.certificate)
    session.commit()


def test_another_agency_with_the_same_name_cannot_replace_a_counterparts_list(
    session, app, bokeo, impostor, both_trusted
):
    revoked = str(uuid.uuid4())
    import_list(session, app, revocation_list(bokeo, 1, revoked))

    with contextlib.suppress(trust.TrustError):  # refusing it would do too
        import_list(session, app, revocation_list(impostor, 2))
    session.commit()

    found = context(session, app).revocation(bokeo.certificate, revoked)
    assert found is not None and found.status == "revoked"
    assert len(trust_store.revocation_lists(session)) == 2


def test_another_agency_cannot_revoke_a_counterparts_documents(
    session, app, bokeo, impostor, both_trusted
):
    theirs = str(uuid.uuid4())

    import_list(session, app, revocation_list(impostor, 1, theirs))
    session.commit()
    kept = context(session, app)

    assert kept.revocation(bokeo.certificate, theirs) is None
    assert kept.revocation(impostor.certificate, theirs) is not None


def test_an_agency_named_like_us_cannot_revoke_our_documents(
    session, app, people, agency_key, tmp_path
):
    from screening.issuance import agency_identity

    namesake = agency(tmp_path / "namesake", agency_identity(people.agency))
    ours = signed()
    issued.record_issue(session, ours)
    import_bundle(session, app, namesake.certificate)
    session.commit()
    own = keys.load_signing_material(agency_key).certificate

    import_list(session, app, revocation_list(namesake, 1, ours.document_id))
    session.commit()

    assert namesake.certificate.subject == own.subject
    assert context(session, app).revocation(own, ours.document_id) is None


def test_a_rotated_key_joins_its_agency_and_its_list_covers_the_old_documents(
    session, app, agency_key, tmp_path
):
    folder = tmp_path / "bokeo"
    old = agency(folder)
    first = import_bundle(session, app, old.certificate)
    new = agency(folder)  # the agency rotates its key and sends both certificates
    again = import_bundle(session, app, *keys.own_certificates(folder))
    document_id = str(uuid.uuid4())
    import_list(session, app, revocation_list(new, 1, document_id))
    session.commit()
    kept = context(session, app)

    assert (first.joined, again.joined) == (False, True)
    assert again.group_id == first.group_id
    assert again.added == [new.fingerprint]
    assert kept.revocation(old.certificate, document_id) is not None


def test_a_bundle_spanning_two_agencies_or_holding_ours_is_refused(
    session, app, agency_key, bokeo, impostor, both_trusted, tmp_path
):
    stranger = agency(tmp_path / "stranger").certificate
    own = keys.load_signing_material(agency_key).certificate
    before = trusted(session)

    problems = []
    for certificates in (
        (bokeo.certificate, impostor.certificate, stranger),
        (stranger, own),
    ):
        with pytest.raises(trust.TrustError) as refused:
            import_bundle(session, app, *certificates)
        problems.append(refused.value.code)
    session.commit()

    assert problems == ["two_agencies", "own_certificate"]
    assert trusted(session) == before


def test_our_own_list_is_not_imported(session, app, agency_key):
    material = keys.load_signing_material(agency_key)

    with pytest.raises(trust.TrustError) as refused:
        import_list(session, app, revocation_list(material, 1, str(uuid.uuid4())))

    assert refused.value.code == "own_list"
    assert trust_store.revocation_lists(session) == []


def test_a_refused_bundle_trusts_none_of_its_certificates(
    session, app, agency_key, bokeo
):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    rsa_certificate = self_signed(key, "rsa", now, 1)

    with pytest.raises(trust.TrustError) as refused:
        import_bundle(session, app, bokeo.certificate, rsa_certificate)
    session.commit()

    assert refused.value.code == "not_ecdsa"
    assert trusted(session) == set()
    assert bokeo.fingerprint not in context(session, app).anchors


def test_an_agency_removed_and_trusted_again_keeps_every_revocation(
    session, app, bokeo, impostor, both_trusted
):
    """Its list stops counting with its last certificate, and comes back with it."""
    revoked = str(uuid.uuid4())
    import_list(session, app, revocation_list(bokeo, 1, revoked))
    import_list(session, app, revocation_list(impostor, 1))
    group = next(
        row.group_id
        for row in trust_store.trusted_issuers(session)
        if row.sha256 == bokeo.fingerprint
    )

    assert trust_store.remove_trusted(session, bokeo.fingerprint)
    assert not trust_store.remove_trusted(session, bokeo.fingerprint)  # once
    session.commit()
    kept = [row.signer_sha256 for row in trust_store.revocation_lists(session)]
    gone = context(session, app)
    again = import_bundle(session, app, bokeo.certificate)
    session.commit()
    back = context(session, app)

    assert kept == [impostor.fingerprint]
    assert bokeo.fingerprint not in gone.anchors
    assert (again.joined, again.group_id, again.added) == (
        True,
        group,
        [bokeo.fingerprint],
    )
    assert back.revocation(bokeo.certificate, revoked) is not None


ODD_ENTRIES = {
    "document_id not text": {"document_id": ["not", "a", "string"]},
    "document_id not a UUID": {"document_id": "../../etc/passwd"},
    "reason not text": {"reason": {"a": 1}},
    "reason too long": {"reason": "x" * 501},
    "reason not UTF-8": {"reason": "\udcff"},
    "at not text": {"at": 12},
    "odd status": {"status": "forgotten"},
    "replaced_by not a UUID": {"status": "superseded", "replaced_by": 7},
    "unknown key": {"note": "hello"},
    "no reason": {"reason": None},
}


@pytest.mark.parametrize("name", ODD_ENTRIES)
def test_a_trusted_list_with_an_odd_entry_is_refused_whole(
    session, app, bokeo, impostor, both_trusted, name
):
    good = trust.withdrawal(str(uuid.uuid4()), "duplicate").as_dict()
    odd = {**good, **ODD_ENTRIES[name]}
    if odd["reason"] is None:
        del odd["reason"]

    with pytest.raises(trust.TrustError) as refused:
        import_list(session, app, signed_entries(bokeo, [good, odd]))

    assert refused.value.code == "bad_entry"
    assert refused.value.values == {"entry": 2}
    assert trust_store.revocation_lists(session) == []


def test_a_trusted_list_with_too_many_entries_or_a_huge_number_is_refused(
    session, app, bokeo, both_trusted
):
    entry = {
        **trust.withdrawal(str(uuid.uuid4()), "x").as_dict(),
        "reason": "",
        "at": "",
    }
    huge = json.loads(revocation_list(bokeo, 1))
    huge["list"]["sequence"] = 2**40

    with pytest.raises(trust.TrustError) as many:
        import_list(session, app, signed_entries(bokeo, [entry] * 20_001))
    with pytest.raises(trust.TrustError) as numbered:
        import_list(session, app, json.dumps(huge).encode())

    assert many.value.code == "too_many_entries"
    assert numbered.value.code == "not_list"


def test_a_stored_list_with_odd_entries_never_breaks_loading(
    session, app, bokeo, both_trusted
):
    """A list kept by an earlier version, which did not check entries."""
    kept_id = str(uuid.uuid4())
    import_list(session, app, revocation_list(bokeo, 1, kept_id))
    content = json.loads(revocation_list(bokeo, 2, kept_id))
    content["list"]["entries"].append({"document_id": ["x"], "status": "revoked"})
    session.execute(update(ImportedRevocationList).values(content=json.dumps(content)))
    session.commit()

    loaded = context(session, app)

    assert loaded.revocation(bokeo.certificate, kept_id) is not None


def test_two_imports_of_one_bundle_at_once_make_one_agency(app, agency_key, bokeo):
    """The second import waits for the first, then joins the group it made."""
    import threading

    from screening import db

    if db.engine_of(app).dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: there is no race to lose")
    bundle = keys.certificate_pem(bokeo.certificate)
    instance = Path(app.instance_path)
    results = {}

    def second_import() -> None:
        with app.app_context():
            session = db.session()
            results["second"] = trust_store.import_trust_bundle(
                session, bundle, instance
            )
            session.commit()

    with app.app_context():
        first = db.session()
        results["first"] = trust_store.import_trust_bundle(first, bundle, instance)
        waiting = threading.Thread(target=second_import)
        waiting.start()
        waiting.join(1)  # it waits on the first one's certificate row
        first.commit()
    waiting.join(10)

    assert (results["first"].joined, results["second"].joined) == (False, True)
    assert results["second"].group_id == results["first"].group_id
    assert results["second"].added == []


def test_two_agencies_under_one_national_ca_stay_two_groups(
    session, app, agency_key, bokeo, impostor
):
    """The CA certificate both bundles carry neither merges nor forms a group."""
    from tests.documents.test_trust import make_test_ca

    _, national_ca = make_test_ca()

    first = import_bundle(session, app, bokeo.certificate, national_ca)
    second = import_bundle(session, app, impostor.certificate, national_ca)
    with pytest.raises(trust.TrustError) as refused:
        import_bundle(session, app, national_ca)
    session.commit()

    assert first.group_id != second.group_id
    assert not second.joined
    assert (first.left_out, second.left_out) == (1, 1)
    assert refused.value.code == "no_signing_certificate"
    assert trusted(session) == {bokeo.fingerprint, impostor.fingerprint}
    assert keys.fingerprint(national_ca) not in context(session, app).anchors


def test_a_newer_list_that_drops_an_earlier_entry_is_refused(
    session, app, agency_key, bokeo
):
    import_bundle(session, app, bokeo.certificate)
    revoked, other = str(uuid.uuid4()), str(uuid.uuid4())
    import_list(session, app, revocation_list(bokeo, 1, revoked))
    session.commit()

    with pytest.raises(trust.TrustError) as refused:
        import_list(session, app, revocation_list(bokeo, 2, other))
    session.rollback()
    import_list(session, app, revocation_list(bokeo, 2, revoked, other))
    session.commit()

    assert refused.value.code == "list_shrinks"
    [kept] = trust_store.revocation_lists(session)
    assert (kept.sequence, kept.entry_count) == (2, 2)


def test_a_list_signed_by_a_certificate_no_longer_trusted_is_dropped(
    session, app, agency_key, tmp_path
):
    """After a rotation, removing the old certificate drops the list it signed."""
    old = agency(tmp_path / "rotating")
    import_bundle(session, app, old.certificate)
    new = agency(tmp_path / "rotating")
    import_bundle(session, app, old.certificate, new.certificate)
    document_id = str(uuid.uuid4())
    import_list(session, app, revocation_list(old, 1, document_id))
    session.commit()

    assert trust_store.remove_trusted(session, old.fingerprint)
    session.commit()

    assert trust_store.revocation_lists(session) == []
    assert new.fingerprint in context(session, app).anchors
