"""The issuer-side CLI end to end: init, token, issuer, achievement, issue (one, roster, resume), status changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from credstack.app import Credstack
from credstack.cli import main
from credstack.proofs.data_integrity import verify
from credstack.proofs.keys import resolve_did_key_vm
from credstack.settings import Settings

SECRET = "cli-test-secret-0123456789"


class Cli:
    """Runs ``credstack ...`` in-process against one database, returning (exit code, stdout, stderr)."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.url = url
        self.capsys = capsys
        monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)
        monkeypatch.setenv("CREDSTACK_MASTER_SECRET", SECRET)
        monkeypatch.setenv("CREDSTACK_BASE_URL", "https://badges.example.edu")
        monkeypatch.setenv("COLUMNS", "200")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, err
        return out

    def app(self) -> Credstack:
        return Credstack.from_settings(
            Settings(database_url=self.url, master_secret=SECRET, base_url="https://badges.example.edu")
        )


@pytest.fixture
def cli(database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(database_url, capsys, monkeypatch)


def test_commands_refuse_an_uninitialised_database(cli: Cli) -> None:
    code, out, err = cli("token", "create", "--scopes", "issue")
    assert code == 2 and out == ""
    assert "[configuration]" in err and "credstack init" in err


def test_init_token_issuer_achievement_issue_and_status(cli: Cli, tmp_path: Path) -> None:
    did = cli.ok("init").strip()
    assert did.startswith("did:key:z6Mk")
    code, again, err = cli("init")
    assert code == 0 and again.strip() == did and "already there" in err

    token = cli.ok("token", "create", "--scopes", "issue,status", "--name", "ci").strip()
    assert token.startswith("cs_") and "\n" not in token
    with cli.app() as app:
        assert app.tokens.authenticate(token).scopes == {"issue", "status"}
    code, _, err = cli("token", "create", "--scopes", "issue,root")
    assert code == 2 and "unknown scope" in err

    web = cli.ok("issuer", "create", "Faculty of Arts", "--method", "web", "--slug", "arts").strip()
    assert web == "did:web:badges.example.edu:issuers:arts"
    listing = cli.ok("issuer", "list")
    assert did in listing and web in listing and "arts" in listing

    achievement = cli.ok(
        "achievement", "create",
        "--name", "Intro to SQL",
        "--description", "Writes SELECT queries.",
        "--criteria", "Pass the SQL quiz.",
        "--type", "MicroCredential",
        "--credits", "1",
        "--alignment", "SQL|https://skills.example.org/sql|SQL-1||CFItem",
        "--result-description", "Grade|LetterGrade|A,B,C",
    ).strip()  # fmt: skip
    assert achievement in cli.ok("achievement", "list")
    code, _, err = cli(
        "achievement", "create", "--name", "X", "--description", "Y", "--criteria", "Z", "--type", "Nope"
    )
    assert code == 2 and "achievementType" in err

    out_file = tmp_path / "ann.json"
    credential_id = cli.ok(
        "issue", "--achievement", achievement, "--recipient", "ann@example.org", "--name", "Ann",
        "--result", "A", "--suite", "jcs", "--out", str(out_file),
    ).strip()  # fmt: skip
    signed = json.loads(out_file.read_text())
    assert signed["id"].endswith(credential_id) and signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert signed["issuer"]["id"] == did
    assert signed["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] == "SQL-1"
    grade = signed["credentialSubject"]["achievement"]["resultDescription"][0]
    assert (grade["resultType"], grade["allowedValue"]) == ("LetterGrade", ["A", "B", "C"])
    assert signed["credentialSubject"]["result"] == [
        {"type": ["Result"], "value": "A", "resultDescription": grade["id"]}
    ]
    assert all(r.verified for r in verify(signed, resolve=resolve_did_key_vm))

    printed = json.loads(cli.ok("issue", "--achievement", achievement, "--recipient", "did:example:bo"))
    assert printed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert printed["credentialSubject"]["id"] == "did:example:bo"

    assert "suspended (state suspended)" in cli.ok("suspend", credential_id)
    assert "unsuspended (state active)" in cli.ok("unsuspend", credential_id)
    assert "revoked (state revoked)" in cli.ok("revoke", signed["id"])
    assert "already revoked; nothing to do" in cli.ok("revoke", credential_id)
    code, _, err = cli("unsuspend", credential_id)
    assert code == 2 and "[conflict]" in err and "cannot be unsuspended" in err
    shown = cli.ok("status", credential_id)
    assert shown.startswith(f"{credential_id}: revoked") and "revocation https://badges.example.edu/status/" in shown
    listing = cli.ok("status")
    assert credential_id in listing and "revoked" in listing and "active" in listing and "Intro to SQL" in listing
    code, _, err = cli("revoke", "no-such-credential")
    assert code == 2 and "[not_found]" in err
    with cli.app() as app:
        assert app.verifier.verify(signed).verified is False
        assert app.verifier.verify(printed).verified is True

    code, _, err = cli("issuer", "rotate-key", "did:key:z6MkNoSuchIssuer")
    assert code == 2 and "'did:key:z6MkNoSuchIssuer'" in err  # printed as is (no Rich emoji for ":key:")
    rotated = cli.ok("issuer", "rotate-key", did).strip()
    assert rotated.startswith("did:key:") and rotated != did
    with cli.app() as app:
        assert app.issuers.default().former_dids == (did,)
        assert app.verifier.verify(printed).verified is True  # issued before the rotation


def test_roster_runs_as_a_job_and_resumes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    achievement = cli.ok(
        "achievement", "create", "--name", "Welding", "--description", "Welds.", "--criteria", "Weld."
    ).strip()
    roster = tmp_path / "roster.csv"
    roster.write_text("recipient,name,result\nann@example.org,Ann,A\nnobody,No One,B\ndid:example:cy,Cy,\n")
    code, out, err = cli("issue", "--achievement", achievement, "--roster", str(roster))
    assert code == 1, err  # a row was rejected
    job = out.strip()
    assert "3 rows read, 2 issued, 0 skipped (already issued), 1 rejected, 0 pending" in err
    assert "line 3: [invalid_input]" in err and f"credstack issue --resume {job}" in err
    code, out, err = cli("issue", "--resume", job)
    assert code == 1 and out.strip() == job and "2 issued" in err and "0 pending" in err
    clean = tmp_path / "clean.csv"
    clean.write_text("recipient\ndid:example:dee\n")
    code, out, err = cli("issue", "--achievement", achievement, "--roster", str(clean))
    assert code == 0 and "1 issued" in err
    with cli.app() as app:
        assert len(app.issuing.list()) == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"recipient\nann@example.org\nb\xff@example.org\n")
    code, _, err = cli("issue", "--achievement", achievement, "--roster", str(bad))
    assert code == 2 and "[invalid_roster]" in err and "line 3" in err
    code, _, err = cli("issue", "--achievement", achievement)
    assert code == 2 and "--recipient is required" in err


def test_token_substitution_in_a_shell(sqlite_url: str, tmp_path: Path) -> None:
    """The acceptance walkthrough: ``credstack init`` then ``TOKEN=$(credstack token create --scopes issue,status)``."""
    env = {**os.environ, "CREDSTACK_DATABASE_URL": sqlite_url, "CREDSTACK_MASTER_SECRET": SECRET}
    credstack = str(Path(sys.executable).parent / "credstack")
    script = (
        f'set -e; "{credstack}" init >/dev/null 2>&1; '
        f'TOKEN=$("{credstack}" token create --scopes issue,status); printf "%s" "$TOKEN"'
    )
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path, check=True)
    token = done.stdout
    assert token.startswith("cs_") and token == token.strip()
    with Credstack.from_settings(Settings(database_url=sqlite_url, master_secret=SECRET)) as app:
        assert app.tokens.authenticate(token).allows("status")


def test_init_warns_about_the_development_secret(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDSTACK_MASTER_SECRET")
    code, out, err = cli("init")
    assert code == 0 and out.startswith("did:key:") and "development CREDSTACK_MASTER_SECRET" in err
    monkeypatch.setenv("CREDSTACK_MASTER_SECRET", SECRET)
    assert "development" not in cli("init")[2]


def test_outside_development_the_default_secret_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDSTACK_MASTER_SECRET")
    monkeypatch.setenv("CREDSTACK_DEVELOPMENT", "false")
    code, out, err = cli("init")
    assert code == 2 and out == "" and "[configuration]" in err and "CREDSTACK_MASTER_SECRET" in err
