"""A certificate no longer trusted is remembered, not deleted.

Removing a counterpart's certificate used to delete it, and with the last
certificate of an agency its group and revocation list. Trusting the same
certificate again then formed a new agency with no list, so a document the
agency had revoked verified as genuine. Now a removed certificate keeps its
row, marked with the time it was removed: it vouches for nothing, the list
it signed counts for nothing, and importing it again brings back its
agency and its list.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from screening.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trusted_certificates") as batch:
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    certificates = sa.table("trusted_certificates", sa.column("removed_at"))
    op.execute(certificates.delete().where(certificates.c.removed_at.is_not(None)))
    with op.batch_alter_table("trusted_certificates") as batch:
        batch.drop_column("removed_at")
