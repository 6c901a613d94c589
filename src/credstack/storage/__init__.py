"""Persistence: SQLAlchemy 2 models, the engine factory, Alembic migrations and shared queries.

- ``engine``: :func:`create_engine_for` (SQLite with WAL, foreign keys, busy timeout and ``BEGIN IMMEDIATE`` writes;
  PostgreSQL through psycopg 3) and :class:`Database` (``read()`` / ``write()`` session scopes).
- ``models``: the tables. ORM objects never leave ``storage`` and ``services``.
- ``migrations/`` + ``migrate``: the schema is created and changed only by the shipped Alembic revisions
  (``credstack init``); ``schema_differences`` checks a database against the models.
- ``repositories``: queries several services share (the audit log's events, status-list allocation).
"""
