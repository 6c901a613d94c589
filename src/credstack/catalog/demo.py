"""The demo catalog: micro-credentials generated from real ESCO occupations and their essential skills.

Generated, not collected: the providers are fictional (every name ends in "(demo)"), prices, hours and credits are
drawn from realistic ranges by a seeded random generator, and :func:`generate` is a pure function of the taxonomy
rows passed in and the seed (same rows + same seed = the same catalog, ids included). Per occupation it makes a
track: foundation micro-credentials over groups of two to four essential skills (every essential skill is in one),
an advanced follow-up of each (with the foundation as prerequisite) and a credit-bearing capstone over the track (its
first twelve groups). When job postings are there, the occupation's optional skills they ask for most
(``asked_skills``) get foundation micro-credentials of their own (ids ``demo-NN-mGG-f``). The advanced follow-ups of
odd groups (``demo-NN-xGG-a``) and those come after the capstone, from a generator of their own, so the entries and
ids made before them are the same with or without them.

Credit conventions: 1 ECTS credit = 25-30 hours of learning (27.5 used); 1 US semester credit hour = 45 hours of
learning (15 contact + 30 study). EQF level follows the ISCO-08 major group of the occupation (skill level).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from credstack.catalog.model import CatalogEntry, Prerequisite, SkillAlignment
from credstack.errors import InvalidInputError

__all__ = [
    "DEMO_OCCUPATIONS",
    "DEMO_PROVIDERS",
    "DEMO_SOURCE",
    "DemoOccupation",
    "DemoProvider",
    "article",
    "generate",
]

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
    asked_skills: tuple[tuple[str, str], ...] = ()


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


#: Initialisms read letter by letter whose first letter sounds like a vowel ("an ICT", "an SQL", "an HR").
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")


def article(phrase: str) -> str:
    """``a`` or ``an`` before ``phrase``, by sound: "an accountant", "an ICT technician", "an 80-hour", "an
    11-hour", "a 15-hour", "a user", "a nurse"."""
    word = phrase.split(" ", 1)[0].split("-", 1)[0]
    if not word:
        return "a"
    if word[0].isdigit():
        digits = "".join(ch for ch in word if ch.isdigit())
        lead = digits[: len(digits) % 3 or 3]  # what is said first: "eighty", "eleven (thousand)", "one (thousand)"
        return "an" if lead.startswith("8") or lead in ("11", "18") else "a"
    if len(word) > 1 and word.isupper():
        return "an" if word[0] in _VOWEL_SOUND_LETTERS else "a"
    lower = word.lower()
    if lower.startswith(("uni", "use", "usu", "uti", "eu", "one", "once")):
        return "a"
    if lower.startswith(("hour", "honest", "honour", "heir")):
        return "an"
    return "an" if lower[0] in "aeiou" else "a"


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
    tags: Sequence[str] = (),
) -> CatalogEntry:
    labels = ", ".join(label for _, label in skills)
    fmt = rng.choice(provider.formats)
    assessment = rng.choice(provider.assessments)
    ects, us = _credits(provider, hours)
    size = f"{hours:.0f}-hour"
    description = (
        f"{_cap(article(size))} {size} {fmt} {'capstone' if kind == 'Certificate' else 'micro-credential'} for people "
        f"working or aiming to work as {article(occupation.label)} {occupation.label}. It covers {labels}, assessed "
        f"by {assessment}. Generated demo entry aligned to ESCO; {provider.name} is fictional."
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
        tags=(occupation.label, f"ISCO {occupation.isco_group}", "demo", *tags),
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
    for g, group in enumerate(groups):
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
    seed = _seed_after(rng)
    entries.extend(_advanced_rest(occupation, index, groups, base_eqf, seed))
    entries.extend(_asked(occupation, index, home, base_eqf, seed))
    return entries


def _seed_after(rng: random.Random) -> str:
    """A seed for the entries made after the track, drawn from the track's generator once the track is made (so
    that adding them changed none of the track's entries)."""
    return str(rng.random())


def _advanced_rest(
    occupation: DemoOccupation, index: int, groups: Sequence[Sequence[tuple[str, str]]], base_eqf: int, seed: str
) -> list[CatalogEntry]:
    """Advanced follow-ups of the foundations the track left without one (odd groups; ids ``demo-NN-xGG-a``), so
    that every essential skill is taught at the advanced level too."""
    rng = random.Random(f"{seed}:advanced")
    entries = []
    for g in range(1, len(groups), 2):
        group = groups[g]
        lead = _cap(group[0][1])
        entries.append(
            _entry(occupation, rng.choice(DEMO_PROVIDERS), rng, entry_id=f"demo-{index:02d}-x{g:02d}-a",
                   name=rng.choice(_ADVANCED_TITLES).format(skill=lead), skills=group, level=3,
                   hours=float(rng.randint(6, 12) * 5), eqf=base_eqf, prerequisites=[f"demo-{index:02d}-{g:02d}-f"])
        )  # fmt: skip
    return entries


def _asked(occupation: DemoOccupation, index: int, home: DemoProvider, base_eqf: int, seed: str) -> list[CatalogEntry]:
    """Foundation micro-credentials, one per group of one to three, over the skills postings ask for that are not
    the occupation's essential skills (ids ``demo-NN-mGG-f``)."""
    essential = {uri for uri, _ in occupation.essential_skills}
    asked = [skill for skill in dict.fromkeys(occupation.asked_skills) if skill[0] not in essential]
    rng = random.Random(f"{seed}:asked")
    entries: list[CatalogEntry] = []
    g = 0
    while asked:
        size = rng.randint(1, 3)
        group, asked = asked[:size], asked[size:]
        provider = home if rng.random() < 0.5 else rng.choice(DEMO_PROVIDERS)
        lead = _cap(group[0][1])
        entries.append(
            _entry(occupation, provider, rng, entry_id=f"demo-{index:02d}-m{g:02d}-f",
                   name=rng.choice(_FOUNDATION_TITLES).format(skill=lead), skills=group, level=2,
                   hours=float(rng.randint(3, 8) * 5), eqf=max(3, base_eqf - 1), tags=("asked for in job postings",))
        )  # fmt: skip
        g += 1
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
