"""A configured time stamping authority timestamps the signature."""

from __future__ import annotations

import datetime as dt

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from screening.documents import keys
from screening.documents.issue import Issuer
from screening.documents.verify import verify_document

from .conftest import THAI_AGENCY, load_answers, self_signed


def test_time_stamping_authority(moment: dt.datetime) -> DummyTimeStamper:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's
    # test authority signs with RSA only
    certificate = self_signed(
        key,
        "Test TSA",
        moment - dt.timedelta(days=1),
        30,
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
    )
    der = serialization.Encoding.DER
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        fixed_dt=moment,
    )


test_time_stamping_authority.__test__ = False  # a helper, not a test


def test_the_signing_time_comes_from_the_timestamp_when_there_is_one(
    tmp_path, score, standard, catalog
):
    keys.create_signing_key(tmp_path, THAI_AGENCY)
    stamped_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(
        minutes=3
    )
    issuer = Issuer(
        THAI_AGENCY,
        keys.load_signing_material(tmp_path),
        timestamper=test_time_stamping_authority(stamped_at),
    )
    document = issuer.issue(score(load_answers("en-factory.json")), standard)

    from screening.documents.trust import build_trust_context

    report = verify_document(
        document.pdf,
        build_trust_context(keys.own_certificates(tmp_path)),
        catalog.standards,
    )
    detail = report.check("issuer_trusted").detail

    assert report.verdict == "valid", report.as_dict()
    assert detail["time_from"] == "timestamp"
    assert detail["signed_at"] == stamped_at.isoformat()
