"""The acceptance walkthrough, exactly as the issue states it, with real subprocesses:

    export CREDSTACK_DATABASE_URL=sqlite:////tmp/cs/cs.db
    credstack init                       # prints the issuer's DID
    TOKEN=$(credstack token create --scopes issue,status)
    credstack serve --host 127.0.0.1 --port 8765 &
    curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
      -d '{"credential": <an unsigned OpenBadgeCredential without issuer>}' http://127.0.0.1:8765/credentials/issue
    ../shared/tools/crosscheck/crosscheck verify signed.json    # verified: true
    credstack verify signed.json                                # exit 0
    credstack verify tampered.json                              # exit 1, naming the failing check
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api_support import free_port, unsigned_credential
from conftest import crosscheck_path

CREDSTACK = str(Path(sys.executable).with_name("credstack"))


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env["CREDSTACK_DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def walkthrough_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def server(walkthrough_dir: Path) -> Iterator[tuple[dict[str, str], int]]:
    """`credstack init`, then `credstack serve` in the background on a free port (stopped afterwards)."""
    env = _env(f"sqlite:///{walkthrough_dir / 'cs' / 'cs.db'}")
    init = _run([CREDSTACK, "init"], env, walkthrough_dir)
    assert init.returncode == 0, init.stderr
    assert re.fullmatch(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+", init.stdout.strip()), init.stdout
    env["WALKTHROUGH_DID"] = init.stdout.strip()
    port = free_port()
    proc = subprocess.Popen(
        [CREDSTACK, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=walkthrough_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"credstack serve exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("credstack serve did not answer within 60 s")
            time.sleep(0.2)
        yield env, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


@pytest.mark.crosscheck
def test_the_acceptance_walkthrough(server: tuple[dict[str, str], int], walkthrough_dir: Path) -> None:
    crosscheck = crosscheck_path()
    env, port = server
    cwd = walkthrough_dir

    token = _run([CREDSTACK, "token", "create", "--scopes", "issue,status"], env, cwd)
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip().splitlines()) == 1
    bearer = token.stdout.strip()

    curl = shutil.which("curl")
    assert curl is not None, "the walkthrough uses curl"
    body = json.dumps({"credential": unsigned_credential()})
    issued = _run(
        [
            curl,
            "-s",
            "-w",
            "\n%{http_code}",
            "-H",
            f"Authorization: Bearer {bearer}",
            "-H",
            "content-type: application/json",
            "-d",
            body,
            f"http://127.0.0.1:{port}/credentials/issue",
        ],
        env,
        cwd,
    )
    response, _, status = issued.stdout.rpartition("\n")
    assert status == "201", issued.stdout
    signed = json.loads(response)["verifiableCredential"]
    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["issuer"]["id"] == env["WALKTHROUGH_DID"]
    (cwd / "signed.json").write_text(json.dumps(signed, indent=2), encoding="utf-8")

    reference = _run([str(crosscheck), "verify", "signed.json"], env, cwd)
    assert reference.returncode == 0, reference.stdout + reference.stderr
    assert json.loads(reference.stdout.strip().splitlines()[-1])["verified"] is True

    ours = _run([CREDSTACK, "verify", "signed.json"], env, cwd)
    assert ours.returncode == 0, ours.stdout + ours.stderr

    tampered = json.loads(json.dumps(signed))
    tampered["credentialSubject"]["achievement"]["name"] = "A badge nobody awarded"
    (cwd / "tampered.json").write_text(json.dumps(tampered, indent=2), encoding="utf-8")
    refused = _run([CREDSTACK, "verify", "tampered.json"], env, cwd)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "proof" in refused.stdout + refused.stderr

    reference_tampered = _run([str(crosscheck), "verify", "tampered.json"], env, cwd)
    assert reference_tampered.returncode == 1
