"""A configured time stamping authority timestamps the signature."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from screening.documents import keys
from screening.documents.issue import Issuer
from screening.documents.signing import TimestampUnavailableError
from screening.documents.trust import build_trust_context
from screening.documents.verify import verify_document
from screening.models import IssuedDocument

from .conftest import EXAMPLES, THAI_AGENCY, Instance, load_answers, self_signed


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


@pytest.mark.parametrize("years_ago", [0, 30])
def test_a_timestamp_from_an_authority_nobody_trusts_does_not_set_the_time(
    tmp_path, score, standard, catalog, years_ago
):
    """Its time is not used: 30 years back would put the signature before the
    certificate, and a genuine document would fail."""
    keys.create_signing_key(tmp_path, THAI_AGENCY)
    stamped_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(
        minutes=3, days=365 * years_ago
    )
    issuer = Issuer(
        THAI_AGENCY,
        keys.load_signing_material(tmp_path),
        timestamper=test_time_stamping_authority(stamped_at),
    )
    document = issuer.issue(score(load_answers("en-factory.json")), standard)

    report = verify_document(
        document.pdf,
        build_trust_context(keys.own_certificates(tmp_path)),
        catalog.standards,
    )
    detail = report.check("issuer_trusted").detail

    assert has_timestamp(document.pdf)
    assert report.verdict == "valid", report.as_dict()
    assert detail["time_from"] == "signer"
    assert detail["signed_at"] != stamped_at.isoformat()


def has_timestamp(pdf: bytes) -> bool:
    """Does the document's signature carry a timestamp token?"""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return any(True for _ in extract_tst_data_iter(signature.signer_info, signed=False))


class TimeStampingServer(http.server.ThreadingHTTPServer):
    """An RFC 3161 server on a local port, answering with pyHanko's test TSA."""

    def __init__(self, moment: dt.datetime, *, malformed: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _TimeStampRequest)
        self.authority = test_time_stamping_authority(moment)
        self.malformed = malformed
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/tsa"


class _TimeStampRequest(http.server.BaseHTTPRequestHandler):
    server: TimeStampingServer

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        request = tsp.TimeStampReq.load(self.rfile.read(length))
        body = self.server.authority.request_tsa_response(request).dump()
        if self.server.malformed:
            body = b"\x30\x03\x02\x01\x00"  # "granted", and no token
        self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments) -> None:
        pass


@pytest.fixture
def stamped_at() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=2)


def serving(server: TimeStampingServer) -> Iterator[TimeStampingServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def time_stamping_server(stamped_at) -> Iterator[TimeStampingServer]:
    yield from serving(TimeStampingServer(stamped_at))


@pytest.fixture
def server_down() -> str:
    """The URL of a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


@pytest.fixture(params=["down", "malformed answer"])
def server_failing(request, stamped_at, server_down) -> Iterator[str]:
    if request.param == "down":
        yield server_down
        return
    for server in serving(TimeStampingServer(stamped_at, malformed=True)):
        yield server.url


def test_a_configured_timestamp_url_is_asked_for_the_timestamp(
    tmp_path, score, standard, catalog, time_stamping_server, stamped_at
):
    keys.create_signing_key(tmp_path, THAI_AGENCY)
    issuer = Issuer(
        THAI_AGENCY,
        keys.load_signing_material(tmp_path),
        timestamp_url=time_stamping_server.url,
    )

    document = issuer.issue(score(load_answers("en-factory.json")), standard)
    report = verify_document(
        document.pdf,
        build_trust_context(keys.own_certificates(tmp_path)),
        catalog.standards,
    )

    assert time_stamping_server.requests >= 1
    assert report.verdict == "valid", report.as_dict()
    assert has_timestamp(document.pdf)


def test_a_time_stamping_server_that_fails_stops_the_signing(
    tmp_path, score, standard, server_failing
):
    keys.create_signing_key(tmp_path, THAI_AGENCY)
    issuer = Issuer(
        THAI_AGENCY, keys.load_signing_material(tmp_path), timestamp_url=server_failing
    )

    with pytest.raises(TimestampUnavailableError, match="no timestamp"):
        issuer.issue(score(load_answers("en-factory.json")), standard)


def issue_with_timestamp_url(instance: Instance, url: str, output):
    from click.testing import CliRunner

    from screening.cli import cli

    return CliRunner().invoke(
        cli,
        ["issue", str(EXAMPLES / "en-factory.json"), "-o", str(output)],
        env={**instance.environment, "SCREENING_TIMESTAMP_URL": url},
    )


def test_screening_issue_uses_the_timestamp_url_of_the_settings(
    thai_instance, time_stamping_server, tmp_path
):
    output = tmp_path / "stamped.pdf"

    issued = issue_with_timestamp_url(thai_instance, time_stamping_server.url, output)
    verified = thai_instance.run("verify", output)

    assert issued.exit_code == 0, issued.output
    assert time_stamping_server.requests >= 1
    issuer_check = next(
        check
        for check in json.loads(verified.stdout)["checks"]
        if check["check"] == "issuer_trusted"
    )
    assert issuer_check["detail"]["time_from"] == "signer"
    assert has_timestamp(output.read_bytes())


def test_screening_issue_with_the_time_stamping_server_down_issues_nothing(
    thai_instance, server_down, tmp_path
):
    output = tmp_path / "never.pdf"
    with thai_instance.session() as session:
        before = session.query(IssuedDocument).count()

    issued = issue_with_timestamp_url(thai_instance, server_down, output)

    assert issued.exit_code == 1
    assert "time-stamping server gave no timestamp" in issued.output
    assert "SCREENING_TIMESTAMP_URL" in issued.output
    assert "Traceback" not in issued.output
    assert not output.exists()
    with thai_instance.session() as session:
        assert session.query(IssuedDocument).count() == before
