"""Storage: engine settings, migrations == models on SQLite and PostgreSQL, timestamps, keys encrypted at rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from credstack.app import Credstack
from credstack.errors import ConfigurationError, KeyMaterialError
from credstack.services.keystore import KeyStore
from credstack.settings import Settings
from credstack.storage.engine import Database, create_engine_for
from credstack.storage.migrate import _config, current_revision, head_revision, schema_differences, upgrade
from credstack.storage.models import Base, IssuerKey
from issuer_support import make_app


def test_migrations_build_the_schema_of_the_models(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision()
        assert schema_differences(engine) == []
        tables = set(sa.inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert upgrade(engine) == head_revision()  # idempotent
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_schema_differences_notices_drift(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_credentials_issued_at")
        assert any("ix_credentials_issued_at" in repr(d) for d in schema_differences(engine))
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    db = Database.from_url(sqlite_url)
    try:
        with db.read() as session:
            assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30_000
            assert session.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        db.dispose()


def test_sqlite_file_directory_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'cs.db'}"
    engine = create_engine_for(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert (tmp_path / "nested" / "dir" / "cs.db").exists()


def test_an_in_memory_database_works_end_to_end() -> None:
    with make_app("sqlite://") as app:
        issued = app.issuing.issue_credential(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:1"},
            }
        )
        assert app.issuing.get(issued.id).credential["proof"]["type"] == "DataIntegrityProof"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/cs", "unsupported database"),
        ("postgresql+psycopg2://postgres@localhost/cs", "postgresql\\+psycopg"),
        ("not a url", "not a database URL"),
    ],
)
def test_unsupported_database_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        create_engine_for(url)


def test_write_rolls_back_everything_on_error(database_url: str) -> None:
    with make_app(database_url) as app:
        before = len(app.issuers.list())
        with pytest.raises(RuntimeError), app.db.write() as session:
            session.execute(sa.text("UPDATE issuers SET name = 'changed'"))
            raise RuntimeError("boom")
        assert [i.name for i in app.issuers.list()] == ["Example University"] * before


def test_timestamps_come_back_timezone_aware_in_utc(database_url: str) -> None:
    with make_app(database_url, clock=lambda: datetime(2026, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))) as app:
        issuer = app.issuers.default()
        assert issuer.created_at == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
        assert issuer.created_at.utcoffset() == timedelta(0)


def test_private_keys_are_encrypted_at_rest_and_need_the_right_secret(database_url: str) -> None:
    with make_app(database_url, secret="the-right-secret-123456") as app:
        issuer = app.issuers.default()
        seed = app.issuers.signing_key(issuer.slug).key.seed
        with app.db.read() as session:
            blobs = [bytes(row.encrypted_private_key) for row in session.scalars(sa.select(IssuerKey))]
        assert len(blobs) == 1
        assert seed not in blobs[0] and seed.hex().encode() not in blobs[0]
    wrong = Credstack.from_settings(
        Settings(database_url=database_url, master_secret="a-wrong-secret-1234567", base_url="https://x.example")
    )
    with wrong, pytest.raises(ConfigurationError, match="CREDSTACK_MASTER_SECRET is not the secret"):
        wrong.issuers.signing_key(issuer.slug)


def test_keystore_round_trip_binding_and_format() -> None:
    store = KeyStore("secret-one-0123456789")
    seed = bytes(range(32))
    sealed = store.seal(seed, public_multibase="z6MkA")
    assert sealed.startswith(b"cs1") and len(sealed) == 3 + 16 + 12 + 32 + 16
    assert store.open(sealed, public_multibase="z6MkA") == seed
    assert store.seal(seed, public_multibase="z6MkA") != sealed  # fresh salt and nonce each time
    with pytest.raises(ConfigurationError):
        store.open(sealed, public_multibase="z6MkB")  # moved to another key's row
    with pytest.raises(ConfigurationError, match="not the secret"):
        KeyStore("secret-two-0123456789").open(sealed, public_multibase="z6MkA")
    with pytest.raises(KeyMaterialError, match="sealed format"):
        store.open(b"plaintext", public_multibase="z6MkA")
    with pytest.raises(ConfigurationError, match="must not be empty"):
        KeyStore("")


def test_migration_0010_moves_the_old_audit_log_into_the_one_audit_log(database_url: str) -> None:
    """Since 0007 both logs were written: 0010 copies what only ``audit_log`` held (with the new action names,
    subjects and organisations), not what ``audit_events`` already has, and drops ``audit_log``."""
    engine = create_engine_for(database_url)
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    try:
        assert upgrade(engine, "0009_catalog_search") == "0009_catalog_search"
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO issuers (id, slug, name, did, method, former_dids, is_default, created_at) "
                    "VALUES (7, 'uni', 'Uni', 'did:key:z6Mkuni', 'key', '[]', true, :at)"
                ),
                {"at": at},
            )
            conn.execute(
                sa.text("INSERT INTO account_orgs (id, name, issuer_id, created_at) VALUES ('uni', 'Uni', 7, :at)"),
                {"at": at},
            )
            old_log = [
                ("issue", "c1", 7, {"id": "https://x/credentials/c1"}, 0),
                ("revoke", "c1", 7, {"from": "active"}, 60),
                ("issuer.create", None, 7, {"did": "did:key:z6Mkuni"}, 0),
                ("trust_issuer", None, None, {"org": "acme", "domain": "example.edu"}, 5),
                ("rank_candidates", None, None, {"org": "acme", "job": "j1", "candidates": 3}, 9),
            ]
            for action, credential, issuer, detail, minutes in old_log:
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_log (at, action, credential_id, issuer_id, detail) "
                        "VALUES (:at, :action, :credential, :issuer, :detail)"
                    ),
                    {
                        "at": at + timedelta(minutes=minutes),
                        "action": action,
                        "credential": credential,
                        "issuer": issuer,
                        "detail": json.dumps(detail),
                    },
                )
            # the newer log already holds the issue (written just after the commit) and the ranking (its old name)
            for action, subject, org, seconds in (
                ("credential.issued", "c1", "uni", 1),
                ("rank_candidates", "j1", "acme", 540),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_events (at, actor, action, subject, org_id, detail) "
                        "VALUES (:at, 'system', :action, :subject, :org, '{}')"
                    ),
                    {"at": at + timedelta(seconds=seconds), "action": action, "subject": subject, "org": org},
                )
        assert upgrade(engine) == head_revision()
        assert schema_differences(engine) == []
        assert "audit_log" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT action, subject, org_id FROM audit_events ORDER BY at, id")).all()
        assert sorted((a, s, o) for a, s, o in rows) == sorted(
            [
                ("credential.issued", "c1", "uni"),  # once, not twice
                ("issuer.created", "uni", "uni"),
                ("issuer.trusted", "example.edu", "acme"),
                ("candidates.ranked", "j1", "acme"),  # renamed, once
                ("credential.revoked", "c1", "uni"),  # only the old log had it
            ]
        )
        config = _config()  # and back: audit_log holds its lines again
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0009_catalog_search")
        with engine.connect() as conn:
            lines = conn.execute(sa.text("SELECT action, credential_id FROM audit_log ORDER BY at, id")).all()
        assert [tuple(line) for line in lines] == [
            ("issuer.create", None),
            ("issue", "c1"),
            ("trust_issuer", None),
            ("rank_candidates", None),
            ("revoke", "c1"),
        ]
    finally:
        engine.dispose()
