"""``credstack skills link|extract`` end to end through :func:`credstack.cli.main`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from credstack.cli import main

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index cache goes to a temporary folder, never the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


def run(*args: str) -> int:
    try:
        main(["skills", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_link_prints_one_json_line_per_input_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "postings.txt"
    text.write_text("Experience with Python and project management.\n\nSQL databases\n", encoding="utf-8")
    assert run("link", str(text)) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[1]["skills"] == []
    first = lines[0]["skills"]
    assert len(first) == 10
    assert set(first[0]) == {"uri", "label", "score"}
    assert PYTHON in [s["uri"] for s in first[:3]]
    assert [s["score"] for s in first] == sorted((s["score"] for s in first), reverse=True)


def test_link_reads_stdin_and_honours_top(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, b"Python developer\nproject management\n")
    assert run("link", "--top", "3") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and all(len(line["skills"]) == 3 for line in lines)


def test_extract_shows_spans_and_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "cv.txt"
    text.write_text("Built reports in Microsoft Excel\n", encoding="utf-8")
    assert run("extract", str(text)) == 0
    out = capsys.readouterr().out
    assert "1:17-32 Microsoft Excel -> " in out and "onet" in out
    assert run("extract", "--json", str(text)) == 0
    line = json.loads(capsys.readouterr().out)
    mention = next(m for m in line["mentions"] if m["text"] == "Microsoft Excel")
    assert (mention["start"], mention["end"]) == (17, 32)
    assert {"uri", "label", "scheme", "score"} <= set(mention["links"][0])


def test_non_utf8_input_is_one_readable_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Gestión de proyectos\n".encode("latin-1"))
    assert run("link", str(bad)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error [not_utf8]") and "latin1.txt is not UTF-8" in err and "\n" not in err


def test_unreadable_path_is_one_readable_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("extract", str(tmp_path / "missing.txt")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error [invalid_input]: cannot read") and "\n" not in err
    assert run("link", str(tmp_path)) == 2  # a directory


def test_top_below_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("link", "--top", "0") != 0


def test_registering_the_commands_loads_no_index_or_numpy() -> None:
    code = (
        "import sys\n"
        "from credstack.cli import _register\n"
        "_register()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy' or m.startswith('credstack.skills')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_index_cache_round_trips_and_survives_a_corrupt_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credstack.cli import _skills_index
    from credstack.skills import default_linker

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _skills_index.cache_dir() / f"skills-{_skills_index.fingerprint()}.pickle"
    assert path.parent == tmp_path / "credstack"
    _skills_index._write(path, default_linker())
    loaded = _skills_index._read(path)
    assert loaded is not None
    assert [x.uri for x in loaded.link("Python and SQL", top=3)] == [
        x.uri for x in default_linker().link("Python and SQL", top=3)
    ]
    path.write_bytes(b"not a pickle")
    assert _skills_index._read(path) is None  # a broken cache is rebuilt, never an error


def test_extract_method_tagged_and_lexical_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "posting.txt"
    text.write_text("You will work independently in a fast-paced environment\n", encoding="utf-8")
    assert run("extract", "--json", "--method", "tagged", str(text)) == 0
    tagged = json.loads(capsys.readouterr().out)["mentions"]
    assert [m["text"] for m in tagged] == ["work independently in a fast-paced environment"]
    assert set(tagged[0]) == {"start", "end", "text", "score", "links"}  # the output format is unchanged
    assert run("extract", "--json", "--method", "lexical", str(text)) == 0
    lexical = json.loads(capsys.readouterr().out)["mentions"]
    assert "work independently" in [m["text"] for m in lexical]
    assert run("extract", "--method", "bogus", str(text)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error [invalid_input]") and "--method" in err and "\n" not in err
