"""`credstack pathway ...` and `credstack progress` as a user runs them (through the CLI entry point, in process: the
same parsing, error mapping and exit codes as the installed command): output, --json, exit codes, and one readable
line for bad input (an unknown pathway, an invalid tree with the path in the message, a file that is not JSON)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from credstack.app import Credstack
from credstack.catalog.model import CatalogEntry, SkillAlignment
from credstack.cli import main
from credstack.settings import Settings

SECRET = "test-master-secret-0123456789"
SKILL = "http://data.europa.eu/esco/skill/"
LEARNER = "ada@example.org"


def _stack(n: int = 1) -> dict[str, Any]:
    return {
        "id": "two-units",
        "name": "Two units",
        "credits": 10,
        "requirement": {
            "type": "n-of",
            "n": n,
            "requirements": [
                {"type": "achievement", "achievementId": "u1"},
                {"type": "achievement", "achievementId": "u2"},
            ],
        },
    }


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("pathway-cli")
    url = f"sqlite:///{folder / 'credstack.db'}"
    with Credstack.from_settings(Settings(database_url=url, master_secret=SECRET)) as cs:
        cs.init("Example College")
        entries = [
            CatalogEntry(
                id=f"u{i}",
                source="local",
                name=f"Unit {i}",
                description=f"Unit {i}.",
                provider="Example College",
                skills=(SkillAlignment(f"{SKILL}s{i}", f"skill {i}", 2),),
                ects=5,
                effort_hours=30,
                price=150.0 * i,
            )
            for i in (1, 2)
        ]
        cs.catalog.replace_source("local", entries)
        unit1 = cs.catalog.publish("u1").id
        cs.catalog.publish("u2")
        cs.issuing.issue(unit1, recipient=LEARNER)
    return {"CREDSTACK_DATABASE_URL": url, "CREDSTACK_MASTER_SECRET": SECRET, "FOLDER": str(folder)}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    for name in list(os.environ):
        if name.startswith("CREDSTACK_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("CREDSTACK_"):
            monkeypatch.setenv(name, value)

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def test_create_list_show_progress_and_awards(env: dict[str, str], run: Any) -> None:
    stack = Path(env["FOLDER"]) / "two-of.json"
    stack.write_text(json.dumps(_stack(n=2)), encoding="utf-8")
    created = run("pathway", "create", str(stack))
    assert created.returncode == 0, created.stderr
    assert "pathway two-units stored (version 1)" in created.stdout
    assert "two-units" in run("pathway", "list").stdout
    shown = run("pathway", "show", "two-units").stdout
    assert "- Any 2 of:" in shown and "  - Unit 1" in shown and "  - Unit 2" in shown

    text = run("progress", "--learner", LEARNER, "--pathway", "two-units")
    assert text.returncode == 0, text.stderr
    assert "50%" in text.stdout and "✓ Unit 1" in text.stdout and "✗ Unit 2" in text.stdout
    assert "Unit 2 (u2)" in text.stdout  # the cheapest remaining set
    data = json.loads(run("progress", "--learner", LEARNER, "--pathway", "two-units", "--json").stdout)
    assert data["percent"] == 50.0 and data["satisfied"] is False
    assert [a["id"] for a in data["remaining"]["achievements"]] == ["u2"]

    stack.write_text(json.dumps(_stack(n=1)), encoding="utf-8")
    assert run("pathway", "create", str(stack)).returncode == 2  # exists: --replace needed
    replaced = run("pathway", "create", str(stack), "--replace")
    assert "version 2" in replaced.stdout
    assert run("pathway", "awards", "--json").stdout.strip() == "[]"  # awards happen on issuance
    evaluated = run("pathway", "evaluate", "--learner", LEARNER)
    assert evaluated.returncode == 0 and "1 new award(s)" in evaluated.stdout
    awards = json.loads(run("pathway", "awards", "--json").stdout)
    assert [(a["pathwayId"], a["status"]) for a in awards] == [("two-units", "awarded")]
    assert "no awards flagged for review" in run("pathway", "awards", "--review").stdout


def test_bad_input_is_one_readable_line_and_exit_2(env: dict[str, str], run: Any) -> None:
    unknown = run("progress", "--learner", LEARNER, "--pathway", "no-such-pathway")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "error [not_found]: no pathway 'no-such-pathway' (`credstack pathway list` lists them)"
    )
    assert run("pathway", "show", "no-such-pathway").returncode == 2

    broken = Path(env["FOLDER"]) / "broken.json"
    broken.write_text(json.dumps(_stack(n=3) | {"id": "broken"}), encoding="utf-8")
    invalid = run("pathway", "create", str(broken))
    assert invalid.returncode == 2
    assert "[invalid_qualification]" in invalid.stderr
    assert "qualification broken > n-of(3)" in invalid.stderr
    assert len(invalid.stderr.strip().splitlines()) == 1

    typo = _stack() | {"id": "typo"}
    typo["requirement"]["requirements"][1]["acheivementId"] = "u2"
    broken.write_text(json.dumps(typo), encoding="utf-8")
    unknown_member = run("pathway", "create", str(broken))
    assert unknown_member.returncode == 2 and "$.requirement.requirements[1]" in unknown_member.stderr

    broken.write_text("{not json", encoding="utf-8")
    not_json = run("pathway", "create", str(broken))
    assert not_json.returncode == 2 and "is not JSON" in not_json.stderr
    missing = run("pathway", "create", str(Path(env["FOLDER"]) / "nowhere.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    assert "broken" not in run("pathway", "list").stdout and "typo" not in run("pathway", "list").stdout
