"""Alembic migrations for credstack's schema (shipped as package data, run by ``credstack.storage.migrate``)."""
