"""``credstack demo seed``: the demo stacks, built from the generated demo catalog, and demo learners.

Idempotent. It (1) seeds the catalog (demo + New Jersey ETPL, unchanged sources are left alone), (2) makes one
did:key issuer per fictional demo provider and a fictional partner university outside the catalog, (3) publishes the
catalog entries of the tracks the stacks use under their provider's issuer (an entry already published is reused),
(4) creates the stacks (pathways), replacing a stored one only when its definition changed, and (5) issues demo
learners' credentials (idempotency keys), so that the automatic award runs: some learners hold awards, some are part
way, one award is flagged for review after a component is revoked. Tracks are found by the occupation tag of the
generated entries, so the stacks follow the taxonomy release the catalog was generated from.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from credstack.catalog.demo import DEMO_PROVIDERS, DEMO_SOURCE
from credstack.errors import NotFoundError

if TYPE_CHECKING:
    from credstack.app import Credstack
    from credstack.catalog.model import CatalogEntry

__all__ = ["PARTNER_NAME", "StackSeed", "seed_stacks"]

PARTNER_NAME = "Riverside University (demo partner)"
PARTNER_SLUG = "demo-partner-riverside"
DEGREE = "BSc Applied Data Science (fictional)"


@dataclass
class Track:
    """The demo catalog entries of one occupation: foundations, advanced follow-ups and the capstone."""

    label: str
    foundations: list[CatalogEntry] = field(default_factory=list)
    advanced: list[CatalogEntry] = field(default_factory=list)
    capstone: CatalogEntry | None = None

    def f(self, i: int) -> str:
        return self.foundations[i].id

    def a(self, i: int) -> str:
        return self.advanced[i].id


@dataclass(frozen=True)
class StackSeed:
    """What ``demo seed`` made: pathways, learners (with their awards), and where to look."""

    pathways: tuple[str, ...]
    learners: tuple[tuple[str, str], ...]  # (learner, what they show)
    awards: int
    review: int
    credentials: int
    published: int
    seconds: float


def _tracks(cs: Credstack) -> dict[str, Track]:
    tracks: dict[str, Track] = {}
    offset = 0
    while True:
        page = cs.catalog.search("", source=DEMO_SOURCE, limit=100, offset=offset)
        for hit in page.hits:
            entry = hit.entry
            label = entry.tags[0] if entry.tags else ""
            track = tracks.setdefault(label, Track(label))
            if entry.id.endswith("-capstone"):
                track.capstone = entry
            elif entry.id.endswith("-a"):
                track.advanced.append(entry)
            else:
                track.foundations.append(entry)
        offset += len(page.hits)
        if not page.hits or offset >= page.total:
            break
    for track in tracks.values():
        track.foundations.sort(key=lambda e: e.id)
        track.advanced.sort(key=lambda e: e.id)
    return tracks


def _issuer(cs: Credstack, slug: str, name: str) -> Any:
    try:
        return cs.issuers.get(slug)
    except NotFoundError:
        return cs.issuers.create(name, slug=slug)


def _publish(cs: Credstack, entries: Sequence[CatalogEntry]) -> tuple[dict[str, Any], int]:
    """Entry id -> its published achievement (made under the provider's issuer when not published yet)."""
    by_slug = {p.name: p.slug for p in DEMO_PROVIDERS}
    existing: dict[str, Any] = {}
    for record in cs.achievements.list():
        code = record.definition.get("humanCode")
        if isinstance(code, str):
            existing.setdefault(code, record)
    made = 0
    for entry in entries:
        if entry.id in existing:
            continue
        slug = f"demo-{by_slug.get(entry.provider, 'provider')}"
        issuer = _issuer(cs, slug, entry.provider)
        existing[entry.id] = cs.catalog.publish(entry.id, issuer.id)
        made += 1
    return existing, made


def _proficiency(entry: CatalogEntry) -> str:
    return f"{entry.skills[0].label}: proficiency"


def _stacks(t: dict[str, Track], partner_achievement: str, partner_did: str, ects_dids: list[str]) -> list[dict]:
    da, ds, sd, db = t["data analyst"], t["data scientist"], t["software developer"], t["database administrator"]

    def ach(entry_id: str, **extra: Any) -> dict[str, Any]:
        return {"type": "achievement", "achievementId": entry_id, **extra}

    def all_of(*children: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"type": "all-of", "requirements": list(children), **extra}

    def n_of(n: int, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"type": "n-of", "n": n, "requirements": list(children), **extra}

    def simple(key: str, track: Track, name: str, n: int | None = None, count: int = 3, **extra: Any) -> dict:
        units = [ach(track.f(i)) for i in range(min(count, len(track.foundations)))]
        root = all_of(*units) if n is None else n_of(n, *units)
        return {"id": key, "name": name, "requirement": root, **extra}

    stacks: list[dict[str, Any]] = [
        simple(
            "data-analyst-foundations",
            da,
            "Data analyst foundations",
            description="Three foundation micro-credentials of the data analyst track.",
        ),
        {
            "id": "data-analyst-certificate",
            "name": "Data analyst certificate",
            "description": "The foundations stack, two advanced units (one with at least 'advanced' proficiency) and "
            "3 recent level-6 credits in data analysis.",
            "requirement": all_of(
                {"type": "qualification", "qualificationId": "data-analyst-foundations"},
                n_of(
                    2,
                    ach(da.a(0), minResult={"resultDescription": _proficiency(da.advanced[0]), "value": "advanced"}),
                    ach(da.a(1)),
                    ach(da.a(2)),
                    label="advanced units",
                ),
                {
                    "type": "credits",
                    "id": "level-6-credits",
                    "label": "recent level-6 credits",
                    "credits": 3,
                    "withinYears": 5,
                    "filter": {"tags": ["data analyst"], "minLevel": 6},
                },
            ),
            "prerequisites": [{"before": da.f(0), "after": da.a(0)}]
            + ([{"before": da.a(0), "after": da.capstone.id}] if da.capstone is not None else []),
        },
        simple(
            "data-science-foundations",
            ds,
            "Data science foundations (3 of 5)",
            n=3,
            count=5,
            description="Any three of five data science foundation micro-credentials.",
        ),
        {
            "id": "data-science-15-ects",
            "name": f"Data science credit stack: 15 ECTS toward the {DEGREE}",
            "description": f"Counts as 15 ECTS of the first year of the {DEGREE}: the data science foundations and "
            "15 ECTS from credit-bearing (ECTS) providers in data science, databases and software development.",
            "credits": 15,
            "requirement": all_of(
                {"type": "qualification", "qualificationId": "data-science-foundations"},
                {
                    "type": "credits",
                    "id": "ects",
                    "label": "ECTS from credit-bearing providers",
                    "credits": 15,
                    "filter": {
                        "providers": ects_dids,
                        "tags": ["data scientist", "database administrator", "software developer"],
                        "minLevel": 5,
                    },
                },
            ),
        },
        {
            "id": "sql-and-databases",
            "name": "SQL and databases",
            "description": f"Query languages, databases and 3 credits of database work. {PARTNER_NAME}'s Applied SQL "
            "credential is accepted in place of the query-languages unit and for 1.5 credits (articulation rule).",
            "requirement": all_of(
                ach(db.f(7) if len(db.foundations) > 7 else db.f(0), label="query languages"),
                ach(db.f(4) if len(db.foundations) > 4 else db.f(1)),
                {
                    "type": "credits",
                    "id": "db-credits",
                    "credits": 3,
                    "filter": {"tags": ["database administrator"]},
                },
            ),
            "articulations": [
                {
                    "achievementId": partner_achievement,
                    "issuerId": partner_did,
                    "equivalentTo": db.f(7) if len(db.foundations) > 7 else db.f(0),
                    "credits": 1.5,
                    "toward": "db-credits",
                }
            ],
        },
        {
            "id": "software-developer-essentials",
            "name": "Software developer essentials",
            "description": "Two core units, one of two options, and any credential aligned to computer programming.",
            "requirement": all_of(
                ach(sd.f(0)),
                ach(sd.f(1)),
                n_of(1, ach(sd.f(2)), ach(sd.f(3))),
                {"type": "alignment", "targetUrl": sd.foundations[4].skills[0].uri, "label": "programming"},
            ),
        },
        {
            "id": "data-career-pathway",
            "name": "Data career pathway",
            "description": "The data analyst certificate and SQL and databases: two nested stacks.",
            "requirement": all_of(
                {"type": "qualification", "qualificationId": "data-analyst-certificate"},
                {"type": "qualification", "qualificationId": "sql-and-databases"},
            ),
        },
    ]
    others: list[tuple[str, str, str, int | None, int, dict[str, Any]]] = [
        ("ict-security-basics", "ICT security technician", "ICT security basics", None, 3, {}),
        ("network-administration", "ICT network administrator", "Network administration (2 of 4)", 2, 4, {}),
        ("plumbing-starter", "plumber", "Plumbing starter stack", None, 3, {}),
        ("welding-fundamentals", "welder", "Welding fundamentals (2 of 3)", 2, 3, {}),
        ("cook-kitchen-essentials", "cook", "Kitchen essentials", None, 3, {}),
        ("customer-service-essentials", "customer service representative", "Customer service essentials", 2, 3, {}),
    ]
    for key, label, name, n, count, extra in others:
        if label in t and len(t[label].foundations) >= count:
            stacks.append(simple(key, t[label], name, n=n, count=count, **extra))
    if "electrician" in t:
        el = t["electrician"]
        stacks.append(
            {
                "id": "electrician-trade-units",
                "name": "Electrician trade units (recent)",
                "description": "Three electrician units, each earned within the last 3 years (safety practice "
                "changes: older credentials do not count).",
                "requirement": all_of(*(ach(el.f(i), withinYears=3) for i in range(3))),
            }
        )
    if "accountant" in t and "bookkeeper" in t:
        ac, bk = t["accountant"], t["bookkeeper"]
        stacks.append(
            {
                "id": "finance-office-stack",
                "name": "Finance office stack",
                "description": "Two accounting and two bookkeeping units.",
                "requirement": all_of(
                    n_of(2, *(ach(ac.f(i)) for i in range(3)), label="accounting"),
                    n_of(2, *(ach(bk.f(i)) for i in range(3)), label="bookkeeping"),
                ),
            }
        )
    if all(
        k in t for k in ("nurse responsible for general care", "pharmacy technician", "medical laboratory assistant")
    ):
        units = [t[k].f(0) for k in ("nurse responsible for general care", "pharmacy technician")]
        units.append(t["medical laboratory assistant"].f(0))
        stacks.append(
            {
                "id": "healthcare-support",
                "name": "Healthcare support (2 of 3)",
                "description": "Any two of three introductory units across nursing, pharmacy and the laboratory.",
                "requirement": n_of(2, *(ach(u) for u in units)),
            }
        )
    return stacks


def _tracks_used(tracks: dict[str, Track], stacks: list[dict[str, Any]]) -> list[CatalogEntry]:
    """The entries the stacks can use: each one they name, and every entry of a track a credits filter names by its
    occupation tag (its capstone and advanced units count toward those credits)."""
    text = repr(stacks)
    out: list[CatalogEntry] = []
    for label in sorted(tracks):
        track = tracks[label]
        everything = [*track.foundations, *track.advanced, *([track.capstone] if track.capstone else [])]
        if f"'{label}'" in text:
            out.extend(everything)
        else:
            out.extend(e for e in everything if f"'{e.id}'" in text)
    return out


def seed_stacks(cs: Credstack) -> StackSeed:
    """Seed the catalog, the demo stacks and the demo learners (see the module docstring). Idempotent."""
    started = time.perf_counter()
    cs.catalog.seed()
    tracks = _tracks(cs)
    partner = _issuer(cs, PARTNER_SLUG, PARTNER_NAME)
    partner_sql = next((a for a in cs.achievements.list(issuer_ref=partner.id) if a.name == "Applied SQL"), None)
    if partner_sql is None:
        partner_sql = cs.achievements.create(
            partner.id,
            name="Applied SQL",
            description="Write, tune and explain SQL queries over a relational schema (a partner's own credential).",
            criteria_narrative="Passed a two-hour practical SQL examination.",
            achievement_type="Course",
            credits_available=1.5,
        )
    ects_dids = sorted(_issuer(cs, f"demo-{p.slug}", p.name).did for p in DEMO_PROVIDERS if p.credits == "ects")
    stacks = _stacks(tracks, partner_sql.url, partner.did, ects_dids)
    published, made = _publish(cs, _tracks_used(tracks, stacks))
    for stack in stacks:
        try:
            current = cs.pathways.get(stack["id"])
        except NotFoundError:
            cs.pathways.create(stack)
            continue
        wanted = dict(stack)
        wanted.setdefault("achievementId", current.qualification.award_achievement_id)
        if current.definition != _normalised(cs, wanted):
            cs.pathways.create(stack, replace=True)
    from credstack.cli._demo_learners import issue_learners

    learners, issued = issue_learners(cs, tracks, published, partner_sql)
    awards = cs.pathways.awards.list()
    return StackSeed(
        pathways=tuple(s["id"] for s in stacks),
        learners=learners,
        awards=len(awards),
        review=sum(1 for a in awards if a.status == "review"),
        credentials=issued,
        published=made,
        seconds=round(time.perf_counter() - started, 1),
    )


def _normalised(cs: Credstack, data: dict[str, Any]) -> dict[str, Any]:
    from credstack.stacking import Qualification

    return Qualification.from_json(data).to_json()
