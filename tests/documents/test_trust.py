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


SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def issue_by_ca(ca_key, ca_certificate, subject, public_key, *extensions):
    """A certificate the test CA issues, with the given (extension, critical)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(ca_certificate.not_valid_before_utc)
        .not_valid_after(ca_certificate.not_valid_after_utc)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(ca_key, hashes.SHA256())


def test_a_request_for_a_national_ca_and_the_issued_certificate(tmp_path):
    request_pem = keys.create_certificate_request(tmp_path, LAO_AGENCY)
    request = x509.load_pem_x509_csr(request_pem)
    ca_key, ca_certificate = make_test_ca()
    issued = issue_by_ca(
        ca_key,
        ca_certificate,
        request.subject,
        request.public_key(),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (SIGNING_USAGE, True),
    )
    bundle = keys.certificate_pem(issued) + keys.certificate_pem(ca_certificate)

    installed = keys.import_issued_certificate(tmp_path, bundle)
    material = keys.load_signing_material(tmp_path)
    exported = trust.read_trust_bundle(trust.export_trust_bundle(tmp_path))
    counterpart = trust.build_trust_context([], [trust.Counterpart("lao", exported)])
    only_the_ca = trust.TrustContext()
    only_the_ca.add_anchor(ca_certificate, "national-ca")

    assert installed == issued == material.certificate
    assert material.chain == (ca_certificate,)
    assert not (tmp_path / "keys" / keys.PENDING_KEY_FILE).exists()
    assert set(exported) == {issued, ca_certificate}
    # the counterpart pins the agency's own certificate from its bundle
    assert counterpart.check_certificate(issued, issued.not_valid_before_utc) == (
        "trusted"
    )
    assert set(counterpart.anchors) == {keys.fingerprint(issued)}
    # and the national CA alone vouches for nobody
    assert only_the_ca.anchors == {}
    assert only_the_ca.check_certificate(issued, issued.not_valid_before_utc) == (
        "untrusted"
    )


def test_a_ca_in_a_trusted_bundle_vouches_for_no_other_certificate():
    """The CA issued both agencies' certificates; only the bundle's is trusted."""
    from cryptography.hazmat.primitives.asymmetric import ec

    ca_key, ca_certificate = make_test_ca()
    pinned, other = (
        issue_by_ca(
            ca_key,
            ca_certificate,
            identity.subject(),
            ec.generate_private_key(ec.SECP256R1()).public_key(),
            (SIGNING_USAGE, True),
        )
        for identity in (LAO_AGENCY, THAI_AGENCY)
    )
    context = trust.build_trust_context(
        [], [trust.Counterpart("lao", [pinned, ca_certificate])]
    )
    moment = pinned.not_valid_before_utc

    assert context.check_certificate(pinned, moment) == "trusted"
    assert context.check_certificate(other, moment) == "untrusted"
    assert context.check_certificate(ca_certificate, moment) == "untrusted"
    assert context.group_of(other) is None


def test_a_pinned_certificate_without_a_signing_key_usage_is_not_trusted():
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec

    no_signing = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=True,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    key = ec.generate_private_key(ec.SECP256R1())
    for certificate in (
        self_signed(key, "no usage at all", start, 30),
        self_signed(key, "key agreement only", start, 30, (no_signing, True)),
    ):
        context = trust.build_trust_context([certificate])

        assert context.check_certificate(certificate, start) == "untrusted"
        assert trust.signs_documents(certificate) is False


def test_a_bundle_of_ca_certificates_only_forms_no_group():
    _, ca_certificate = make_test_ca()

    with pytest.raises(trust.TrustError) as refused:
        trust.bundle_group([ca_certificate], {}, set())

    assert refused.value.code == "no_signing_certificate"


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


def _patched_pem(certificate: x509.Certificate, old: bytes, new: bytes) -> bytes:
    """The certificate's DER with one byte run swapped, as PEM (its signature
    no longer holds, which does not matter: it must fail before any check)."""
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding

    der = certificate.public_bytes(Encoding.DER)
    assert old in der
    body = base64.encodebytes(der.replace(old, new, 1)).decode().replace("\n", "")
    lines = [body[index : index + 64] for index in range(0, len(body), 64)]
    return "\n".join(
        ["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----", ""]
    ).encode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Chiang Rai Provincial", b"\xff\xfe\xed\xa0\x80 Rai Provincial"),  # not text
        (bytes.fromhex("2a8648ce3d030107"), bytes.fromhex("2a8648ce3d030108")),  # curve
        (bytes.fromhex("0603551d13"), bytes.fromhex("0603551d0f")),  # repeated usage
    ],
    ids=["subject-not-text", "unknown-curve", "repeated-extension"],
)
def test_a_certificate_that_cannot_be_read_whole_is_a_plain_refusal(
    thai_agency, old, new
):
    certificate = keys.load_signing_material(thai_agency.instance).certificate
    pem = _patched_pem(certificate, old, new)

    with pytest.raises(trust.TrustError) as refused:
        trust.read_trust_bundle(pem)

    assert refused.value.code == "not_bundle"
