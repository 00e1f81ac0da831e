"""The database: engine, sessions per request, and column types shared by models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, g
from sqlalchemy import Connection, DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

EXTENSION = "screening.db"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes, stored the same way on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use screening.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for SQLite (WAL, foreign keys, waits on locks) or PostgreSQL.

    Unpooled engines close each connection when it is given back, which
    suits a command that runs once and exits.
    """
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **options
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=FULL: a committed save survives a killed process
    # and a power cut, which is what an interviewer relies on.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Connection, _name: str | None) -> None:
    # pysqlite opens a transaction only before a write. A SAVEPOINT issued
    # outside one becomes the transaction itself, and its RELEASE commits:
    # a later rollback would keep what the savepoint wrote. Savepoints here
    # guard writes, so open the transaction with the write lock first.
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask, url: str, *, pooled: bool = True) -> None:
    engine = make_engine(url, pooled=pooled)
    app.extensions[EXTENSION] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    factory: sessionmaker[Session] = app.extensions[EXTENSION]
    bound = factory.kw["bind"]
    if not isinstance(bound, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return bound


def session_factory(app: Flask) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.extensions[EXTENSION]
    return factory


def session() -> Session:
    """The session of the current application context, opened on first use."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = session_factory(current_app)()
    current: Session = g.db_session
    return current


def _close_session(_error: BaseException | None) -> None:
    current = g.pop("db_session", None)
    if current is not None:
        current.close()
