"""The audit log: one row per view or change of a screening, login or export.

Rows name the user, the action and the record ID, never what the record
says. Callers add the row to their session; it is committed with the change
it describes, so a change is never stored without its audit row.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from screening.models import AuditEvent, User

log = logging.getLogger(__name__)


def record(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    record_type: str | None = None,
    record_id: str | int | None = None,
    address: str | None = None,
    detail: str | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    """Add one audit row to the session (the caller commits)."""
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        agency_id=user.agency_id if user is not None else agency_id,
        record_type=record_type,
        record_id=str(record_id) if record_id is not None else None,
        address=address,
        detail=detail[:500] if detail else None,
    )
    session.add(event)
    log.info(
        "audit %s user=%s %s=%s",
        action,
        event.user_id,
        record_type or "record",
        event.record_id,
    )
    return event
