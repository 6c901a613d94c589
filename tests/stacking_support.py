"""Factories for the stacking tests: a small catalog, facts, and hypothesis strategies for trees and holdings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from credstack.stacking import (
    AchievementInfo,
    AllOf,
    Articulation,
    Catalog,
    CredentialFact,
    CreditFilter,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
    ResultFact,
    ResultSpec,
    ResultThreshold,
)

PROVIDER = "did:web:learn.example"
PARTNER = "did:web:partner.example"
STRANGER = "did:web:stranger.example"
AT = datetime(2026, 6, 1, tzinfo=UTC)
SKILL = "http://data.europa.eu/esco/skill/"


def aid(i: int) -> str:
    return f"https://learn.example/achievements/a{i}"


def info(i: int, **overrides: object) -> AchievementInfo:
    """Catalog achievement i: 5/10/15 credits, level 3-6, one skill, a price and hours, a 0-100 exam."""
    values: dict[str, object] = {
        "name": f"Unit {i}",
        "issuer_id": PROVIDER,
        "credits": float(5 * (1 + i % 3)),
        "level": 3 + i % 4,
        "alignments": frozenset({f"{SKILL}s{i % 4}"}),
        "skill_areas": frozenset({f"area-{i % 2}"}),
        "tags": frozenset({"data"} if i % 2 else {"business"}),
        "price": float(100 + 37 * ((i * 7) % 5)),
        "hours": float(10 + 3 * ((i * 3) % 7)),
        "results": (ResultSpec(f"{aid(i)}#exam", "Final exam", 0, 100),),
    }
    values.update(overrides)
    return AchievementInfo(aid(i), **values)  # type: ignore[arg-type]


def catalog(n: int = 8, *qualifications: Qualification) -> Catalog:
    return Catalog.of([info(i) for i in range(n)], qualifications)


def fact(
    i: int,
    *,
    cid: str | None = None,
    issuer: str = PROVIDER,
    days_ago: int = 30,
    score: float | str | None = None,
    state: str = "verified",
    credits: float | None = None,
    valid_until: datetime | None = None,
) -> CredentialFact:
    """A credential for achievement i, shaped like the catalog says."""
    base = info(i)
    results = () if score is None else (ResultFact(f"{aid(i)}#exam", score, "Final exam"),)
    return CredentialFact(
        credential_id=cid or f"urn:uuid:cred-{i}-{issuer[-7:]}-{days_ago}-{state}",
        achievement_id=aid(i),
        issuer_id=issuer,
        earned=AT - timedelta(days=days_ago),
        credits=base.credits if credits is None else credits,
        level=base.level,
        alignments=base.alignments,
        skill_areas=base.skill_areas,
        tags=base.tags,
        results=results,
        state=state,
        valid_until=valid_until,
    )


# ------------------------------------------------------------------ hypothesis strategies

N_CATALOG = 7
EXTERNAL = "https://partner.example/sql"
#: A nested stack the generated trees may refer to.
FOUNDATION = Qualification("foundation", "Foundation", NOf(1, (RequireAchievement(aid(5)), RequireAchievement(aid(6)))))


def generated_catalog() -> Catalog:
    """The catalog the generated trees are checked against: N_CATALOG achievements and FOUNDATION."""
    return catalog(N_CATALOG, FOUNDATION)


def _leaf() -> st.SearchStrategy[Requirement]:
    achievement = st.builds(
        RequireAchievement,
        st.integers(0, N_CATALOG - 1).map(aid),
        within_years=st.sampled_from([None, None, 1.0, 3.0]),
        threshold=st.sampled_from([None, None, ResultThreshold("Final exam", 60)]),
    )
    alignment = st.builds(RequireAlignment, st.integers(0, 3).map(lambda s: f"{SKILL}s{s}"))
    credits = st.builds(
        MinCredits,
        st.sampled_from([5.0, 10.0, 20.0]),
        st.sampled_from([CreditFilter(), CreditFilter(min_level=5), CreditFilter(tags=frozenset({"data"}))]),
    )
    nested = st.just(RequireQualification("foundation"))
    return st.one_of(achievement, achievement, alignment, credits, nested)


def _extend(children: st.SearchStrategy[Requirement]) -> st.SearchStrategy[Requirement]:
    groups = st.lists(children, min_size=1, max_size=4)
    all_of = groups.map(lambda cs: AllOf(tuple(cs)))
    n_of = groups.flatmap(lambda cs: st.integers(1, len(cs)).map(lambda n: NOf(n, tuple(cs))))
    return st.one_of(all_of, n_of)


trees = st.recursive(_leaf(), _extend, max_leaves=6)


@st.composite
def qualifications(draw: st.DrawFn) -> Qualification:
    root = draw(trees)
    prereqs = draw(st.sampled_from([(), (), (Prerequisite(aid(0), aid(1)),)]))
    articulations = draw(st.sampled_from([(), (Articulation(EXTERNAL, PARTNER, credits=5.0, equivalent_to=aid(2)),)]))
    return Qualification("q", "Generated", root, prerequisites=prereqs, articulations=articulations)


@st.composite
def holdings(draw: st.DrawFn, max_size: int = 6) -> list[CredentialFact]:
    out = []
    for n in range(draw(st.integers(0, max_size))):
        out.append(
            fact(
                draw(st.integers(0, N_CATALOG - 1)),
                cid=f"urn:uuid:h{n}",
                issuer=draw(st.sampled_from([PROVIDER, PROVIDER, PARTNER])),
                days_ago=draw(st.sampled_from([5, 200, 800, 2000])),
                score=draw(st.sampled_from([None, 50, 75])),
                state=draw(st.sampled_from(["verified", "verified", "verified", "revoked"])),
            )
        )
    if draw(st.booleans()):
        out.append(CredentialFact("urn:uuid:external", EXTERNAL, PARTNER, AT - timedelta(days=40), 2.0))
    return out
