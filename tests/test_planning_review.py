"""The planner over the database, as a learner sees it after the acceptance review: a recent credential at the
level needed is met (not "below the level needed"), the plan leaves met skills alone, pathways are read by
relevance (a stack the learner is half way through is never dropped for its name), POST /api/planner/plan needs a
target, notes name skills by label, totals are per currency, and the /planner page shows the gap with the skills
the learner has first, target suggestions and the quarterly audit."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.services.planning_sources import MAX_PATHWAYS, Sources
from learner_support import session_cookie
from planning_support import LEARNER, SOFTWARE_DEVELOPER, open_planning_app, plan_json, planning_database

FLOWCHART = "http://data.europa.eu/esco/skill/901105f8-3a08-453e-b1dc-23619e317fd3"  # credential 3 months old, level 1
DEBUGGING = "http://data.europa.eu/esco/skill/6014921e-1d25-4039-adc2-04852d61880e"  # 9 months old, level 2, tech
PROTOTYPE = "http://data.europa.eu/esco/skill/797a4416-0b8d-44f3-8fcd-eb10bd0be6b4"  # seven years old, level 1


@pytest.fixture(scope="module")
def cs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credstack]:
    app = open_planning_app(planning_database(tmp_path_factory))
    yield app
    app.close()


@pytest.fixture(scope="module")
def role(cs: Credstack) -> str:
    skills = [
        {"uri": FLOWCHART, "level": 1, "weight": 1},
        {"uri": DEBUGGING, "level": 2, "weight": 2},
        {"uri": PROTOTYPE, "level": 1, "weight": 3},
    ]
    return f"role:{cs.planner.create_role_profile('acme', 'Junior developer', skills).id}"


def test_recent_credentials_at_the_level_needed_are_met_in_the_gap_the_plan_and_the_audit(
    cs: Credstack, role: str
) -> None:
    gap = {i.uri: i for i in cs.planner.gap(LEARNER, role).items}
    assert gap[FLOWCHART].status == "met" and gap[FLOWCHART].current < 1  # 0.97 after three months, still met
    assert gap[DEBUGGING].status == "met" and gap[DEBUGGING].current < 2 and not gap[DEBUGGING].aged
    assert gap[PROTOTYPE].status == "partial" and gap[PROTOTYPE].aged  # seven years: counts at its decayed level
    data = plan_json(cs, target=role)
    assert data["gap"]["summary"].startswith("You meet 2 of the 3 skills Junior developer needs")
    assert "1 are below the level needed, 1 of them because the evidence has aged" in data["gap"]["summary"]
    assert data["feasible"]
    covered = {u for step in data["plan"]["steps"] for u in step["covers"]}
    assert covered == {PROTOTYPE}  # a refresher for the aged skill only, nothing for what the learner has
    audit = cs.planner.audit(LEARNER, target=role).to_json()
    below = {d["uri"]: d for d in audit["decaying"]}
    assert FLOWCHART not in below and below[PROTOTYPE]["status"] == "below"


def test_plan_totals_are_per_currency_and_notes_name_skills_by_label(cs: Credstack) -> None:
    data = plan_json(cs)
    plan = data["plan"]
    assert len(plan["costs"]) >= 2  # the seeded catalog prices in EUR and USD
    assert sum(plan["costs"].values()) == pytest.approx(plan["total_cost"])
    assert " + " in plan["costText"] and all(c in plan["costText"] for c in plan["costs"])
    assert all(s["costText"].endswith(s["currency"]) for s in plan["steps"] if s["cost"])
    assert any("totals are shown per currency" in n for n in data["notes"])
    unreachable = next(n for n in data["notes"] if "nothing available teaches" in n)
    assert "http://data.europa.eu/esco" not in unreachable and " at level " in unreachable
    alternative = data["alternative"]
    assert alternative["withoutName"] != alternative["without"] and alternative["costText"]


def _pathway(pid: str, name: str, entries: list[str]) -> Any:
    definition = {
        "type": "Qualification",
        "id": pid,
        "name": name,
        "requirement": {
            "type": "all-of",
            "requirements": [{"type": "achievement", "achievementId": e} for e in entries],
        },
    }
    return SimpleNamespace(id=pid, name=name, definition=definition, credits=None)


class _Pathways:
    """A pathways service with more pathways than the planner reads; the one the learner started sorts last."""

    def __init__(self) -> None:
        count = MAX_PATHWAYS + 3
        self.records = [_pathway(f"p{n:02d}", f"Alpha {n:02d}", [f"x{n}-1", f"x{n}-2"]) for n in range(count)]
        self.records.append(_pathway("software-developer-essentials", "Zeta dev", ["held-1", "held-2", "b", "c"]))
        self.read: list[str] = []

    def list(self) -> list[Any]:
        return list(self.records)

    def progress(self, learner: str, pathway_id: str, *, by: str) -> Any:
        self.read.append(pathway_id)
        record = next(r for r in self.records if r.id == pathway_id)
        entries = [q["achievementId"] for q in record.definition["requirement"]["requirements"]]
        remaining = [e for e in entries if not e.startswith("held")]
        return SimpleNamespace(
            satisfied=False, held=(), plan=SimpleNamespace(feasible=True, achievement_ids=tuple(remaining))
        )


def test_pathways_are_read_by_relevance_not_by_name() -> None:
    service = _Pathways()
    sources = Sources(None, lambda name: service if name == "pathways" else None)  # type: ignore[arg-type]
    held = frozenset({"held-1", "held-2"})
    stacks, notes = sources.stacks("lucas@example.org", held, skills_of={"x3-1": ["s"]}, wanted={"s": 1.0})
    assert len(service.read) == MAX_PATHWAYS
    assert service.read[:2] == ["software-developer-essentials", "p03"]  # started first, then the target's skills
    started = next(s for s in stacks if s.id == "software-developer-essentials")
    assert started.started and started.remaining == {"b", "c"} and held <= started.members
    assert any("most relevant" in n for n in notes)


def test_post_plan_requires_a_target_or_a_posting(cs: Credstack) -> None:
    client = TestClient(create_app(cs))
    headers = {"Authorization": f"Bearer {cs.tokens.create(['admin'])}"}
    for body in ({"learner": LEARNER}, {"learner": LEARNER, "target": "  "}):
        response = client.post("/api/planner/plan", json=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "invalid_input" and "target" in problem["detail"]
    good = client.post("/api/planner/plan", json={"learner": LEARNER, "target": SOFTWARE_DEVELOPER}, headers=headers)
    assert good.status_code == 200 and good.json()["target"]["ref"] == SOFTWARE_DEVELOPER


def test_planner_page_shows_evidence_first_suggestions_and_the_audit(cs: Credstack, role: str) -> None:
    client = TestClient(create_app(cs))
    client.cookies.update(session_cookie(cs, LEARNER))
    page = client.get("/planner", params={"target": role})
    assert page.status_code == 200
    html = page.text
    rows = html.split('data-testid="gap-row"')[1:]
    assert "(partial)" in rows[0] and "(met)" in rows[1] and "(met)" in rows[2]  # what the learner has, first
    assert "counts as 1.00: the evidence is not aged" in html
    assert 'data-testid="suggestions"' in html and 'data-testid="suggestion"' in html
    assert "software developer" in html.split('data-testid="suggestions"')[1]
    audit = html.split('data-testid="audit"')[1]
    assert "develop software prototype" in audit and "ICT debugging tools: introduction" in audit  # expiring
    assert "<script" not in html
