"""`credstack serve` and `credstack demo` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api_support import free_port
from credstack.app import Credstack
from credstack.settings import Settings

CREDSTACK = str(Path(sys.executable).with_name("credstack"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env["CREDSTACK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    env.update(extra)
    return env


def test_serve_refuses_the_development_secret_outside_development(tmp_path: Path) -> None:
    env = _env(tmp_path, CREDSTACK_DEVELOPMENT="false")
    result = subprocess.run(
        [CREDSTACK, "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "[configuration]" in result.stderr
    assert "CREDSTACK_MASTER_SECRET" in result.stderr


def test_the_serve_module_keeps_imports_light() -> None:
    code = (
        "import sys, credstack.cli.serve; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'sqlalchemy', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_demo_seeds_once_and_prints_where_to_look(tmp_path: Path) -> None:
    env = _env(tmp_path)
    runs = [
        subprocess.run(
            [CREDSTACK, "demo", "--port", "8123", "--no-serve"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout == runs[1].stdout
    out = runs[0].stdout
    for label in ("home page", "verify page", "a credential", "API documentation"):
        assert label in out
    assert "http://127.0.0.1:8123/docs" in out
    assert re.search(r"http://127\.0\.0\.1:8123/credentials/[0-9a-f]{32}", out)

    with Credstack.from_settings(Settings(database_url=env["CREDSTACK_DATABASE_URL"])) as cs:
        issued = cs.issuing.list()
        credentials = [c for c in issued if "EndorsementCredential" not in c.credential["type"]]
        assert len(credentials) == 5 and len(issued) == 6  # and the employer demo's one endorsement
        states = sorted(cs.status.status_of(c.id).state for c in credentials)
        assert states == ["active", "active", "active", "revoked", "suspended"]
        micro = [a for a in cs.achievements.list() if a.achievement_type == "MicroCredential"]
        assert micro
        skills = [al["targetUrl"] for al in micro[0].definition["alignment"]]
        assert all(url.startswith("http://data.europa.eu/esco/skill/") for url in skills)


def test_demo_serves_the_pages_it_prints(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [CREDSTACK, "demo", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(7)]
        revoked_url = next(line.split()[-1] for line in lines if "a revoked one" in line)
        deadline = time.monotonic() + 60
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert home.status_code == 200
        assert "Credstack Demo Academy" in home.text and 'href="/issuer"' in home.text  # issuers, journeys
        page = httpx.get(revoked_url, timeout=30)
        assert page.status_code == 200
        assert re.search(r'class="pill revoked" data-testid="status">revoked<', page.text)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout:
            proc.stdout.close()


def test_serve_refuses_a_database_that_is_not_initialised(tmp_path: Path) -> None:
    result = subprocess.run(
        [CREDSTACK, "serve", "--port", str(free_port())],
        env=_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "run `credstack init`" in result.stderr


def test_serve_get_answers_one_request_in_process(tmp_path: Path) -> None:
    env = _env(tmp_path)
    init = subprocess.run([CREDSTACK, "init"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    did = init.stdout.strip()

    def get(path: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CREDSTACK, "serve", "--get", path], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

    issuers = get("/api/issuers")
    assert issuers.returncode == 0, issuers.stderr
    assert json.loads(issuers.stdout)["issuers"][0]["did"] == did
    missing = get("/status/12345")
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["code"] == "not_found"
