"""``credstack taxonomy load|search|show|about`` end to end through :func:`credstack.cli.main`."""

from __future__ import annotations

import json

import pytest

from credstack.cli import main
from taxonomy_helpers import loaded_database, make_app


def run(*args: str) -> int:
    try:
        main(["taxonomy", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def loaded_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = loaded_database(tmp_path_factory)
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)


def test_load_twice_on_a_fresh_database_says_nothing_changed(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", sqlite_url)
    assert run("load") == 0
    first = capsys.readouterr()
    assert "loaded 281,188 rows" in first.out
    assert "occupation_skills" in first.out and "123,855 rows" in first.out
    assert run("load", "--json") == 0
    again = json.loads(capsys.readouterr().out)
    assert again["changed"] is False
    assert {t["action"] for t in again["tables"]} == {"unchanged"}
    assert run("load") == 0
    assert "nothing to do: the taxonomy is already loaded and unchanged" in capsys.readouterr().out


@pytest.mark.usefixtures("loaded_env")
def test_search_forgives_typos(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("search", "pyhton", "--kind", "skill", "--limit", "3") == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert "Python (computer programming)" in first_line and "skill" in first_line


@pytest.mark.usefixtures("loaded_env")
def test_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("search", "software developer", "--kind", "occupation", "--limit", "4", "--json") == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 4
    assert hits[0]["label"] == "software developer" and hits[0]["match"] == "exact"
    assert {"kind", "scheme", "id", "uri", "score", "matched_label"} <= set(hits[0])


@pytest.mark.usefixtures("loaded_env")
def test_show_occupation_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "2512.4") == 0
    text = capsys.readouterr().out
    assert text.startswith("software developer (ESCO occupation 2512.4)")
    assert "ISCO-08 group: 2512 Software developers" in text
    assert "essential skills (24)" in text and "debug software" in text
    assert run("show", "2512.4", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["essential_skills"]) == 24
    assert data["onet"][0]["id"] == "15-1252.00"


@pytest.mark.usefixtures("loaded_env")
def test_show_onet_lists_flags_titles_and_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "15-1252.00") == 0
    text = capsys.readouterr().out
    assert "Software Developers (O*NET-SOC 15-1252.00, O*NET 29.2)" in text
    assert "[hot, in demand]" in text
    assert "alternate titles" in text and "tasks (" in text


@pytest.mark.usefixtures("loaded_env")
def test_show_skill(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d") == 0
    text = capsys.readouterr().out
    assert text.startswith("Python (computer programming) (ESCO skill, knowledge")
    assert "broader (2)" in text and "computer programming" in text


@pytest.mark.usefixtures("loaded_env")
def test_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "no-such-skill") == 2
    assert "error [not_found]: no skill or occupation 'no-such-skill'" in capsys.readouterr().err
    assert run("search", "  ") == 2
    assert "error [invalid_input]: search text is empty" in capsys.readouterr().err


@pytest.mark.usefixtures("loaded_env")
def test_about_prints_the_attribution(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("about") == 0
    text = capsys.readouterr().out
    assert "ESCO classification, European Commission, v1.1.1" in text
    assert "O*NET 29.2 Database" in text and "occupation_skills 123,855" in text


def test_search_before_load_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_app(sqlite_url).close()  # schema only
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", sqlite_url)
    assert run("search", "python") == 2
    assert "error [taxonomy_not_loaded]: the skills taxonomy is not loaded: run `credstack taxonomy load`" in (
        capsys.readouterr().err
    )
