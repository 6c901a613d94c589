"""Run the Alembic migrations shipped in the package, programmatically (``credstack init``, ``Credstack.init_db``).

Migrations are the only way credstack creates or changes its schema; ``schema_differences`` compares a migrated
database with the ORM models (used by the tests and by ``upgrade(check=True)``).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from credstack.storage.models import Base

__all__ = ["current_revision", "head_revision", "schema_differences", "upgrade"]


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("credstack.storage").joinpath("migrations")))
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version of credstack."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database to ``revision`` (idempotent: an up-to-date database is left alone); return the revision."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def schema_differences(engine: Engine) -> list[Any]:
    """Differences between the database's schema and the ORM models (empty when they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
