"""PAdES signatures with pyHanko, using the agency key parsed once per process."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import textwrap
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from screening.config import LOCAL_TIME
from screening.documents.keys import SigningMaterial
from screening.documents.render import PACKAGE_FOLDER, signature_box_points

log = logging.getLogger(__name__)

FIELD_NAME = "AgencySignature"
STAMP_FONT = PACKAGE_FOLDER / "fonts" / "Stamp-Regular.ttf"
TIMESTAMP_TIMEOUT_SECONDS = 5


@functools.cache
def _stamp_code_points() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(STAMP_FONT, lazy=True) as font:
        return frozenset(font.getBestCmap())


def undrawable_in_stamp(text: str) -> str:
    """The characters of ``text`` the signature box cannot draw, each once."""
    drawable = _stamp_code_points()
    return "".join(dict.fromkeys(c for c in text if ord(c) not in drawable))


class TimestampUnavailableError(Exception):
    """The configured time-stamping server gave no timestamp, so nothing was signed.

    An agency that configured a server wants every document timestamped;
    a document silently signed without one would verify on the signer's own
    word about the time, so signing stops instead.
    """


def _time_stamper(url: str) -> Any:
    """pyHanko's HTTP client, with a malformed answer reported like a lost one."""
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    class CheckedTimeStamper(HTTPTimeStamper):
        async def async_timestamp(
            self, message_digest: bytes, md_algorithm: str
        ) -> Any:
            try:
                return await super().async_timestamp(message_digest, md_algorithm)
            except TimestampRequestError:
                raise
            except Exception as error:  # whatever the server sent: no timestamp
                raise TimestampRequestError("a malformed answer") from error

        async def async_dummy_response(self, md_algorithm: str) -> Any:
            try:
                return await super().async_dummy_response(md_algorithm)
            except TimestampRequestError:
                raise
            except Exception as error:
                raise TimestampRequestError("a malformed answer") from error

    return CheckedTimeStamper(url, timeout=TIMESTAMP_TIMEOUT_SECONDS)


def _signer_class() -> type:
    from pyhanko.sign.signers import SimpleSigner

    class AgencySigner(SimpleSigner):
        """SimpleSigner that reuses one parsed ECDSA key instead of re-reading it."""

        def __init__(self, material: SigningMaterial, **kwargs: Any) -> None:
            self._key = material.private_key
            super().__init__(**kwargs)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from pyhanko.sign.general import get_pyca_cryptography_hash

            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            signature: bytes = self._key.sign(data, ec.ECDSA(hash_algorithm))
            return signature

    return AgencySigner


@dataclass
class DocumentSigner:
    """Signs PDFs for one agency; build it once and reuse it."""

    material: SigningMaterial
    timestamp_url: str | None = None
    timestamper: Any = None  # a pyHanko TimeStamper; tests inject one instead of a URL

    def __post_init__(self) -> None:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.sign import fields, signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.stamp import TextStampStyle
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = serialization.Encoding.DER
        certificate = asn1_x509.Certificate.load(
            self.material.certificate.public_bytes(der)
        )
        chain = [
            asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.material.chain
        ]
        key_info = asn1_keys.PrivateKeyInfo.load(
            self.material.private_key.private_bytes(
                der,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self._signer = _signer_class()(
            self.material,
            signing_cert=certificate,
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )
        self._metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
        )
        self._field = fields.SigFieldSpec(
            sig_field_name=FIELD_NAME, on_page=0, box=signature_box_points()
        )
        self._style = TextStampStyle(
            stamp_text="%(agency)s\n%(country)s\n%(moment)s",
            text_box_style=TextBoxStyle(
                font=GlyphAccumulatorFactory(str(STAMP_FONT), font_size=7)
            ),
            border_width=0,
            background=None,
        )
        if self.timestamper is None and self.timestamp_url:
            self.timestamper = _time_stamper(self.timestamp_url)
        subject = self.material.certificate.subject
        from cryptography.x509.oid import NameOID

        def first(oid: Any) -> str:
            found = subject.get_attributes_for_oid(oid)
            return str(found[0].value) if found else ""

        self._stamp_params = {
            "agency": "\n".join(
                textwrap.wrap(first(NameOID.ORGANIZATION_NAME), 34)[:3]
            ),
            "country": ", ".join(
                part
                for part in (
                    first(NameOID.STATE_OR_PROVINCE_NAME),
                    first(NameOID.COUNTRY_NAME),
                )
                if part
            ),
        }

    def sign(self, pdf: bytes, moment: dt.datetime | None = None) -> bytes:
        """Sign a PDF with a visible box on page 1; return the signed bytes.

        The box shows ``moment`` (the issue time; default now) in Thailand and
        Lao PDR time, as the screens do, whatever the server's own time zone.

        Raise TimestampUnavailableError when a time-stamping server is configured
        and gives no timestamp.
        """
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.timestamps import TimestampRequestError

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        pdf_signer = signers.PdfSigner(
            self._metadata,
            signer=self._signer,
            timestamper=self.timestamper,
            stamp_style=self._style,
            new_field_spec=self._field,
        )
        output = io.BytesIO()
        local = (moment or dt.datetime.now(dt.UTC)).astimezone(LOCAL_TIME)
        shown = {
            **self._stamp_params,
            "moment": local.strftime("%Y-%m-%d %H:%M (UTC+7)"),
        }
        try:
            pdf_signer.sign_pdf(writer, output=output, appearance_text_params=shown)
        except TimestampRequestError as error:
            cause = type(error.__cause__ or error).__name__
            log.warning("the time-stamping server gave no timestamp (%s)", cause)
            raise TimestampUnavailableError(
                f"the time-stamping server gave no timestamp ({cause})"
            ) from error
        return output.getvalue()
