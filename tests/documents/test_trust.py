"""Keys, trust bundles and signed revocation lists, exchanged as files."""

from __future__ import annotations

import json
import pickle
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
    counterpart.add_anchor(ca_certificate, "national-ca")
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
    context.add_anchor(agency_material.certificate, "thai")

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
    lao.trust_bundle_of(thai)
    trusted = verify_document(document.pdf, lao.trust(), catalog.standards)
    thai.revoke(document.document_id, "interview repeated")
    checked = lao.keep_list(thai.revocation_list())
    revoked = verify_document(document.pdf, lao.trust(), catalog.standards)

    assert before.failed() == ["issuer_trusted"]
    assert trusted.verdict == "valid"
    assert (checked.sequence, len(checked.entries)) == (1, 1)
    assert revoked.failed() == ["not_revoked"]
    assert revoked.check("not_revoked").detail["reason"] == "interview repeated"


def test_a_revocation_list_keeps_the_phase_one_file_format(tmp_path):
    thai = make_agency(tmp_path, THAI_AGENCY)
    thai.revoke(
        "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
        "date corrected",
        status="superseded",
        replaced_by="7f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    )

    signed = json.loads(thai.revocation_list())

    assert set(signed) == {"list", "signature"}
    assert signed["list"]["type"] == "gms-revocation-list"
    assert signed["list"]["format"] == 1
    assert signed["list"]["sequence"] == 1
    assert signed["list"]["entries"][0]["replaced_by"].startswith("7f0c1d2e")
    assert signed["signature"]["algorithm"] == "ecdsa-sha256"


def test_a_revocation_list_from_an_untrusted_or_altered_source_is_refused(tmp_path):
    thai = make_agency(tmp_path / "th", THAI_AGENCY)
    lao = make_agency(tmp_path / "la", LAO_AGENCY)
    signed_list = thai.revocation_list()

    with pytest.raises(trust.TrustError, match="trusted"):
        trust.check_revocation_list(signed_list, lao.trust())

    lao.trust_bundle_of(thai)
    altered = json.loads(signed_list)
    altered["list"]["sequence"] = 99
    with pytest.raises(trust.TrustError, match="signature"):
        trust.check_revocation_list(json.dumps(altered).encode(), lao.trust())
    for garbage in (b"", b"{}", b"[1]", b"\xff" * 10, b"[" * 200_000):
        with pytest.raises(trust.TrustError) as refused:
            trust.check_revocation_list(garbage, lao.trust())
        assert refused.value.code == "not_list"


def test_a_withdrawal_needs_a_document_id_a_reason_and_a_replacement():
    document_id = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"

    problems = {}
    for name, arguments, options in (
        ("bad id", ("not-an-id", "x"), {}),
        ("no reason", (document_id, "  "), {}),
        ("no replacement", (document_id, "x"), {"status": "superseded"}),
        (
            "itself",
            (document_id, "x"),
            {"status": "superseded", "replaced_by": document_id},
        ),
    ):
        with pytest.raises(trust.TrustError) as refused:
            trust.withdrawal(*arguments, **options)
        problems[name] = refused.value.code
    entry = trust.withdrawal(document_id.upper(), " typo in the place ")

    assert problems == {
        "bad id": "bad_document_id",
        "no reason": "no_reason",
        "no replacement": "no_replacement",
        "itself": "replaces_itself",
    }
    assert (entry.document_id, entry.reason) == (document_id, "typo in the place")


def test_a_trust_context_survives_the_trip_to_a_worker_process(tmp_path):
    thai = make_agency(tmp_path / "th", THAI_AGENCY)
    lao = make_agency(tmp_path / "la", LAO_AGENCY)
    thai.trust_bundle_of(lao)
    thai.revoke("6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "duplicate")
    context = thai.trust()

    again = trust.TrustContext.from_plain(
        pickle.loads(pickle.dumps(context.as_plain()))  # noqa: S301 - our own bytes
    )

    assert again.anchors.keys() == context.anchors.keys()
    assert again.own == context.own
    assert again.groups == context.groups
    assert again.revocations == context.revocations


def test_a_trust_bundle_carries_current_and_past_certificates(tmp_path):
    make_agency(tmp_path, THAI_AGENCY)
    make_agency(tmp_path, THAI_AGENCY)

    bundle = x509.load_pem_x509_certificates(trust.export_trust_bundle(tmp_path))

    assert len(bundle) == 2
    with pytest.raises(trust.TrustError):
        trust.read_trust_bundle(b"not a certificate")


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
