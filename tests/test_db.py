"""The database layer: transactions behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from screening.db import utcnow
from screening.models import IssuerGroup


def test_a_rollback_undoes_work_done_inside_a_released_savepoint(session):
    """pysqlite commits a savepoint opened outside a transaction on RELEASE.

    The trust imports write inside savepoints; a later rollback of the
    request (an audit row that fails, a refused list) must undo them too.
    """
    session.scalar(select(IssuerGroup.id))  # a read first, as the imports do
    with session.begin_nested():
        session.add(IssuerGroup(name="CN=Rolled back", created_at=utcnow()))
    session.rollback()

    assert session.scalars(select(IssuerGroup.name)).all() == []
