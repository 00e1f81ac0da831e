"""Database models. Personal data (answers) is stored encrypted, never in clear."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from screening.db import Base, UTCDateTime, utcnow

ROLES = (
    "interviewer",
    "supervisor",
    "verifier",
    "trainer",
    "coordinator",
    "administrator",
)
COUNTRIES = ("TH", "LA")


class Agency(Base):
    """A screening agency; exactly one row is the instance's own agency."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    province: Mapped[str] = mapped_column(String(100))
    is_own: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing it ends every session of the user (see the login cookie id).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role {sorted(unknown)[0]!r}")
        self.role_rows = [UserRole(role=role) for role in ROLES if role in roles]

    # Flask-Login reads these four.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginAttempt(Base):
    """One failed or successful login, kept briefly for rate limiting.

    The account is stored as a keyed hash so that a mistyped password in the
    user name field is not kept in clear.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account_key", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """Who did what to which record, and when. Never holds personal data."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))


class QuestionnaireVersion(Base):
    """A published questionnaire version, kept so past screenings stay readable.

    The canonical JSON is the exact content the digest was taken of; the
    questionnaire is rebuilt from it, not from the files on disk.
    """

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(80), unique=True)
    standard: Mapped[str] = mapped_column(String(60))
    # Read only when a version is first rebuilt in a process, not per request.
    canonical: Mapped[str] = mapped_column(Text, deferred=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.questionnaire_id}@{self.version}"


STATUSES = ("in_progress", "stopped", "completed")


class Screening(Base):
    """One interview with one person. Its answers are encrypted rows of Answer."""

    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_agency_status", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id")
    )
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    interview_language: Mapped[str] = mapped_column(String(8))
    respondent_language: Mapped[str | None] = mapped_column(String(8))
    current_section: Mapped[str | None] = mapped_column(String(100))
    band: Mapped[str | None] = mapped_column(String(20))
    profile: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")
    interviewer: Mapped[User] = relationship()
    agency: Mapped[Agency] = relationship()


class Answer(Base):
    """The latest saved answer to one question, encrypted."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("screening_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


DOCUMENT_STATUSES = ("valid", "revoked", "superseded")


class IssuedDocument(Base):
    """A result document this agency signed, and whether it still stands.

    The row itself holds no personal data: the band, who issued it and a link
    to the screening (none for a document issued from an answers file). The
    signed PDF, which may name the person, is kept encrypted for download.
    Revoked and superseded rows make up our signed revocation list.
    """

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), unique=True)
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("screenings.id"), index=True
    )
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    band: Mapped[str] = mapped_column(String(20))
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    languages: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="valid")
    reason: Mapped[str | None] = mapped_column(String(500))
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    status_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Fernet token of the signed PDF; read only when it is downloaded.
    pdf: Mapped[str | None] = mapped_column(Text, deferred=True)

    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    screening: Mapped[Screening | None] = relationship()

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class IssuerGroup(Base):
    """A counterpart agency as an administrator established it, by its bundles.

    The certificates of one trust bundle form a group; a later bundle that
    holds a certificate of the group (the agency rotated its key) joins it.
    The group, not the names its certificates carry, is what a revocation
    list binds to: a list counts only for documents signed within its group.
    ``name`` is the subject of the bundle's first certificate, for people.
    """

    __tablename__ = "issuer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TrustedCertificate(Base):
    """A counterpart agency's certificate, imported from its trust bundle."""

    __tablename__ = "trusted_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("issuer_groups.id"), index=True)
    subject: Mapped[str] = mapped_column(String(500))
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    pem: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when an administrator stopped trusting it: the row stays, so that
    # trusting it again brings back its agency and that agency's list.
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[IssuerGroup] = relationship()


class ImportedRevocationList(Base):
    """The newest signed revocation list of one issuer group, as received."""

    __tablename__ = "revocation_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("issuer_groups.id"), unique=True)
    signer_sha256: Mapped[str] = mapped_column(String(64))
    issuer_subject: Mapped[str] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(Integer)
    entry_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    group: Mapped[IssuerGroup] = relationship()
