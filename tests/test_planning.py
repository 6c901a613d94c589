"""The planner over the database (issue 5): a learner's decayed profile from real signed credentials, targets, the
gap, plans over the seeded catalog with schedule, explanations, alternative and what-ifs, suggestions, the
quarterly audit, role profiles (SQLite and PostgreSQL), budget allocation, the CLI and the API."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.cli import main
from credstack.errors import ConflictError, InvalidInputError, NotFoundError
from learner_support import session_cookie
from planning_support import (
    LEARNER,
    NOW,
    PYTHON,
    SOFTWARE_DEVELOPER,
    open_planning_app,
    plan_json,
    planning_database,
)
from taxonomy_helpers import make_app

SKILLS_OF_OLD = "http://data.europa.eu/esco/skill/797a4416-0b8d-44f3-8fcd-eb10bd0be6b4"  # develop software prototype


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return planning_database(tmp_path_factory)


@pytest.fixture(scope="module")
def cs(url: str) -> Iterator[Credstack]:
    app = open_planning_app(url)
    yield app
    app.close()


# -- profile ------------------------------------------------------------------------------------------------------


def test_profile_counts_verified_credentials_decayed_and_marks_self_declared(cs: Credstack) -> None:
    profile = cs.planner.profile(LEARNER)
    skills = profile.profile.skills
    old = skills[SKILLS_OF_OLD]
    assert old.source == "credential" and old.age_years > 7
    assert old.aged and old.level < 0.5 * old.shown  # seven years is more than one half-life
    recent = [s for s in skills.values() if s.source == "credential" and s.age_years < 0.3]
    assert recent and all(not s.aged and s.level > 0.9 * s.shown for s in recent)
    python = skills[PYTHON]
    assert python.self_declared and python.source == "self"
    assert python.level == pytest.approx(1.0, abs=0.01)  # level 2 declared, trusted at half
    assert python.kind == "technology"
    assert "http://data.europa.eu/esco/skill/f28617ad-afdd-4041-814c-216153a38998" not in skills


def test_technology_evidence_decays_faster_than_transversal(cs: Credstack) -> None:
    kinds = cs.planner.data.skill_kinds(
        [PYTHON, "http://data.europa.eu/esco/skill/b0096dc5-2e2d-4bc1-8172-05bf486c3968"]  # think creatively
    )
    assert kinds[PYTHON] == "technology"
    assert set(kinds.values()) <= {"technology", "knowledge", "transversal"}
    half = cs.planner.half_lives
    assert half.technology < half.knowledge < half.transversal


def test_unknown_learner_has_an_empty_profile_not_an_error(cs: Credstack) -> None:
    profile = cs.planner.profile("nobody@example.org")
    assert profile.profile.skills == {}
    assert any(n.startswith("nothing is known about nobody@example.org") for n in profile.notes)  # said, not silent
    assert not any(n.startswith("nothing is known") for n in cs.planner.profile(LEARNER).notes)
    with pytest.raises(InvalidInputError):
        cs.planner.profile("  ")


# -- targets, gap and plans ---------------------------------------------------------------------------------------


def test_occupation_target_weights_essential_over_optional_and_gap_marks_aged(cs: Credstack) -> None:
    spec = cs.planner.target("software developer")
    assert spec.ref == SOFTWARE_DEVELOPER
    essential = [r for r in spec.requirements if r.status == "essential"]
    optional = [r for r in spec.requirements if r.status == "optional"]
    assert essential and optional and min(r.weight for r in essential) > max(r.weight for r in optional)
    gap = cs.planner.gap(LEARNER, SOFTWARE_DEVELOPER)
    aged = [i for i in gap.items if i.aged]
    assert any(i.uri == SKILLS_OF_OLD for i in aged)
    assert "aged" in gap.summary and "software developer" in gap.summary
    ranks = [i.weight * i.shortfall / i.required for i in gap.items]
    assert ranks == sorted(ranks, reverse=True)


def test_plan_over_the_catalog_is_ordered_scheduled_and_explained(cs: Credstack) -> None:
    data = plan_json(cs)
    assert data["feasible"], data.get("message")
    plan = data["plan"]
    held = {"demo-00-00-f", "demo-00-02-f", "demo-00-03-f"}
    chosen = plan["achievements"]
    assert not held & set(chosen)
    catalog = cs.planner.data.catalog().catalog
    for n, step in enumerate(chosen):
        for p in catalog.by_id[step].prerequisites:
            assert p in held or p in chosen[:n], f"{step} needs {p} first"
    steps = plan["steps"]
    assert steps[0]["startWeek"] == 0
    for a, b in itertools.pairwise(steps):
        assert a["endWeek"] == pytest.approx(b["startWeek"])
    assert plan["weeks"] == pytest.approx(plan["total_hours"] / 10)
    assert plan["coverage"] >= data["options"]["coverageUsed"] - 1e-9
    assert all(e["why"] for e in plan["explanations"])
    milestone = next(m for m in plan["milestones"] if m["stack"] == "dev-cert")
    last = max(chosen.index("demo-00-04-a"), chosen.index("demo-00-06-a"))
    assert milestone["step"] == last + 1 and milestone["week"] == pytest.approx(steps[last]["endWeek"])
    assert "Developer certificate" in plan["explanations"][last]["stacks"]
    faster = next(w for w in data["whatIfs"] if w["what"] == "5 more hours a week")
    assert faster["weeks"] == pytest.approx(plan["total_hours"] / 15, abs=0.01) and faster["weeksSaved"] > 0
    unpaced = plan_json(cs, hours_per_week=None)  # no pace, no weeks: "5 more hours a week" would say nothing
    assert unpaced["plan"]["weeks"] is None and not any(w["what"] == "5 more hours a week" for w in unpaced["whatIfs"])


def test_cost_plan_respects_the_budget_and_time_plan_is_not_slower(cs: Credstack) -> None:
    by_time = plan_json(cs, what_ifs=False)["plan"]
    by_cost = plan_json(cs, minimize="cost", what_ifs=False)["plan"]
    assert by_cost["total_cost"] <= by_time["total_cost"]
    assert by_time["total_hours"] <= by_cost["total_hours"]
    capped = plan_json(cs, minimize="time", budget=by_cost["total_cost"], what_ifs=False)
    assert capped["feasible"] and capped["plan"]["total_cost"] <= by_cost["total_cost"]
    broke = plan_json(cs, budget=1.0, what_ifs=False)
    assert not broke["feasible"] and broke["constraint"] == "budget" and "budget" in broke["message"]


def test_filters_keep_only_accepted_formats(cs: Credstack) -> None:
    data = plan_json(cs, formats=["online"], what_ifs=False)
    catalog = cs.planner.data.catalog().catalog
    if data["feasible"]:
        assert all(catalog.by_id[a].format == "online" for a in data["plan"]["achievements"])
    else:
        assert data["constraint"] in ("coverage", "budget")


def test_unknown_target_is_not_found(cs: Credstack) -> None:
    with pytest.raises(NotFoundError):
        cs.planner.plan(LEARNER, "zzzz qqqq nonexistent occupation")
    with pytest.raises(NotFoundError):
        cs.planner.plan(LEARNER, "role:no-such-role")


def test_job_posting_target_extracts_skills(cs: Credstack) -> None:
    posting = "We are hiring a developer: Python, SQL, project management and debugging software are a must."
    spec = cs.planner.target("posting", posting=posting)
    assert spec.kind == "posting" and PYTHON in {r.uri for r in spec.requirements}
    with pytest.raises(InvalidInputError):
        cs.planner.target("posting", posting="   ")


# -- suggestions and audit ----------------------------------------------------------------------------------------


def test_suggestions_start_from_verified_skills(cs: Credstack) -> None:
    found, _notes = cs.planner.suggest(LEARNER, limit=5)
    assert 1 <= len(found) <= 5
    assert SOFTWARE_DEVELOPER in {s.occupation for s in cs.planner.suggest(LEARNER, limit=30)[0]}
    assert all(0 < s.closeness <= 1 and s.gap == pytest.approx(1 - s.closeness) for s in found)
    nothing, why = cs.planner.suggest("nobody@example.org")
    assert nothing == [] and any("verified" in n for n in why)


def test_audit_finds_decay_expiry_and_refreshers(cs: Credstack) -> None:
    report = cs.planner.audit(LEARNER, target=SOFTWARE_DEVELOPER).to_json()
    assert report["at"] == NOW.isoformat()
    assert SKILLS_OF_OLD in {d["uri"] for d in report["decaying"]}
    expiring = report["expiring"]
    assert len(expiring) == 1 and expiring[0]["name"].startswith("ICT debugging tools")
    catalog = cs.planner.data.catalog().catalog
    for refresher in report["refreshers"]:
        assert catalog.by_id[refresher["achievement"]].skills.get(refresher["skill"], 0) >= 1


# -- role profiles and budget -------------------------------------------------------------------------------------


def test_role_profile_crud(database_url: str) -> None:
    with make_app(database_url) as app:
        skills = [{"uri": PYTHON, "level": 3, "weight": 2}, {"uri": SKILLS_OF_OLD}]
        role = app.planner.create_role_profile("acme", "Data engineer", skills, profile_id="data-eng")
        assert [(s.uri, s.level, s.weight) for s in role.skills] == [(PYTHON, 3, 2), (SKILLS_OF_OLD, 3, 1)]
        with pytest.raises(ConflictError):
            app.planner.create_role_profile("acme", "Again", skills, profile_id="data-eng")
        with pytest.raises(InvalidInputError):
            app.planner.create_role_profile("acme", "Bad", [{"uri": PYTHON, "level": 9}])
        app.planner.create_role_profile("other", "Analyst", skills[:1])
        assert [r.id for r in app.planner.role_profiles("acme")] == ["data-eng"]
        changed = app.planner.update_role_profile("data-eng", name="Senior data engineer", skills=skills[:1])
        assert changed.name == "Senior data engineer" and len(changed.skills) == 1
        app.planner.delete_role_profile("data-eng")
        with pytest.raises(NotFoundError):
            app.planner.role_profile("data-eng")


def test_budget_allocation_funds_within_budget(cs: Credstack) -> None:
    role_id = "planner-test-role"
    try:
        cs.planner.role_profile(role_id)
    except NotFoundError:
        cs.planner.create_role_profile(
            "acme", "Developer", [{"uri": SKILLS_OF_OLD, "level": 3, "weight": 3}], profile_id=role_id
        )
    spec = cs.planner.target(f"role:{role_id}")
    assert spec.kind == "role" and spec.requirements[0].uri == SKILLS_OF_OLD
    members = [(LEARNER, role_id), ("newcomer@example.org", role_id)]
    everything = cs.planner.allocate_budget(members, 100_000)
    assert everything.gain > 0 and everything.spent <= 100_000
    none = cs.planner.allocate_budget(members, 0)
    assert none.spent == 0 and all(m.cost == 0 for m in none.members)
    half = cs.planner.allocate_budget(members, everything.spent / 2)
    assert half.spent <= everything.spent / 2 + 1e-9 and half.gain <= everything.gain
    assert half.method == "exact" and "spent" in half.explanation


# -- surfaces -----------------------------------------------------------------------------------------------------


def test_cli_plan_over_the_database(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)
    main(["plan", "--learner", LEARNER, "--target", "software developer", "--hours-per-week", "10", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["feasible"] and data["plan"]["weeks"] > 0
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", "--learner", LEARNER, "--target", SOFTWARE_DEVELOPER, "--budget", "1"])
    assert exit_info.value.code == 1
    assert "no plan" in capsys.readouterr().err
    main(["plan", "audit", "--learner", LEARNER, "--target", SOFTWARE_DEVELOPER])
    audit = capsys.readouterr().out  # the CLI runs at today's date: the 2019 evidence has aged either way
    assert "Quarterly skills audit for ada@example.org" in audit and "decaying: develop software prototype" in audit
    main(["plan", "suggest", "--learner", LEARNER, "--json"])
    assert json.loads(capsys.readouterr().out)["suggestions"]
    main(["plan", "declare", "--learner", "cli@example.org", "--skill", PYTHON, "--level", "3", "--json"])
    assert json.loads(capsys.readouterr().out)["source"] == "self"
    main(["plan", "declare", "--learner", "cli@example.org", "--skill", PYTHON, "--level", "4", "--assessment"])
    assert "assessment result" in capsys.readouterr().out
    with open_planning_app(url) as app:
        claims = {c.source: c.level for c in app.planner.claims("cli@example.org")}
    assert claims == {"self": 3.0, "assessment": 4.0}


def test_api_planner_endpoints(cs: Credstack) -> None:
    client = TestClient(create_app(cs))
    admin = {"Authorization": f"Bearer {cs.tokens.create(['admin'])}"}  # a learner's plan is private
    got = client.get(
        "/api/planner/plan",
        params={"learner": LEARNER, "target": SOFTWARE_DEVELOPER, "hours_per_week": 10},
        headers=admin,
    )
    assert got.status_code == 200 and got.json()["feasible"]
    client.cookies.update(session_cookie(cs, LEARNER))
    twin = client.get("/planner.json", params={"learner": LEARNER, "target": SOFTWARE_DEVELOPER, "hours_per_week": 10})
    client.cookies.clear()
    assert twin.json()["plan"]["achievements"] == got.json()["plan"]["achievements"]
    missing = client.get("/api/planner/plan", params={"learner": LEARNER, "target": "role:nope"}, headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    body = {"org_id": "acme", "name": "Dev", "skills": [{"uri": PYTHON}]}
    assert client.post("/api/planner/roles", json=body).status_code == 401
    if "acme" not in {o.id for o in cs.accounts.list_orgs()}:
        cs.accounts.create_org("Acme", slug="acme")
    acme = {"Authorization": f"Bearer {cs.accounts.create_token('acme', ['employer'])}"}
    elsewhere = {"Authorization": f"Bearer {cs.tokens.create(['employer'])}"}  # the default organisation's
    refused = client.post("/api/planner/roles", json=body, headers=elsewhere)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    made = client.post("/api/planner/roles", json=body, headers=acme)
    assert made.status_code == 201 and made.json()["orgId"] == "acme"
    path = f"/api/planner/roles/{made.json()['id']}"
    assert client.put(path, json={"name": "Not yours"}, headers=elsewhere).status_code == 403
    assert client.delete(path, headers=elsewhere).status_code == 403
    assert client.put(path, json={"name": "Developer"}, headers=acme).json()["name"] == "Developer"
    listed = client.get("/api/planner/roles", params={"org_id": "acme"}).json()["roles"]
    assert made.json()["id"] in {r["id"] for r in listed}
    profile = client.get("/api/planner/profile", params={"learner": LEARNER}, headers=admin).json()
    assert any(s["selfDeclared"] for s in profile["skills"])
