"""Keys, trust bundles and signed revocation lists, exchanged as files."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from screening.documents import keys, trust
from screening.documents.verify import verify_document

from .conftest import LAO_AGENCY, THAI_AGENCY, make_agency, self_signed


def test_keys_are_private_to_the_owner(thai_agency):
    folder = thai_agency.instance / "keys"

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / keys.KEY_FILE).stat().st_mode) == 0o600


def test_the_certificate_names_the_agency_and_is_for_signing_only(thai_agency):
    certificate = thai_agency.issuer.material.certificate
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value

    assert "C=TH" in certificate.subject.rfc4514_string()
    assert "ST=Chiang Rai" in certificate.subject.rfc4514_string()
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_encipherment
    with pytest.raises(x509.ExtensionNotFound):
        certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)


def test_the_signing_key_is_parsed_once_per_process(thai_agency):
    first = keys.load_signing_material(thai_agency.instance)

    assert keys.load_signing_material(thai_agency.instance) is first


def test_a_request_for_a_national_ca_and_the_issued_certificate(tmp_path):
    request_pem = keys.create_certificate_request(tmp_path, LAO_AGENCY)
    request = x509.load_pem_x509_csr(request_pem)
    ca_key, ca_certificate = make_test_ca()
    issued = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(ca_certificate.subject)
        .public_key(request.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ca_certificate.not_valid_before_utc)
        .not_valid_after(ca_certificate.not_valid_after_utc)
        .sign(ca_key, hashes.SHA256())
    )
    bundle = keys.certificate_pem(issued) + keys.certificate_pem(ca_certificate)

    installed = keys.import_issued_certificate(tmp_path, bundle)
    material = keys.load_signing_material(tmp_path)

    assert installed == issued == material.certificate
    assert material.chain == (ca_certificate,)
    assert not (tmp_path / "keys" / keys.PENDING_KEY_FILE).exists()
    counterpart = trust.TrustContext()
    counterpart.add_anchor(ca_certificate)
    assert counterpart.check_certificate(issued, issued.not_valid_before_utc) == (
        "trusted"
    )


def test_a_certificate_for_another_key_is_refused(tmp_path):
    keys.create_certificate_request(tmp_path, LAO_AGENCY)
    _, stranger = make_test_ca()

    with pytest.raises(keys.AgencyKeyError):
        keys.import_issued_certificate(tmp_path, keys.certificate_pem(stranger))


def test_an_agency_certificate_cannot_vouch_for_another_certificate(
    thai_agency, lao_agency
):
    """A trusted agency key must not mint certificates others would accept."""
    agency_material = thai_agency.issuer.material
    mallory_key = lao_agency.issuer.material.private_key
    minted = (
        x509.CertificateBuilder()
        .subject_name(lao_agency.issuer.material.certificate.subject)
        .issuer_name(agency_material.certificate.subject)
        .public_key(mallory_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agency_material.certificate.not_valid_before_utc)
        .not_valid_after(agency_material.certificate.not_valid_after_utc)
        .sign(agency_material.private_key, hashes.SHA256())
    )
    context = trust.TrustContext()
    context.add_anchor(agency_material.certificate)

    assert context.check_certificate(minted, minted.not_valid_before_utc) == (
        "untrusted"
    )


def test_two_agencies_exchange_trust_and_revocation_files(
    tmp_path, score, standard, catalog
):
    """A Thai agency's document verifies in Lao PDR, then its revocation too."""
    from .conftest import load_answers

    thai = make_agency(tmp_path / "th", THAI_AGENCY)
    lao = make_agency(tmp_path / "la", LAO_AGENCY)
    document = thai.issuer.issue(score(load_answers("th-scam-compound.json")), standard)

    before = verify_document(document.pdf, lao.trust(), catalog.standards)
    trust.import_trust_bundle(lao.instance, trust.export_trust_bundle(thai.instance))
    trusted = verify_document(document.pdf, lao.trust(), catalog.standards)
    trust.revoke(thai.instance, document.document_id, "interview repeated")
    signed_list = trust.export_revocation_list(thai.instance, thai.issuer.material)
    sequence, count = trust.import_revocation_list(
        lao.instance, signed_list, lao.trust()
    )
    revoked = verify_document(document.pdf, lao.trust(), catalog.standards)

    assert before.failed() == ["issuer_trusted"]
    assert trusted.verdict == "valid"
    assert (sequence, count) == (1, 1)
    assert revoked.failed() == ["not_revoked"]
    assert revoked.check("not_revoked").detail["reason"] == "interview repeated"


def test_an_older_revocation_list_cannot_undo_a_newer_one(tmp_path, documents):
    thai = make_agency(tmp_path / "th", THAI_AGENCY)
    lao = make_agency(tmp_path / "la", LAO_AGENCY)
    trust.import_trust_bundle(lao.instance, trust.export_trust_bundle(thai.instance))
    first_id, second_id = (documents["th"].document_id, documents["lo"].document_id)
    for document_id in (first_id, second_id):
        trust.record_issued(thai.instance, document_id, "test")
    trust.revoke(thai.instance, first_id, "first")
    older = trust.export_revocation_list(thai.instance, thai.issuer.material)
    trust.revoke(thai.instance, second_id, "second")
    newer = trust.export_revocation_list(thai.instance, thai.issuer.material)

    trust.import_revocation_list(lao.instance, newer, lao.trust())
    with pytest.raises(trust.TrustError, match="older"):
        trust.import_revocation_list(lao.instance, older, lao.trust())

    assert (
        len(lao.trust().revocations[trust.issuer_key(thai.issuer.material.certificate)])
        == 2
    )


def test_a_revocation_list_from_an_untrusted_or_altered_source_is_refused(tmp_path):
    thai = make_agency(tmp_path / "th", THAI_AGENCY)
    lao = make_agency(tmp_path / "la", LAO_AGENCY)
    signed_list = trust.export_revocation_list(thai.instance, thai.issuer.material)

    with pytest.raises(trust.TrustError, match="trusted"):
        trust.import_revocation_list(lao.instance, signed_list, lao.trust())

    trust.import_trust_bundle(lao.instance, trust.export_trust_bundle(thai.instance))
    altered = json.loads(signed_list)
    altered["list"]["sequence"] = 99
    with pytest.raises(trust.TrustError, match="signature"):
        trust.import_revocation_list(
            lao.instance, json.dumps(altered).encode(), lao.trust()
        )
    for garbage in (b"", b"{}", b"[1]", b"\xff" * 10):
        with pytest.raises(trust.TrustError):
            trust.import_revocation_list(lao.instance, garbage, lao.trust())


def test_only_our_own_documents_can_be_revoked_and_only_once(tmp_path):
    agency = make_agency(tmp_path, THAI_AGENCY)
    document_id = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"

    with pytest.raises(trust.TrustError, match="did not issue"):
        trust.revoke(agency.instance, document_id, "x")
    trust.record_issued(agency.instance, document_id, "test")
    trust.revoke(
        agency.instance,
        document_id,
        "typo in the place",
        status="superseded",
        replaced_by="7f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    )
    with pytest.raises(trust.TrustError, match="already"):
        trust.revoke(agency.instance, document_id, "again")


def test_a_trust_bundle_carries_current_and_past_certificates(tmp_path):
    make_agency(tmp_path, THAI_AGENCY)
    make_agency(tmp_path, THAI_AGENCY)

    bundle = x509.load_pem_x509_certificates(trust.export_trust_bundle(tmp_path))

    assert len(bundle) == 2
    with pytest.raises(trust.TrustError):
        trust.import_trust_bundle(tmp_path, b"not a certificate")


def make_test_ca():
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = self_signed(
        key,
        "Test National CA",
        dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        365,
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (usage, True),
    )
    return key, certificate
