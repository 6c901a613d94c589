"""``credstack plan``: --json output as the issue specifies, the readable table, --minimize, exit 1 with the
binding constraint when no plan is feasible, exit 2 with the file and JSON path for bad files, a lean import
path, and one run through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credstack.cli import main

PY, SQL, ML = (f"https://skills.example/{name}" for name in ("python", "sql", "ml"))
CATALOG = [
    {"id": "intro", "skills": {PY: 1}, "hours": 10, "cost": 0, "prerequisites": []},
    {"id": "data", "skills": {PY: 3, SQL: 2}, "hours": 40, "cost": 500, "prerequisites": ["intro"]},
    {"id": "sql", "skills": {SQL: 3}, "hours": 20, "cost": 300},
    {"id": "ml", "skills": {ML: 2, PY: 2}, "hours": 60, "cost": 900.5, "prerequisites": ["data"]},
    {"id": "pyfast", "skills": {PY: 2}, "hours": 15, "cost": 1200, "language": "en"},
]
LEARNER = {"skills": {PY: 1}, "held": [], "budget": 1000}
TARGET = {
    "skills": [
        {"uri": PY, "weight": 2, "level": 2},
        {"uri": SQL, "weight": 1, "level": 2},
        {"uri": ML, "weight": 1, "level": 2},
    ],
    "coverage": 0.75,
}


def write(path: Path, value: Any) -> str:
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "--catalog": write(tmp_path / "catalog.json", CATALOG),
        "--learner": write(tmp_path / "learner.json", LEARNER),
        "--target": write(tmp_path / "target.json", TARGET),
    }


def run(files: dict[str, str], *extra: str, **replace: str) -> int:
    args = ["plan"]
    for flag, path in {**files, **{f"--{k}": v for k, v in replace.items()}}.items():
        args += [flag, path]
    try:
        main([*args, *extra])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_json_output(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(files, "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "achievements": ["intro", "data"],
        "total_hours": 50.0,
        "total_cost": 500.0,
        "coverage": 0.75,
        "optimal": True,
    }


def test_minimize_cost(files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = write(tmp_path / "py.json", {"skills": [{"uri": PY, "weight": 1, "level": 2}], "coverage": 1})
    learner = write(tmp_path / "rich.json", {"skills": {}})
    assert run(files, "--json", target=target, learner=learner) == 0
    assert json.loads(capsys.readouterr().out)["achievements"] == ["pyfast"]
    assert run(files, "--json", "--minimize", "cost", target=target, learner=learner) == 0
    assert json.loads(capsys.readouterr().out)["achievements"] == ["intro", "data"]


def test_readable_table(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(files) == 0
    out = capsys.readouterr().out
    assert out.index("intro") < out.index("data")
    assert "500.00" in out
    assert "total 50 hours, cost 500.00, coverage 75% (proven optimal)" in out


def test_infeasible_budget_exits_1_naming_it(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    learner = write(tmp_path / "poor.json", {"skills": {PY: 1}, "held": [], "budget": 100})
    assert run(files, learner=learner) == 1
    assert "the cheapest plan reaching 75% coverage costs 500.00, over the budget of 100.00" in capsys.readouterr().err
    assert run(files, "--json", learner=learner) == 1
    assert json.loads(capsys.readouterr().out) == {
        "feasible": False,
        "constraint": "budget",
        "message": "the cheapest plan reaching 75% coverage costs 500.00, over the budget of 100.00",
    }


def test_unreachable_coverage_exits_1(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = write(
        tmp_path / "t.json", {**TARGET, "skills": [*TARGET["skills"], {"uri": "x:viz", "weight": 4, "level": 1}]}
    )
    assert run(files, target=target) == 1
    assert (
        "no plan reaches 75% coverage: the catalog covers at most 50% of the target weight" in capsys.readouterr().err
    )


def test_held_achievements_from_the_learner_file(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    learner = write(tmp_path / "held.json", {"skills": {}, "held": ["data"], "budget": None})
    assert run(files, "--json", learner=learner) == 0
    assert json.loads(capsys.readouterr().out)["achievements"] == []


@pytest.mark.parametrize(
    ("which", "content", "expected"),
    [
        (
            "catalog",
            "[{",
            "catalog.json is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 3)",
        ),
        (
            "catalog",
            [{"id": "a", "skills": {}, "hours": "ten", "cost": 0}],
            'hours must be a number, got "ten" (at {path} $[0].hours)',
        ),
        (
            "catalog",
            [{"id": "a", "skills": {PY: "x"}, "hours": 1, "cost": 0}],
            f'a skill level must be a number, got "x" (at {{path}} $[0].skills["{PY}"])',
        ),
        (
            "catalog",
            [{"id": "a", "skills": {}, "hours": 1, "cost": -5}],
            "cost must be a number >= 0, got -5 (at {path} $[0].cost)",
        ),
        (
            "catalog",
            [{"id": "a", "skills": {}, "hours": 1, "cost": 0, "prerequisite": []}],
            "unknown member 'prerequisite' in an achievement",
        ),
        (
            "catalog",
            [{"id": "a", "skills": {}, "hours": 1, "cost": 0}, {"id": "a", "skills": {}, "hours": 1, "cost": 0}],
            "id 'a' is already used at $[0] (at {path} $[1].id)",
        ),
        (
            "catalog",
            [
                {"id": "a", "skills": {}, "hours": 1, "cost": 0, "prerequisites": ["b"]},
                {"id": "b", "skills": {}, "hours": 1, "cost": 0, "prerequisites": ["a"]},
            ],
            "prerequisite cycle: a -> b -> a",
        ),
        ("catalog", {"id": "a"}, "the catalog must be a JSON list of achievements, got an object (at {path} $)"),
        ("catalog", '[{"id": "a", "id": "b"}]', "duplicate member name 'id'"),
        ("catalog", '[{"id": "a", "skills": {}, "hours": NaN, "cost": 0}]', "NaN is not a JSON value"),
        ("learner", {"skills": {}, "budget": "lots"}, 'budget must be a number, got "lots" (at {path} $.budget)'),
        ("learner", {"held": "data"}, "held must be a list of achievement ids, got a string (at {path} $.held)"),
        (
            "target",
            {"skills": [{"uri": PY, "weight": 0, "level": 1}], "coverage": 1},
            "weight must be a number > 0, got 0 (at {path} $.skills[0].weight)",
        ),
        (
            "target",
            {"skills": [{"uri": PY, "weight": 1, "level": 1}], "coverage": 90},
            "coverage is a share between 0 and 1 (0.9 for 90%), got 90.0 (at {path} $.coverage)",
        ),
        ("target", {"skills": [], "coverage": 1}, "skills must be a non-empty list, got [] (at {path} $.skills)"),
        (
            "target",
            {"skills": [{"uri": PY, "weight": 1}], "coverage": 1},
            "a target skill has no 'level' (at {path} $.skills[0])",
        ),
    ],
)
def test_bad_files_exit_2_naming_the_file_and_json_path(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path, which: str, content: Any, expected: str
) -> None:
    path = write(tmp_path / f"{which}.json", content)
    assert run(files, **{which: path}) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "error [invalid_input]" in err
    assert " ".join(expected.format(path=path).split()) in err


def test_missing_file_and_bad_options_exit_2(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(files, catalog=str(tmp_path / "nope.json")) == 2
    assert "cannot read" in capsys.readouterr().err
    assert run(files, "--minimize", "money") == 2
    assert "--minimize must be 'time' or 'cost'" in capsys.readouterr().err


def test_importing_the_cli_does_not_import_the_solver() -> None:
    code = (
        "import sys\nfrom credstack.cli import _register\n_register()\n"
        "print('ortools' in sys.modules, 'credstack.planner.solve' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_subprocess_end_to_end(files: dict[str, str]) -> None:
    args = [sys.executable, "-c", "from credstack.cli import main; main()", "plan", "--json"]
    for flag, path in files.items():
        args += [flag, path]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["achievements"] == ["intro", "data"]


def test_pace_in_the_learner_file_adds_a_schedule(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    learner = write(tmp_path / "pace.json", {**LEARNER, "hours_per_week": 8})
    assert run(files, learner=learner) == 0
    out = capsys.readouterr().out
    assert "weeks" in out and "0-1.25" in out and "1.25-6.25" in out
    late = write(tmp_path / "late.json", {**LEARNER, "hours_per_week": 8, "max_weeks": 5})
    assert run(files, learner=late) == 1
    # 35 hours would fit but costs 1,500.00; 500.00 fits the budget but takes 50 hours
    assert (
        "no plan reaching 75% coverage fits both the budget of 1,000.00 and the limit of 40 hours; "
        "each alone can be met" in capsys.readouterr().err
    )
