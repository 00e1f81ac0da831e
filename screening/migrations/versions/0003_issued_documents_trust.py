"""Issued documents, trusted counterpart certificates, imported revocation lists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from screening.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "screening_id", sa.Integer(), sa.ForeignKey("screenings.id"), nullable=True
        ),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column(
            "issued_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
        sa.Column("band", sa.String(20), nullable=False),
        sa.Column("certificate_sha256", sa.String(64), nullable=False),
        sa.Column("languages", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("superseded_by", sa.String(36), nullable=True),
        sa.Column("status_at", UTCDateTime(), nullable=False),
        sa.Column(
            "status_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
        sa.Column("pdf", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_issued_documents_screening_id", "issued_documents", ["screening_id"]
    )
    op.create_table(
        "trusted_certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("not_after", UTCDateTime(), nullable=False),
        sa.Column("pem", sa.Text(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column(
            "imported_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
    )
    op.create_table(
        "revocation_lists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer_key", sa.String(32), nullable=False, unique=True),
        sa.Column("issuer_subject", sa.String(500), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column(
            "imported_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
    )


def downgrade() -> None:
    op.drop_table("revocation_lists")
    op.drop_table("trusted_certificates")
    op.drop_index("ix_issued_documents_screening_id", "issued_documents")
    op.drop_table("issued_documents")
