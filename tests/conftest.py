"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable and always in CI), the shared
folder's reference tools, and paths to the published vectors (copied unchanged under tests/fixtures)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VECTORS = FIXTURES / "vectors"
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get("CREDSTACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def crosscheck_path() -> Path:
    """The independent reference verifier; skipped off-CI when ../shared is absent, required in CI."""
    path = SHARED / "tools" / "crosscheck" / "crosscheck"
    if not path.exists() or shutil.which("node") is None:
        if IN_CI:
            pytest.fail(f"crosscheck is required in CI but {path} (or node) is missing")
        pytest.skip(f"../shared/tools/crosscheck is not present at {path}")
    return path


@pytest.fixture
def crosscheck() -> Path:
    return crosscheck_path()


def _postgres_url() -> str:
    """Create a throwaway PostgreSQL database and return its URL, or skip (fail in CI)."""
    try:
        import sqlalchemy as sa

        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"credstack_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str) -> None:
    import sqlalchemy as sa

    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'credstack.db'}"
        return
    url = _postgres_url()
    try:
        yield url
    finally:
        _drop_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'credstack.db'}"
