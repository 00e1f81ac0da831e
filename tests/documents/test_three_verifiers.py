"""Documents in Thai, Lao and English verify with three independent verifiers."""

from __future__ import annotations

import io
import subprocess

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from screening.documents.verify import verify_document

LANGUAGES = ("th", "lo", "en")


@pytest.fixture(scope="session")
def nss_database(thai_agency, tmp_path_factory):
    """A temporary NSS database that trusts the Thai agency's certificate."""
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"],
        check=True,
        capture_output=True,
    )
    certificate = thai_agency.issuer.material.certificate
    pem = folder / "agency.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{folder}",
            "-n",
            "agency",
            "-t",
            "C,C,C",
            "-i",
            str(pem),
        ],
        check=True,
        capture_output=True,
    )
    return folder


def pdfsig_report(path, nss_database) -> str:
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_database}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_product_verifier_accepts_each_language(
    language, documents, thai_agency, standard, catalog
):
    report = verify_document(
        documents[language].pdf, thai_agency.trust(), catalog.standards
    )

    assert report.verdict == "valid", report.as_dict()
    assert [check.status for check in report.checks] == ["pass"] * 8
    assert report.document["band"] == documents[language].record["band"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pyhanko_validates_each_language_offline_with_the_agency_as_root(
    language, documents, thai_agency
):
    certificate = thai_agency.issuer.material.certificate
    root = asn1_x509.Certificate.load(
        certificate.public_bytes(serialization.Encoding.DER)
    )
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(documents[language].pdf))
    (signature,) = reader.embedded_signatures

    status = validate_pdf_signature(signature, context)

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.bottom_line


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdfsig_with_the_agency_in_an_nss_database_reports_valid_and_trusted(
    language, document_files, nss_database
):
    output = pdfsig_report(document_files[language], nss_database)

    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." in output
    assert "Total document signed" in output


def test_pdfsig_still_exits_zero_on_a_changed_document_so_its_output_is_parsed(
    document_files, nss_database, tmp_path
):
    data = bytearray(document_files["th"].read_bytes())
    position = data.index(b"stream\n") + 40
    data[position] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))

    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_database}", str(changed)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0
    assert "Signature Validation: Signature is Valid." not in result.stdout
