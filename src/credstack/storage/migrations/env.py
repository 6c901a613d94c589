"""Alembic environment for credstack: runs on the connection handed in by :mod:`credstack.storage.migrate`,
or on ``CREDSTACK_DATABASE_URL`` when invoked through the ``alembic`` command with ``storage/alembic.ini``."""

from __future__ import annotations

from alembic import context

from credstack.settings import Settings
from credstack.storage.engine import create_engine_for
from credstack.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line
    engine = create_engine_for(Settings.from_env().database_url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
