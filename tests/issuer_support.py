"""Plain helpers for the storage, service and issuer CLI tests: a migrated Credstack on a given database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from credstack.app import Credstack
from credstack.services.achievements import AchievementRecord
from credstack.settings import Settings

__all__ = ["BASE_URL", "Clock", "make_app", "micro_achievement", "open_app", "unsigned_ob"]

BASE_URL = "https://creds.example.edu:8443"


class Clock:
    """A settable clock for services (time is passed in, never read from the system in these tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_app(
    database_url: str, *, secret: str = "test-master-secret-0123456789", base_url: str = BASE_URL, **kwargs: Any
) -> Credstack:
    """A Credstack on ``database_url`` with the schema migrated and a default did:key issuer."""
    settings = Settings(database_url=database_url, master_secret=secret, base_url=base_url)
    app = Credstack.from_settings(settings, **kwargs)
    app.init("Example University")
    return app


@contextmanager
def open_app(database_url: str, **kwargs: Any) -> Iterator[Credstack]:
    app = make_app(database_url, **kwargs)
    try:
        yield app
    finally:
        app.close()


def micro_achievement(app: Credstack, issuer: str | int | None = None) -> AchievementRecord:
    return app.achievements.create(
        issuer,
        name="Data Wrangling",
        description="Cleans and reshapes tabular data.",
        criteria_narrative="Complete the three data wrangling labs.",
        achievement_type="MicroCredential",
        alignments=[
            {
                "targetName": "Data wrangling",
                "targetUrl": "https://skills.example.org/data-wrangling",
                "targetType": "CFItem",
                "targetCode": "DW-1",
            }
        ],
        credits_available=1.5,
        result_descriptions=[{"name": "Grade", "resultType": "LetterGrade", "allowedValue": ["A", "B", "C"]}],
    )


def unsigned_ob(subject_id: str = "did:example:learner-1") -> dict[str, Any]:
    """An unsigned OpenBadgeCredential without issuer, as a VC-API client sends it."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Teamwork badge",
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://creds.example.edu:8443/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well in a team.",
                "criteria": {"narrative": "Contributed to a team project."},
            },
        },
    }
