"""Engine factory and session scopes for SQLite (default) and PostgreSQL.

SQLite: WAL journal, ``synchronous=FULL`` (a committed credential survives a power cut, not only a crash), foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions (so two writers queue on the lock instead of
failing with "database is locked" after reading a stale snapshot).
PostgreSQL: ``postgresql+psycopg://`` URLs; write paths lock the rows they change with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from credstack.errors import ConfigurationError

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "Database", "create_engine_for"]

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event below emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def create_engine_for(url: str) -> Engine:
    """An Engine for ``url``: ``sqlite:///path`` or ``postgresql+psycopg://...``. Anything else is refused."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"CREDSTACK_DATABASE_URL is not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        in_memory = not parsed.database or parsed.database == ":memory:"
        if not in_memory:
            Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            # an in-memory database exists once per connection: share one (for quick experiments and tests)
            **({"poolclass": StaticPool} if in_memory else {}),
        )
        _sqlite_events(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ConfigurationError("use a postgresql+psycopg:// URL for PostgreSQL (psycopg 3)")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


class Database:
    """The engine and two session scopes: :meth:`read` (plain) and :meth:`write` (commits, or rolls back on error)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        write_engine = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine_for(url))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; anything it wrote is rolled back."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends normally, rolled back entirely on any exception."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
