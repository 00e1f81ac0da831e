"""Issuer groups: trust and revocation lists bind to the agency, not to a name.

Until now an imported revocation list was kept per certificate subject, so a
second trusted agency with a certificate of the same name could replace the
first one's list or revoke its documents. Now every trusted certificate
belongs to the issuer group its trust bundle formed, and a list belongs to
the group of the certificate that signed it.

Certificates imported before this revision came without a record of their
bundles; they are grouped as the earlier version treated them, by subject,
and a kept list goes to the group of its signer (a list whose signer is no
longer trusted is dropped: it counted for no trusted document). The
administrators' trust screen shows each group with its fingerprints.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from screening.db import UTCDateTime, utcnow

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _signer(content: str) -> x509.Certificate | None:
    """The certificate a kept list carries, or None when it cannot be read."""
    try:
        pem = json.loads(content)["signature"]["certificate"]
        return x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def upgrade() -> None:
    op.create_table(
        "issuer_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column(
            "created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
    )
    with op.batch_alter_table("trusted_certificates") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("revocation_lists") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signer_sha256", sa.String(64), nullable=True))

    _group_existing_certificates()
    _attach_existing_lists()

    with op.batch_alter_table("trusted_certificates") as batch:
        batch.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_trusted_certificates_group_id", "issuer_groups", ["group_id"], ["id"]
        )
        batch.create_index("ix_trusted_certificates_group_id", ["group_id"])
    with op.batch_alter_table("revocation_lists") as batch:
        batch.drop_column("issuer_key")
        batch.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("signer_sha256", existing_type=sa.String(64), nullable=False)
        batch.create_foreign_key(
            "fk_revocation_lists_group_id", "issuer_groups", ["group_id"], ["id"]
        )
        batch.create_unique_constraint("uq_revocation_lists_group_id", ["group_id"])


def _group_existing_certificates() -> None:
    connection = op.get_bind()
    certificates = sa.table(
        "trusted_certificates",
        sa.column("id", sa.Integer()),
        sa.column("subject", sa.String()),
        sa.column("group_id", sa.Integer()),
    )
    groups = sa.table(
        "issuer_groups",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("created_at", UTCDateTime()),
    )
    subjects = connection.execute(
        sa.select(certificates.c.subject).distinct().order_by(certificates.c.subject)
    ).scalars()
    for subject in list(subjects):
        group_id = connection.execute(
            groups.insert()
            .values(name=subject, created_at=utcnow())
            .returning(groups.c.id)
        ).scalar_one()
        connection.execute(
            certificates.update()
            .where(certificates.c.subject == subject)
            .values(group_id=group_id)
        )


def _attach_existing_lists() -> None:
    connection = op.get_bind()
    lists = sa.table(
        "revocation_lists",
        sa.column("id", sa.Integer()),
        sa.column("content", sa.Text()),
        sa.column("group_id", sa.Integer()),
        sa.column("signer_sha256", sa.String()),
    )
    certificates = sa.table(
        "trusted_certificates",
        sa.column("sha256", sa.String()),
        sa.column("group_id", sa.Integer()),
    )
    rows = connection.execute(sa.select(lists.c.id, lists.c.content)).all()
    for list_id, content in rows:
        signer = _signer(content)
        sha256 = signer.fingerprint(hashes.SHA256()).hex() if signer else None
        group_id = connection.execute(
            sa.select(certificates.c.group_id).where(certificates.c.sha256 == sha256)
        ).scalar()
        if group_id is None:
            connection.execute(lists.delete().where(lists.c.id == list_id))
            continue
        connection.execute(
            lists.update()
            .where(lists.c.id == list_id)
            .values(group_id=group_id, signer_sha256=sha256)
        )


def downgrade() -> None:
    with op.batch_alter_table("revocation_lists") as batch:
        batch.add_column(sa.Column("issuer_key", sa.String(32), nullable=True))
    _key_lists_by_subject()
    with op.batch_alter_table("revocation_lists") as batch:
        batch.drop_constraint("uq_revocation_lists_group_id", type_="unique")
        batch.drop_constraint("fk_revocation_lists_group_id", type_="foreignkey")
        batch.drop_column("group_id")
        batch.drop_column("signer_sha256")
        batch.alter_column("issuer_key", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("uq_revocation_lists_issuer_key", ["issuer_key"])
    with op.batch_alter_table("trusted_certificates") as batch:
        batch.drop_index("ix_trusted_certificates_group_id")
        batch.drop_constraint("fk_trusted_certificates_group_id", type_="foreignkey")
        batch.drop_column("group_id")
    op.drop_table("issuer_groups")


def _key_lists_by_subject() -> None:
    """Back to one list per subject: the highest-numbered list of each wins."""
    connection = op.get_bind()
    lists = sa.table(
        "revocation_lists",
        sa.column("id", sa.Integer()),
        sa.column("content", sa.Text()),
        sa.column("sequence", sa.Integer()),
        sa.column("issuer_key", sa.String()),
    )
    rows = connection.execute(
        sa.select(lists.c.id, lists.c.content).order_by(lists.c.sequence.desc())
    ).all()
    seen: set[str] = set()
    for list_id, content in rows:
        signer = _signer(content)
        key = (
            hashlib.sha256(signer.subject.public_bytes()).hexdigest()[:32]
            if signer
            else f"unreadable-{list_id}"
        )
        if key in seen:
            connection.execute(lists.delete().where(lists.c.id == list_id))
            continue
        seen.add(key)
        connection.execute(
            lists.update().where(lists.c.id == list_id).values(issuer_key=key)
        )
