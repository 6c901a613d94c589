"""Shared helper for the pathway web, API and browser tests: a database with the catalog and the demo stacks seeded
(``credstack demo seed`` minus the semantic index), for a given base URL. Seeded once per test process and base URL;
each caller gets its own copy of the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog_support import seeded_database
from credstack.app import Credstack
from credstack.cli._demo import seed_demo
from credstack.cli._demo_stacks import StackSeed, seed_stacks
from credstack.settings import Settings

__all__ = ["demo_stacks_database"]

_SEEDED: dict[str, tuple[Path, StackSeed]] = {}


def demo_stacks_database(factory: pytest.TempPathFactory, base_url: str) -> tuple[str, StackSeed]:
    """A fresh copy of a SQLite database seeded like ``credstack demo seed`` with ``base_url``; and the seed report."""
    if base_url not in _SEEDED:
        source, _ = seeded_database(factory)
        path = factory.mktemp("pathways") / "seeded.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), path)
        with Credstack.from_settings(Settings(database_url=f"sqlite:///{path}", base_url=base_url)) as cs:
            seed_demo(cs)
            _SEEDED[base_url] = (path, seed_stacks(cs))
    path, report = _SEEDED[base_url]
    copy = factory.mktemp("pathways-copy") / "credstack.db"
    shutil.copyfile(path, copy)
    return f"sqlite:///{copy}", report
