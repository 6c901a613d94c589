"""Shared set-up for the planner-over-the-database tests: one SQLite database per test process with the taxonomy
slice the planner reads, the seeded catalog, and a learner holding real, signed credentials issued from catalog
entries (an old one and a recent one), a self-declared skill and an expiring credential. The clock is fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credstack.app import Credstack
from credstack.settings import Settings

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEARNER = "ada@example.org"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SLICE = (
    "skill_groups",
    "skills",
    "skill_broader",
    "occupations",
    "occupation_skills",
    "onet_occupations",
    "onet_alternate_titles",
    "onet_technology_skills",
)
#: catalog entry -> (earned, valid for days from NOW, or None: ten years from NOW, since a catalog entry's validity
#: period would otherwise end the seven-year-old credential before NOW)
HOLDINGS: dict[str, tuple[datetime, int | None]] = {
    "demo-00-00-f": (datetime(2019, 3, 1, tzinfo=UTC), None),  # seven years old: aged
    "demo-00-02-f": (datetime(2026, 3, 1, tzinfo=UTC), None),  # recent
    "demo-00-03-f": (datetime(2025, 9, 1, tzinfo=UTC), 60),  # expires within the quarter
}

#: A stack over two demo credentials the software developer plan takes.
PATHWAY = {
    "type": "Qualification",
    "id": "dev-cert",
    "name": "Developer certificate",
    "credits": 6,
    "requirement": {
        "type": "all-of",
        "requirements": [
            {"type": "achievement", "achievementId": "demo-00-04-a"},
            {"type": "achievement", "achievementId": "demo-00-06-a"},
        ],
    },
}

_BUILT: dict[str, str] = {}


def open_planning_app(url: str) -> Credstack:
    return Credstack.from_settings(Settings(database_url=url), clock=lambda: NOW)


def planning_database(factory: pytest.TempPathFactory) -> str:
    """The URL of the shared database (built once per test process)."""
    if "url" not in _BUILT:
        path: Path = factory.mktemp("planning") / "credstack.db"
        url = f"sqlite:///{path}"
        with open_planning_app(url) as cs:
            cs.init()
            cs.taxonomy.load(only=SLICE)
            cs.catalog.seed()
            for entry_id, (earned, days) in HOLDINGS.items():
                record = cs.catalog.publish(entry_id)
                until = NOW + timedelta(days=3650 if days is None else days)
                cs.issuing.issue(record.id, recipient=LEARNER, valid_from=earned, valid_until=until)
            cs.planner.declare_skill(LEARNER, PYTHON, 2, note="five years of scripts at work")
            cs.pathways.create(PATHWAY)
        _BUILT["url"] = url
    return _BUILT["url"]


def plan_json(cs: Credstack, **kwargs: Any) -> dict[str, Any]:
    args = {"hours_per_week": 10.0, **kwargs}
    learner = args.pop("learner", LEARNER)
    target = args.pop("target", SOFTWARE_DEVELOPER)
    data: dict[str, Any] = cs.planner.plan(learner, target, **args).to_json()
    return data
