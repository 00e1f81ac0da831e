"""The agency's signing key and certificates, kept in the instance folder.

Layout of ``<instance>/keys`` (folder mode 0700, key files 0600)::

    signing-key.pem          current private key (ECDSA P-256, PKCS#8)
    signing-cert.pem         current certificate
    pending-key.pem          key waiting for a certificate from a national CA
    request.csr.pem          the certificate request sent to that CA
    chain.pem                CA certificates above the current one, if any
    certificates/<sha256>.pem  every certificate the agency has signed with

Rotation writes a new key and certificate; old certificates stay under
``certificates/`` so documents signed with them remain verifiable and the
trust bundle carries them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

log = logging.getLogger(__name__)

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
PENDING_KEY_FILE = "pending-key.pem"
CSR_FILE = "request.csr.pem"
CHAIN_FILE = "chain.pem"
HISTORY = "certificates"
COUNTRIES = ("TH", "LA", "MM", "KH", "VN", "CN")
DEFAULT_DAYS = 5 * 365
MIN_DAYS = 1
MAX_DAYS = 10 * 365  # a key is rotated long before; past this, a typo


class AgencyKeyError(Exception):
    """The agency key or certificate is missing or does not fit."""


@dataclass(frozen=True)
class AgencyIdentity:
    """Who signs: the agency's name, country (ISO 3166 alpha-2) and province."""

    name: str
    country: str
    province: str = ""

    def subject(self) -> x509.Name:
        """The X.509 subject naming the agency."""
        if self.country not in COUNTRIES:
            raise AgencyKeyError(f"country must be one of {', '.join(COUNTRIES)}")
        if not self.name.strip():
            raise AgencyKeyError("the agency needs a name")
        parts = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, self.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.name.strip()),
            x509.NameAttribute(NameOID.COMMON_NAME, self.name.strip()[:64]),
        ]
        if self.province.strip():
            parts.insert(
                1,
                x509.NameAttribute(
                    NameOID.STATE_OR_PROVINCE_NAME, self.province.strip()
                ),
            )
        return x509.Name(parts)


@dataclass(frozen=True)
class SigningMaterial:
    """The current key, its certificate and any CA certificates above it."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER form, in hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def keys_folder(instance: Path) -> Path:
    """The keys folder of an instance, created with mode 0700."""
    folder = instance / "keys"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / HISTORY).mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _signing_extensions(
    builder: x509.CertificateBuilder, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    # No extended key usage: NSS rejects documentSigning alone (PDF_NOTES).
    # The self-signed certificate is its own trust anchor, and NSS (pdfsig)
    # accepts an anchor only when it is marked as a CA that may sign
    # certificates; a path length of 0 keeps it from vouching for others.
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
    )


def self_signed_certificate(
    identity: AgencyIdentity,
    key: ec.EllipticCurvePrivateKey,
    *,
    not_before: dt.datetime,
    days: int,
) -> x509.Certificate:
    """A self-signed signing certificate for the agency."""
    subject = identity.subject()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=days))
    )
    builder = _signing_extensions(builder, key.public_key())
    return builder.sign(key, hashes.SHA256())


def _install(
    folder: Path,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
) -> None:
    _write_private(folder / KEY_FILE, _key_pem(key))
    (folder / CERT_FILE).write_bytes(_cert_pem(certificate))
    (folder / HISTORY / f"{fingerprint(certificate)}.pem").write_bytes(
        _cert_pem(certificate)
    )
    if chain:
        (folder / CHAIN_FILE).write_bytes(b"".join(_cert_pem(c) for c in chain))
    else:
        (folder / CHAIN_FILE).unlink(missing_ok=True)
    log.info("signing certificate installed: %s", fingerprint(certificate))


def create_signing_key(
    instance: Path,
    identity: AgencyIdentity,
    *,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """Create a key and self-signed certificate; an existing one is rotated.

    Raise AgencyKeyError for a validity outside MIN_DAYS..MAX_DAYS: a
    certificate that is already expired, or valid for centuries, is a typo.
    """
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise AgencyKeyError(
            f"a certificate is valid for {MIN_DAYS} to {MAX_DAYS} days, not {days}"
        )
    folder = keys_folder(instance)
    key = ec.generate_private_key(ec.SECP256R1())
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    certificate = self_signed_certificate(identity, key, not_before=start, days=days)
    _install(folder, key, certificate, [])
    return certificate


def create_certificate_request(instance: Path, identity: AgencyIdentity) -> bytes:
    """Create a pending key and a certificate request (PEM) for a national CA."""
    folder = keys_folder(instance)
    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(identity.subject())
        .sign(key, hashes.SHA256())
    )
    pem = request.public_bytes(serialization.Encoding.PEM)
    _write_private(folder / PENDING_KEY_FILE, _key_pem(key))
    (folder / CSR_FILE).write_bytes(pem)
    return pem


def import_issued_certificate(instance: Path, pem: bytes) -> x509.Certificate:
    """Install a CA-issued certificate (with its chain) for the pending key."""
    folder = keys_folder(instance)
    pending = folder / PENDING_KEY_FILE
    if not pending.exists():
        raise AgencyKeyError("no pending certificate request: create one first")
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise AgencyKeyError("not a PEM certificate file") from None
    key = serialization.load_pem_private_key(pending.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise AgencyKeyError("the pending key is not an ECDSA key")
    own = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    matching = [
        c
        for c in certificates
        if c.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        == own
    ]
    if not matching:
        raise AgencyKeyError("no certificate in the file belongs to the pending key")
    certificate = matching[0]
    chain = [c for c in certificates if c is not certificate]
    _install(folder, key, certificate, chain)
    pending.unlink()
    (folder / CSR_FILE).unlink(missing_ok=True)
    return certificate


_loaded: dict[tuple[str, int, int], SigningMaterial] = {}


def load_signing_material(instance: Path) -> SigningMaterial:
    """The current key and certificate, parsed once per process per version."""
    folder = instance / "keys"
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    try:
        stamp = (
            str(key_path),
            key_path.stat().st_mtime_ns,
            cert_path.stat().st_mtime_ns,
        )
    except FileNotFoundError:
        raise AgencyKeyError(
            "no signing key in this instance: run 'screening keys create'"
        ) from None
    cached = _loaded.get(stamp)
    if cached is not None:
        return cached
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise AgencyKeyError("the signing key is not an ECDSA key")
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    chain_path = folder / CHAIN_FILE
    chain = (
        tuple(x509.load_pem_x509_certificates(chain_path.read_bytes()))
        if chain_path.exists()
        else ()
    )
    material = SigningMaterial(key, certificate, chain)
    _loaded.clear()
    _loaded[stamp] = material
    return material


def own_certificates(instance: Path) -> list[x509.Certificate]:
    """Every certificate this agency has signed with, current and past."""
    folder = instance / "keys"
    found = [
        x509.load_pem_x509_certificate(path.read_bytes())
        for path in sorted((folder / HISTORY).glob("*.pem"))
    ]
    chain_path = folder / CHAIN_FILE
    if chain_path.exists():
        found += x509.load_pem_x509_certificates(chain_path.read_bytes())
    return found


def certificate_pem(certificate: x509.Certificate) -> bytes:
    """PEM text of a certificate."""
    return _cert_pem(certificate)
