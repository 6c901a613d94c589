"""Skills-based hiring: the pure ranking (coverage, freshness, strength, explanations) and the service end to end:
a job from a posting's text or an ESCO occupation, candidates who shared portfolios with the organisation ranked by
verified skills (a revoked credential gives no evidence), every ranking logged, no demographic data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest

from credstack.app import Credstack
from credstack.employer.ranking import JobSkills, evidence_arrays, rank
from credstack.employer.workforce import Member, MemberSkill, Role, audit
from credstack.errors import InvalidInputError, NotFoundError
from issuer_support import Clock, open_app
from taxonomy_helpers import loaded_database

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def job(n: int = 3, *, essential: tuple[bool, ...] | None = None) -> JobSkills:
    return JobSkills(
        tuple(f"s{i}" for i in range(n)),
        tuple(f"skill {i}" for i in range(n)),
        tuple([1.0] * n),
        essential or tuple([True] * n),
        tuple([5.0] * n),
    )


def test_ranking_orders_by_verified_fresh_strong_coverage_and_explains() -> None:
    evidence = evidence_arrays(
        [
            (0, 0, 4, 0.0, 1.0),  # candidate 0: one skill, perfect
            (1, 0, 4, 0.0, 1.0),
            (1, 1, 4, 0.0, 1.0),
            (1, 2, 4, 10.0, 1.0),  # 1: all three, one of them old
            (2, 0, 4, 0.0, 1.0),
            (2, 1, 4, 0.0, 1.0),
            (2, 2, 4, 0.0, 0.5),  # 2: all three, one weakly evidenced
            (3, 0, 1, 0.0, 1.0),
            (3, 0, 4, 0.0, 1.0),  # 3: the better of two pieces of evidence counts
        ]
    )
    ranked = rank(5, job(), evidence)
    assert [r.candidate for r in ranked] == [2, 1, 0, 3, 4]
    assert ranked[0].coverage == 1.0 and ranked[0].strength < 1.0 and ranked[1].aged == ("skill 2",)
    assert ranked[2].score == pytest.approx(1 / 3) and ranked[2].score == ranked[3].score
    assert ranked[2].missing_essential == ("skill 1", "skill 2")
    assert ranked[4].score == 0 and ranked[4].covered == ()
    assert any("1 of 3 required skills" in reason for reason in ranked[2].reasons)
    assert any(reason.startswith("aged evidence: skill 2") for reason in ranked[1].reasons)
    top = rank(5, job(), evidence, top=2)
    assert [r.candidate for r in top] == [2, 1]
    with pytest.raises(InvalidInputError):
        JobSkills((), (), (), (), ())


def test_ranking_matches_a_direct_computation_on_random_data() -> None:
    rng = np.random.default_rng(3)
    n, rows = 200, []
    for _ in range(1500):
        rows.append(
            (
                int(rng.integers(n)),
                int(rng.integers(4)),
                float(rng.integers(1, 5)),
                float(rng.uniform(0, 9)),
                float(rng.uniform(0.5, 1)),
            )
        )
    spec = JobSkills(
        ("a", "b", "c", "d"), ("a", "b", "c", "d"), (1.0, 0.5, 1.0, 2.0), (True,) * 4, (2.5, 5.0, 10.0, 5.0)
    )
    best = np.zeros((n, 4))
    for c, s, level, age, strength in rows:
        best[c, s] = max(best[c, s], level / 4 * 0.5 ** (age / spec.half_lives[s]) * strength)
    expected = best @ np.array(spec.weights) / sum(spec.weights)
    ranked = rank(n, spec, evidence_arrays(rows), top=None)
    assert [r.score for r in ranked] == pytest.approx(sorted(expected, reverse=True))
    assert sorted(r.candidate for r in ranked) == list(range(n))


@pytest.fixture(scope="module")
def taxonomy_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(tmp_path_factory)[0]


@pytest.fixture
def app(taxonomy_url: str) -> Iterator[Credstack]:
    clock = Clock()
    with open_app(taxonomy_url, clock=clock) as cs:
        yield cs


def _candidate(cs: Credstack, email: str, skills: list[tuple[str, str]], org: str, *, revoke: bool = False) -> str:
    achievement = cs.achievements.create(
        None,
        name=f"Skills of {email}",
        description="Demo.",
        criteria_narrative="Pass the proctored exam.",
        achievement_type="MicroCredential",
        alignments=[{"targetName": label, "targetUrl": uri, "targetFramework": "ESCO"} for uri, label in skills],
    )
    person = cs.accounts.create_person(email)
    credential = cs.issuing.issue(achievement.id, recipient=email).credential
    item = cs.wallet.import_bytes(person.id, json.dumps(credential).encode())
    if revoke:  # revoked after it was shared: ranking re-verifies, so it shows nothing
        cs.status.revoke(credential["id"])
    return cs.sharing.create(
        person.id, [item.id], title=f"Portfolio of {email}", org_id=org, expires_at=cs.clock() + timedelta(days=30)
    ).id


def test_jobs_and_ranking_end_to_end(app: Credstack) -> None:
    org = app.accounts.create_org("Acme Data").id
    from_text = app.employer.hiring.create_job(org, "Data engineer", text="We need Python and SQL every day.")
    assert from_text.source == "text" and {PYTHON, SQL} <= {s["uri"] for s in from_text.skills}
    both = _candidate(app, "both@example.org", [(PYTHON, "Python"), (SQL, "SQL")], org)
    one = _candidate(app, "one@example.org", [(PYTHON, "Python")], org)
    forged = _candidate(app, "revoked@example.org", [(PYTHON, "Python"), (SQL, "SQL")], org, revoke=True)
    _candidate(app, "elsewhere@example.org", [(PYTHON, "Python")], app.accounts.create_org("Globex").id)
    job = app.employer.hiring.create_job(
        org,
        "Data engineer",
        skills=[
            {"uri": PYTHON, "label": "Python"},
            {"uri": SQL, "label": "SQL", "weight": 0.5},
        ],
    )
    result = app.employer.hiring.rank(job.id, org)
    assert result.total == 3  # shares addressed to this organisation only
    assert [c.share_id for c in result.candidates] == [both, one, forged]
    first, second, third = result.candidates
    assert first.ranked.coverage == 1.0 and second.ranked.missing_essential == ("SQL",)
    assert third.verified_credentials == 0 and third.ranked.score == 0  # a revoked credential shows nothing
    assert any("2 of 2 required skills" in r for r in first.ranked.reasons)
    body = json.dumps(result.to_json())
    assert "gender" not in body and "birth" not in body
    log = app.employer.hiring.rankings(job.id, org)
    assert log[0]["candidates"] == 3 and [e["share"] for e in log[0]["ranking"]] == [both, one, forged]

    occupation = app.employer.hiring.create_job(org, occupation="2512.4")  # ESCO: software developer
    assert occupation.source == "occupation" and any(not s["essential"] for s in occupation.skills)
    with pytest.raises(InvalidInputError):
        app.employer.hiring.create_job(org, "Nothing")


def test_workforce_internal_credentials_matrix_audit_and_exports(app: Credstack) -> None:
    org = app.accounts.create_org("Acme Works").id
    workforce = app.employer.workforce
    role = workforce.create_role(org, "Data engineer", "Python | 2\nSQL | 2")
    assert {s.uri for s in role.skills} == {PYTHON, SQL}
    workforce.add_member(org, "Ann@Example.org", "Ann", role.id)
    workforce.add_member(org, "bob@example.org", "Bob", role.id)
    achievement = app.achievements.create(
        None,
        name="Python and SQL",
        description="Internal.",
        criteria_narrative="Pass the practical project with rubric.",
        achievement_type="MicroCredential",
        alignments=[
            {"targetName": "Python", "targetUrl": PYTHON, "targetFramework": "ESCO"},
            {"targetName": "SQL", "targetUrl": SQL, "targetFramework": "ESCO"},
        ],
    )
    issued = workforce.issue_internal(org, achievement.id, "ann@example.org")
    assert app.verifier.verify(issued.credential).verified
    matrix = workforce.team_matrix(org)
    assert [m["name"] for m in matrix["members"]] == ["Ann", "Bob"]
    assert [s["uri"] for s in matrix["skills"]][:2] == [PYTHON, SQL]
    assert matrix["levels"][0][:2] == [2.0, 2.0] and matrix["levels"][1][:2] == [0.0, 0.0]
    report = workforce.run_audit(org, budget=1000)
    (coverage,) = report["coverage"]
    assert coverage["members"] == 2 and coverage["coverage"] == 0.5
    assert {s["members_short"] for s in coverage["short"]} == {1}
    assert report["allocation"] is not None
    csv_text = workforce.audit_csv(report)
    assert csv_text.splitlines()[1].startswith("coverage,Data engineer,,50.00%")
    assert workforce.audit_pdf(report, "Acme Works").startswith(b"%PDF")
    with pytest.raises(InvalidInputError):
        workforce.add_member(org, "not an address")
    with pytest.raises(NotFoundError):
        workforce.issue_internal(org, achievement.id, "stranger@example.org")


def test_workforce_coverage_counts_a_recent_credential_at_its_level_like_the_planner() -> None:
    """A two-month-old level-2 credential (decayed to 1.98) meets a level-2 role skill, as the planner's gap says;
    an aged one (credited at its decayed level) does not, and shows as expiring."""
    role = Role("r", "Analyst", {"sql": (2.0, 1.0), "python": (2.0, 1.0)})
    recent = MemberSkill(1.98, 2.0, 0.15, 2.5, credited=2.0)
    aged = MemberSkill(1.2, 2.0, 1.8, 2.5, credited=1.2)
    report = audit([Member("ana", "Ana", "r", {"sql": recent, "python": aged})], [role], {"sql": "SQL"})
    (coverage,) = report.coverage
    assert coverage["coverage"] == 0.5 and [s["uri"] for s in coverage["short"]] == ["python"]
    assert [e["uri"] for e in report.expiring] == ["python"]
    without = audit([Member("ana", "Ana", "r", {"sql": MemberSkill(1.98, 2.0, 0.15, 2.5)})], [role], {})
    assert without.coverage[0]["coverage"] == 0.0  # no credited level given: the decayed level is compared
