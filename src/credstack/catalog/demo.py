"""The demo catalog: micro-credentials generated from real ESCO occupations and their essential skills.

Generated, not collected: the providers are fictional (every name ends in "(demo)"), prices, hours and credits are
drawn from realistic ranges by a seeded random generator, and :func:`generate` is a pure function of the taxonomy
rows passed in and the seed (same rows + same seed = the same catalog, ids included). Per occupation it makes a
track: foundation micro-credentials over groups of two to four essential skills, advanced follow-ups (with the
foundation as prerequisite) for half of them, and a credit-bearing capstone over the whole track.

Credit conventions: 1 ECTS credit = 25-30 hours of learning (27.5 used); 1 US semester credit hour = 45 hours of
learning (15 contact + 30 study). EQF level follows the ISCO-08 major group of the occupation (skill level).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from credstack.catalog.model import CatalogEntry, Prerequisite, SkillAlignment
from credstack.errors import InvalidInputError

__all__ = ["DEMO_OCCUPATIONS", "DEMO_PROVIDERS", "DEMO_SOURCE", "DemoOccupation", "DemoProvider", "generate"]

DEMO_SOURCE = "demo"

#: ESCO v1.1.1 occupations (preferred labels) the demo catalog is built around.
DEMO_OCCUPATIONS = (
    "software developer",
    "data analyst",
    "data scientist",
    "web developer",
    "database administrator",
    "ICT security technician",
    "ICT network administrator",
    "electrician",
    "plumber",
    "welder",
    "carpenter",
    "nurse responsible for general care",
    "pharmacy technician",
    "medical laboratory assistant",
    "massage therapist",
    "accountant",
    "bookkeeper",
    "marketing manager",
    "project manager",
    "graphic designer",
    "cook",
    "social worker",
    "early years teacher",
    "customer service representative",
    "sales assistant",
    "warehouse worker",
)


@dataclass(frozen=True)
class DemoOccupation:
    """An ESCO occupation as the generator needs it: URI, label, ISCO group, essential skills as (URI, label)."""

    uri: str
    label: str
    isco_group: str
    essential_skills: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoProvider:
    """A fictional provider: its price per learning hour, currency, credit system, formats and assessments."""

    name: str
    slug: str
    rate: float
    currency: str
    credits: str  # "ects", "us" or "none"
    formats: tuple[str, ...]
    assessments: tuple[str, ...]
    validity_months: int | None


DEMO_PROVIDERS = (
    DemoProvider("Northwind Polytechnic (demo)", "nwp", 9.0, "EUR", "ects", ("hybrid", "in-person"),
                 ("proctored exam", "practical project with rubric"), None),
    DemoProvider("Lakeshore Community College (demo)", "lcc", 14.0, "USD", "us", ("in-person", "hybrid", "online"),
                 ("proctored exam", "practical project with rubric"), None),
    DemoProvider("Open Skills Academy (demo)", "osa", 0.0, "EUR", "none", ("self-paced", "online"),
                 ("portfolio review", "proctored exam"), 36),
    DemoProvider("Meridian Institute of Technology (demo)", "mit", 22.0, "USD", "us", ("online", "hybrid"),
                 ("proctored exam", "practical project with rubric"), None),
    DemoProvider("Guildhall Trades Centre (demo)", "gtc", 12.0, "EUR", "ects", ("in-person",),
                 ("workplace observation", "practical project with rubric"), 60),
    DemoProvider("BrightPath Online (demo)", "bpo", 6.5, "USD", "none", ("online", "self-paced"),
                 ("proctored exam", "portfolio review"), 24),
    DemoProvider("Università del Lago (demo)", "udl", 7.5, "EUR", "ects", ("hybrid", "online"),
                 ("oral examination", "proctored exam"), None),
    DemoProvider("Harbour Health Training (demo)", "hht", 16.0, "EUR", "ects", ("in-person", "hybrid"),
                 ("workplace observation", "proctored exam"), 36),
    DemoProvider("Summit Professional Education (demo)", "spe", 28.0, "USD", "us", ("online", "hybrid"),
                 ("portfolio review", "practical project with rubric"), 24),
    DemoProvider("Atlas Digital Bootcamp (demo)", "adb", 18.0, "EUR", "none", ("online", "hybrid"),
                 ("practical project with rubric", "portfolio review"), None),
)  # fmt: skip

_EQF_BY_ISCO_MAJOR = {"1": 6, "2": 6, "3": 5, "4": 4, "5": 4, "6": 4, "7": 4, "8": 4, "9": 3}
_FOUNDATION_TITLES = ("{skill}: foundations", "{skill}: introduction", "{skill} essentials", "{skill}: first steps")
_ADVANCED_TITLES = ("{skill}: advanced practice", "{skill} in practice", "{skill}: professional practice")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _credits(provider: DemoProvider, hours: float) -> tuple[float | None, float | None]:
    if provider.credits == "ects":
        return max(0.5, round(hours / 27.5 * 2) / 2), None
    if provider.credits == "us":
        return None, max(0.5, round(hours / 45 * 2) / 2)
    return None, None


def _price(provider: DemoProvider, hours: float, rng: random.Random) -> float:
    return float(round(hours * provider.rate * rng.uniform(0.85, 1.15) / 5) * 5)


def _entry(
    occupation: DemoOccupation,
    provider: DemoProvider,
    rng: random.Random,
    *,
    entry_id: str,
    name: str,
    skills: Sequence[tuple[str, str]],
    level: int,
    hours: float,
    eqf: int,
    prerequisites: Sequence[str] = (),
    kind: str = "MicroCredential",
) -> CatalogEntry:
    labels = ", ".join(label for _, label in skills)
    fmt = rng.choice(provider.formats)
    assessment = rng.choice(provider.assessments)
    ects, us = _credits(provider, hours)
    description = (
        f"A {hours:.0f}-hour {fmt} {'capstone' if kind == 'Certificate' else 'micro-credential'} for people working "
        f"or aiming to work as a {occupation.label}. It covers {labels}, assessed by {assessment}. "
        f"Generated demo entry aligned to ESCO; {provider.name} is fictional."
    )
    return CatalogEntry(
        id=entry_id,
        source=DEMO_SOURCE,
        name=name,
        description=description,
        provider=provider.name,
        skills=tuple(SkillAlignment(uri, label, level) for uri, label in skills),
        achievement_type=kind,
        eqf_level=eqf,
        ects=ects,
        us_credits=us,
        effort_hours=hours,
        price=_price(provider, hours, rng),
        currency=provider.currency,
        delivery_format=fmt,
        language="en",
        assessment_method=assessment,
        validity_months=provider.validity_months,
        prerequisites=tuple(Prerequisite("achievement", p) for p in prerequisites),
        tags=(occupation.label, f"ISCO {occupation.isco_group}", "demo"),
        occupations=(occupation.uri,),
    )


def _track(occupation: DemoOccupation, index: int, rng: random.Random) -> list[CatalogEntry]:
    skills = sorted(occupation.essential_skills, key=lambda s: s[0])
    rng.shuffle(skills)
    groups: list[list[tuple[str, str]]] = []
    while skills:
        size = rng.randint(2, 4)
        groups.append(skills[:size])
        skills = skills[size:]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2].extend(groups.pop())
    base_eqf = _EQF_BY_ISCO_MAJOR.get(occupation.isco_group[:1], 4)
    home = DEMO_PROVIDERS[index % len(DEMO_PROVIDERS)]
    entries: list[CatalogEntry] = []
    foundations: list[str] = []
    for g, group in enumerate(groups[:12]):
        provider = home if rng.random() < 0.5 else rng.choice(DEMO_PROVIDERS)
        lead = _cap(group[0][1])
        fid = f"demo-{index:02d}-{g:02d}-f"
        hours = float(rng.randint(3, 8) * 5)
        entries.append(
            _entry(occupation, provider, rng, entry_id=fid, name=rng.choice(_FOUNDATION_TITLES).format(skill=lead),
                   skills=group, level=rng.choice((1, 2)), hours=hours, eqf=max(3, base_eqf - 1))
        )  # fmt: skip
        foundations.append(fid)
        if g % 2 == 0:
            hours = float(rng.randint(6, 12) * 5)
            entries.append(
                _entry(occupation, provider, rng, entry_id=f"demo-{index:02d}-{g:02d}-a",
                       name=rng.choice(_ADVANCED_TITLES).format(skill=lead), skills=group, level=3, hours=hours,
                       eqf=base_eqf, prerequisites=[fid])
            )  # fmt: skip
    if foundations:
        provider = home if home.credits != "none" else DEMO_PROVIDERS[0]
        capstone_skills = [s for group in groups[:12] for s in group][:12]
        entries.append(
            _entry(occupation, provider, rng, entry_id=f"demo-{index:02d}-capstone",
                   name=f"{_cap(occupation.label)}: professional certificate", skills=capstone_skills, level=3,
                   hours=float(rng.randint(16, 30) * 5), eqf=base_eqf, prerequisites=foundations[:4],
                   kind="Certificate")
        )  # fmt: skip
    return entries


def generate(occupations: Sequence[DemoOccupation], *, seed: int = 2026) -> list[CatalogEntry]:
    """The demo catalog for ``occupations`` (in the order given), deterministic in ``seed``."""
    if not occupations:
        raise InvalidInputError("the demo catalog needs at least one occupation with essential skills")
    out: list[CatalogEntry] = []
    for index, occupation in enumerate(occupations):
        rng = random.Random(f"{seed}:{occupation.uri}")
        out.extend(_track(occupation, index, rng))
    return out
