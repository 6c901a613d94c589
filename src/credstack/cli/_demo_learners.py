"""The demo learners of ``credstack demo seed``: credentials issued (idempotently) so that the stacks show every
state: awards (nested, credit-bearing, through an articulation rule), partial progress, credentials that do not count
(too old, expired, suspended) and an award flagged for review after one of its components was revoked. All people
are fictional; every address is at example.org."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credstack.app import Credstack
    from credstack.cli._demo_stacks import Track

__all__ = ["DEMO_LEARNERS", "issue_learners"]

#: (address, name, what the demo shows with them)
DEMO_LEARNERS = (
    ("maya.okafor@example.org", "Maya Okafor", "Data analyst certificate awarded (nested stack), SQL part way"),
    ("jonas.weber@example.org", "Jonas Weber", "SQL and databases awarded through a partner credential"),
    ("priya.raman@example.org", "Priya Raman", "15 ECTS toward the BSc Applied Data Science (fictional) awarded"),
    ("lucas.silva@example.org", "Lucas Silva", "Software developer essentials half way"),
    ("amara.nwosu@example.org", "Amara Nwosu", "Electrician units awarded, then a unit revoked: under review"),
    ("sofia.rossi@example.org", "Sofia Rossi", "Electrician units part way (one too old); a suspended unit"),
    ("tom.baker@example.org", "Tom Baker", "Finance office stack part way: an expired unit does not count"),
)


def issue_learners(
    cs: Credstack, tracks: dict[str, Track], published: dict[str, Any], partner_sql: Any
) -> tuple[tuple[tuple[str, str], ...], int]:
    """Issue the demo learners' credentials; returns ((learner, what it shows), ...) and how many were issued."""
    now = cs.clock()
    names = {address: name for address, name, _ in DEMO_LEARNERS}
    issued = 0

    def give(
        learner: str,
        entry_id: str,
        days_ago: float,
        *,
        result: str | None = None,
        valid_for_days: float | None = None,
        state: str = "active",
    ) -> Any:
        nonlocal issued
        record = published[entry_id]
        results = []
        if result is not None:
            description = record.definition["resultDescription"][0]
            results.append({"resultDescription": description["id"], "value": result})
        valid_from = now - timedelta(days=days_ago)
        credential = cs.issuing.issue(
            record.id,
            recipient=learner,
            recipient_name=names[learner],
            results=results,
            valid_from=valid_from,
            valid_until=None if valid_for_days is None else valid_from + timedelta(days=valid_for_days),
            idempotency_key=f"credstack-demo-stacks:{learner}:{entry_id}",
        )
        issued += 1
        if state == "revoked":
            cs.status.revoke(credential.id)
        elif state == "suspended" and cs.status.status_of(credential.id).state == "active":
            cs.status.suspend(credential.id)
        return credential

    da, ds, sd, db = (
        tracks["data analyst"],
        tracks["data scientist"],
        tracks["software developer"],
        tracks["database administrator"],
    )
    maya = "maya.okafor@example.org"
    for i, days in ((0, 420), (1, 400), (2, 380)):
        give(maya, da.f(i), days)
    give(maya, da.a(0), 200, result="advanced")
    give(maya, da.a(1), 150)
    if da.capstone is not None:
        give(maya, da.capstone.id, 60)
    give(maya, db.f(7) if len(db.foundations) > 7 else db.f(0), 30)

    jonas = "jonas.weber@example.org"
    cs.issuing.issue(
        partner_sql.id,
        recipient=jonas,
        recipient_name=names[jonas],
        valid_from=now - timedelta(days=90),
        idempotency_key=f"credstack-demo-stacks:{jonas}:partner-sql",
    )
    issued += 1
    give(jonas, db.f(4) if len(db.foundations) > 4 else db.f(1), 45)

    priya = "priya.raman@example.org"
    for i, days in ((0, 300), (2, 280), (4, 260)):
        give(priya, ds.f(i), days)
    for track in (ds, sd, db):
        if track.capstone is not None:
            give(priya, track.capstone.id, 100)

    lucas = "lucas.silva@example.org"
    give(lucas, sd.f(0), 50)
    give(lucas, sd.f(1), 20)

    shows: list[tuple[str, str]] = [(address, what) for address, _, what in DEMO_LEARNERS]
    amara, sofia, tom = "amara.nwosu@example.org", "sofia.rossi@example.org", "tom.baker@example.org"
    if "electrician" in tracks:
        el = tracks["electrician"]
        for i in (0, 2):
            give(amara, el.f(i), 200 - 20 * i)
        give(amara, el.f(1), 150, state="revoked")  # completes the stack (awarded), then is revoked: review
        give(sofia, el.f(0), 4 * 365 + 30)  # earned more than 3 years ago: too old for the stack
        give(sofia, el.f(1), 40)
    if "accountant" in tracks and "bookkeeper" in tracks:
        ac, bk = tracks["accountant"], tracks["bookkeeper"]
        give(sofia, ac.f(0), 70, state="suspended")
        give(tom, ac.f(0), 500)
        give(tom, ac.f(1), 400)
        give(tom, bk.f(0), 800, valid_for_days=700)  # expired 100 days ago
        give(tom, bk.f(1), 120)
    nurse, pharmacy = "nurse responsible for general care", "pharmacy technician"
    if nurse in tracks and pharmacy in tracks:
        give(sofia, tracks[nurse].f(0), 25)
    return tuple(shows), issued
