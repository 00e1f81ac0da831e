"""Published questionnaire versions, screenings and their encrypted answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from screening.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("questionnaire_id", sa.String(100), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False, unique=True),
        sa.Column("standard", sa.String(60), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("questionnaire_id", "version"),
    )
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column(
            "agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False
        ),
        sa.Column(
            "interviewer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False
        ),
        sa.Column(
            "questionnaire_version_id",
            sa.Integer(),
            sa.ForeignKey("questionnaire_versions.id"),
            nullable=False,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("interview_language", sa.String(8), nullable=False),
        sa.Column("respondent_language", sa.String(8), nullable=True),
        sa.Column("current_section", sa.String(100), nullable=True),
        sa.Column("band", sa.String(20), nullable=True),
        sa.Column("profile", sa.String(10), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_screenings_interviewer_id", "screenings", ["interviewer_id"])
    op.create_index(
        "ix_screenings_agency_status", "screenings", ["agency_id", "status"]
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "screening_id",
            sa.Integer(),
            sa.ForeignKey("screenings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.Column(
            "saved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True
        ),
        sa.UniqueConstraint("screening_id", "question_id"),
    )


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_table("screenings")
    op.drop_table("questionnaire_versions")
