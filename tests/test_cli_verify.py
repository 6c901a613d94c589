"""``credstack verify``: exit codes (0 all verified, 1 otherwise, 2 usage errors), human and --json output,
directories, --document, --at, --allow-unbound-keys, baked images, the process pool for large batches, a lean
import path (no web framework or database), and one run through a real subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import ROOT, VECTORS
from credstack.cli import main
from credstack.cli.verify import PARALLEL_THRESHOLD
from credstack.domain.baking import bake_png
from verification_support import LIST_URL, signed_credential, status_list, with_status

GUIDE = VECTORS / "1edtech-ob-impl-guide" / "obv3p0" / "credential-signed.json"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSTACK_OFFLINE", "true")


def run(*args: str) -> int:
    try:
        main(["verify", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _write(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.fixture
def signed(tmp_path: Path) -> str:
    return _write(tmp_path / "signed.json", signed_credential())


@pytest.fixture
def tampered(tmp_path: Path) -> str:
    doc = signed_credential()
    doc["credentialSubject"]["achievement"]["name"] = "Master Welder"
    return _write(tmp_path / "tampered.json", doc)


def test_signed_exits_0(signed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(signed) == 0
    out = capsys.readouterr().out
    assert out.startswith("verified ") and "signed.json" in out


def test_tampered_exits_1_naming_the_failing_check(tampered: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tampered) == 1
    out = capsys.readouterr().out
    assert "NOT verified" in out and "tampered.json" in out and "failed proof:" in out and "altered" in out


def test_json_output_is_one_object_per_input(signed: str, tampered: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(signed, tampered, "--json") == 1
    lines = capsys.readouterr().out.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [set(r) for r in rows] == [{"file", "verified", "checks"}] * 2
    assert [(r["file"], r["verified"]) for r in rows] == [(signed, True), (tampered, False)]
    assert {"name", "status", "reason"} == set(rows[1]["checks"][0])
    assert [c["name"] for c in rows[1]["checks"] if c["status"] == "fail"] == ["proof"]


def test_a_directory_means_every_file_in_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("b.json", "a.json", "c.json"):
        _write(folder / name, signed_credential(id=f"urn:uuid:{name}"))
    assert run(str(folder), "--json") == 0
    files = [Path(json.loads(line)["file"]).name for line in capsys.readouterr().out.splitlines()]
    assert files == ["a.json", "b.json", "c.json"]


def test_usage_errors_exit_2(tmp_path: Path, signed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(tmp_path / "missing.json")) == 2
    assert "no such file" in capsys.readouterr().err
    assert run(signed, "--document", "no-equals-sign") == 2
    not_json = tmp_path / "list.txt"
    not_json.write_text("not json")
    assert run(signed, "--document", f"{LIST_URL}={not_json}") == 2
    assert run(signed, "--document", f"{LIST_URL}={tmp_path / 'absent.json'}") == 2
    assert run(signed, "--at", "next tuesday") == 2
    assert run(signed, "--at", "2025-01-01T00:00:00") == 2  # no time zone
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(str(empty)) == 2
    assert run() == 2  # no PATH at all
    err = capsys.readouterr().err
    assert "error [invalid_input]" in err


def test_document_supplies_the_status_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = _write(tmp_path / "list.json", status_list((7,)))
    good = _write(tmp_path / "good.json", with_status(6))
    revoked = _write(tmp_path / "revoked.json", with_status(7))
    assert run(good, "--document", f"{LIST_URL}={listing}") == 0
    assert run(revoked, "--document", f"{LIST_URL}={listing}", "--json") == 1
    row = json.loads(capsys.readouterr().out.splitlines()[-1])
    [status] = [c for c in row["checks"] if c["name"] == "status"]
    assert status["status"] == "fail" and status["reason"].startswith("revoked")
    assert run(good, "--json") == 0  # offline without the list: a warning that says what to supply
    row = json.loads(capsys.readouterr().out.splitlines()[-1])
    [status] = [c for c in row["checks"] if c["name"] == "status"]
    assert status["status"] == "warning" and f"--document {LIST_URL}=FILE" in status["reason"]


def test_at_moves_the_clock(tmp_path: Path) -> None:
    doc = _write(tmp_path / "c.json", signed_credential(validUntil="2026-01-01T00:00:00Z"))
    assert run(doc, "--at", "2025-06-01T00:00:00Z") == 0
    assert run(doc, "--at", "2026-06-01T00:00:00+02:00") == 1
    assert run(doc, "--at", "2024-12-31T00:00:00Z") == 1
    assert run(doc, "--at", "2025-12-31") == 0 and run(doc, "--at", "2026-01-02") == 1


def test_allow_unbound_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(GUIDE)) == 1
    assert "--allow-unbound-keys" in capsys.readouterr().out
    assert run(str(GUIDE), "--allow-unbound-keys") == 0
    assert "warnings: issuer_key" in capsys.readouterr().out


def test_a_baked_png(tmp_path: Path) -> None:
    png = tmp_path / "badge.png"
    image = io.BytesIO()
    Image.new("RGB", (2, 2)).save(image, format="PNG")
    png.write_bytes(bake_png(image.getvalue(), signed_credential()))
    assert run(str(png)) == 0


def test_large_batches_use_the_pool_and_keep_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    good = json.dumps(signed_credential())
    bad = json.loads(good)
    bad["name"] = "Forged"
    count = PARALLEL_THRESHOLD + 20
    for i in range(count):
        (folder / f"c{i:04d}.json").write_text(json.dumps(bad) if i == 123 else good)
    assert run(str(folder), "--json") == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["file"]).name for r in rows] == [f"c{i:04d}.json" for i in range(count)]
    assert [i for i, r in enumerate(rows) if not r["verified"]] == [123]


def test_verify_imports_no_web_framework_or_database() -> None:
    code = (
        "import sys\n"
        "from credstack.cli import _register\n"
        "_register()\n"
        "import credstack.services.verifying, credstack.domain.verification\n"
        "heavy = {'fastapi', 'starlette', 'sqlalchemy', 'uvicorn', 'jinja2', 'alembic', 'psycopg', 'httpx'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_through_a_real_subprocess(signed: str, tampered: str) -> None:
    credstack = Path(sys.executable).parent / "credstack"
    env = {**os.environ, "CREDSTACK_OFFLINE": "true"}
    done = subprocess.run([str(credstack), "verify", signed, "--json"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verified"] is True
    done = subprocess.run([str(credstack), "verify", signed, tampered], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "NOT verified" in done.stdout and "proof" in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["verify", "--at", "x", "--nope"], "No such option: --nope (see `credstack verify --help`)"),
        (["audit", "list", "--limit", "2000"], "Invalid value for '--limit'"),
        (["catalog", "search", "x", "--max-price", "abc"], "Invalid value for '--max-price'"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_a_mistyped_command_line_is_one_readable_line(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error [invalid_input]: ") and says in err
