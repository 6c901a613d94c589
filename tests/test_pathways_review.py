"""Awards after the fact, on SQLite and PostgreSQL with a controllable clock: a component that expires shows the
award under review on every read at once, without writing anything; the review sweep and the write events for the
learner record it (a component that stops verifying, or leaves the wallet, is found by the sweep), idempotently; a
renewal restores it; a person keeps it by unsuspending the award credential; unsuspending a suspended component
restores it. Credentials imported into the learner's wallet count, and an import that completes a stack awards it
(through an articulation rule), shown as counting on the progress page."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.cli import main
from credstack.services.issuing import IssuedCredential
from credstack.settings import Settings
from credstack.storage.models import Base
from credstack.storage.pathway_tables import PathwayAward
from credstack.web.session import SESSION_COOKIE
from issuer_support import BASE_URL, Clock, open_app
from pathway_support import publish_units

LEARNER = "ada@example.org"
ELSEWHERE = "https://elsewhere.example"

CERT: dict[str, Any] = {
    "id": "cert",
    "name": "Test certificate",
    "credits": 15,
    "requirement": {
        "type": "all-of",
        "requirements": [
            {"type": "achievement", "achievementId": "u1"},
            {
                "type": "n-of",
                "n": 1,
                "requirements": [
                    {"type": "achievement", "achievementId": "u2"},
                    {"type": "achievement", "achievementId": "u3"},
                ],
            },
            {"type": "credits", "credits": 15},
        ],
    },
}


def _catalog(cs: Credstack) -> dict[str, str]:
    return publish_units(cs, 4)


def _awarded_with_expiring_unit(cs: Credstack, clock: Clock) -> dict[str, IssuedCredential]:
    """The certificate awarded on u1 (valid for 30 days), u2 and u4."""
    units = _catalog(cs)
    cs.pathways.create(CERT)
    issued = {"u1": cs.issuing.issue(units["u1"], recipient=LEARNER, valid_until=clock.now + timedelta(days=30))}
    for unit in ("u2", "u4"):
        issued[unit] = cs.issuing.issue(units[unit], recipient=LEARNER)
    [award] = cs.pathways.awards.list()
    assert award.status == "awarded"
    assert {c["achievementId"] for c in award.components} == {"u1", "u2", "u4"}
    return issued


def _database(cs: Credstack) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (to show that a read left the database as it was)."""
    with cs.db.read() as session:
        return {
            table.name: sorted((tuple(map(repr, row)) for row in session.execute(sa.select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def test_an_expired_component_shows_on_read_without_writing_and_the_sweep_records_it(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        _awarded_with_expiring_unit(cs, clock)
        ada = cs.accounts.create_person(LEARNER, name="Ada")
        reads = []
        facts = cs.pathways.facts
        cs.pathways.facts = lambda *a, **k: reads.append(a) or facts(*a, **k)  # type: ignore[method-assign]
        clock.advance(days=29)
        assert cs.pathways.awards.list()[0].status == "awarded"
        assert reads == []  # nothing expired: listing verified nothing

        clock.advance(days=2)  # u1 expired a day ago: every read shows it at once, and none writes
        raw, _ = cs.accounts.start_session(ada.id)
        token = {"Authorization": f"Bearer {cs.tokens.create(['status'])}"}
        before = _database(cs)
        [award] = cs.pathways.awards.list()
        assert award.status == "review" and not award.recorded and award.flagged_at is None
        assert award.review_reason is not None
        assert "Unit 1" in award.review_reason and "expired on 2026-03-31" in award.review_reason
        assert cs.pathways.awards.list(status="review") == [award] and cs.pathways.awards.list(status="awarded") == []
        result = cs.pathways.progress(LEARNER, "cert")
        assert result.award is not None and result.award.status == "review"
        assert "expired on 2026-03-31" in result.to_json()["award"]["reviewReason"]
        with TestClient(create_app(cs)) as client:
            client.cookies.update({SESSION_COOKIE: raw})
            mine = client.get("/pathways", params={"learner": LEARNER})
            page = client.get("/pathways/cert", params={"learner": LEARNER})
            listed = client.get("/api/awards", headers=token)
            counts = client.get("/api/pathways/cert").json()["awards"]
        assert "Under review: Unit 1 (credential issued " in mine.text and "expired on 2026-03-31" in mine.text
        assert "Under review: Unit 1 (credential issued " in page.text and "1 flagged for review" in page.text
        [shown] = listed.json()["awards"]
        assert shown["status"] == "review" and "expired on 2026-03-31" in shown["reviewReason"]
        assert shown["recorded"] is False and counts["review"] == 1
        assert _database(cs) == before  # no award flagged, no credential suspended, no audit event
        assert award.award_credential_id is not None and award.clr_credential_id is not None
        assert cs.status.status_of(award.award_credential_id).state == "active"  # recorded by the sweep, below

        clock.advance(hours=1)
        report = cs.pathways.sweep()  # credstack pathway review records it, suspends the award and logs why
        [flagged] = report.flagged
        assert flagged.recorded and flagged.flagged_at == clock.now and flagged.review_reason == award.review_reason
        assert cs.status.status_of(award.award_credential_id).state == "suspended"  # never silently valid
        assert cs.status.status_of(award.clr_credential_id).state == "suspended"
        [held] = [e for e in cs.status.history(award.award_credential_id) if e["action"] == "credential.suspended"]
        assert held["actor"] == "pathway review" and "expired on 2026-03-31" in held["detail"]["reason"]
        assert cs.pathways.awards.list() == [flagged]

        clock.advance(hours=1)
        again = cs.pathways.sweep()  # idempotent: flagged once, the reason and time kept
        assert (again.checked, again.flagged, again.restored) == (1, (), ())
        assert cs.pathways.awards.list() == [flagged]

        units = {c["achievementId"]: c for c in flagged.components}
        assert units["u1"].get("validUntil") is not None
        renewed = cs.issuing.issue(cs.catalog.publish("u1").id, recipient=LEARNER)  # the issuing listener re-checks
        [back] = cs.pathways.awards.list()
        assert back.status == "awarded" and "restored" in (back.review_reason or "")
        assert cs.status.status_of(award.award_credential_id).state == "active"
        assert cs.verifier.verify(cs.issuing.get(award.award_credential_id).credential).verified
        assert renewed.id != cs.issuing.get(award.award_credential_id).id


def test_an_issuance_for_the_learner_records_an_expiry_that_reads_only_showed(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        _awarded_with_expiring_unit(cs, clock)
        clock.advance(days=31)
        assert not cs.pathways.awards.list()[0].recorded
        cs.issuing.issue(cs.catalog.publish("u3").id, recipient="someone.else@example.org")  # not Ada's: unchanged
        assert not cs.pathways.awards.list()[0].recorded
        cs.issuing.issue(cs.catalog.publish("u3").id, recipient=LEARNER)  # but u3 does not replace u1
        [award] = cs.pathways.awards.list()
        assert award.status == "review" and award.recorded and award.flagged_at == clock.now
        assert award.award_credential_id is not None
        assert cs.status.status_of(award.award_credential_id).state == "suspended"


def test_a_person_keeps_a_flagged_award_by_unsuspending_it_and_it_is_not_flagged_again(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        issued = _awarded_with_expiring_unit(cs, clock)
        clock.advance(days=31)
        report = cs.pathways.sweep()
        assert report.checked == 1 and len(report.flagged) == 1
        award = report.flagged[0]
        assert award.award_credential_id is not None and award.clr_credential_id is not None

        cs.status.unsuspend(award.award_credential_id)  # a person decides to keep it
        [kept] = cs.pathways.awards.list()
        assert kept.status == "awarded" and (kept.review_reason or "").startswith("kept")
        assert cs.status.status_of(award.clr_credential_id).state == "active"  # its CLR follows
        assert cs.pathways.sweep().flagged == ()  # the same expiry is not flagged again
        assert cs.pathways.awards.list()[0].status == "awarded"

        cs.status.revoke(issued["u2"].id)  # a new failure is
        [flagged] = cs.pathways.awards.list(status="review")
        assert "revoked" in (flagged.review_reason or "")


def test_unsuspending_the_suspended_component_restores_the_award_unless_the_award_was_revoked(
    database_url: str,
) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        issued = _awarded_with_expiring_unit(cs, clock)
        [award] = cs.pathways.awards.list()
        assert award.award_credential_id is not None
        cs.status.suspend(issued["u2"].id)
        assert cs.pathways.awards.list()[0].status == "review"
        clock.advance(days=1)
        cs.status.unsuspend(issued["u2"].id)
        [back] = cs.pathways.awards.list()
        assert back.status == "awarded" and "unsuspended" in (back.review_reason or "")
        assert cs.status.status_of(award.award_credential_id).state == "active"

        cs.status.suspend(issued["u2"].id)
        clock.advance(days=30)  # u1 expired meanwhile: unsuspending u2 is not enough, and the reason says why
        cs.status.unsuspend(issued["u2"].id)
        [still] = cs.pathways.awards.list()
        assert still.status == "review"
        assert "was unsuspended on 2026-04-01, but Unit 1 (credential issued" in (still.review_reason or "")
        assert "expired on 2026-03-31" in (still.review_reason or "")
        assert cs.status.status_of(award.award_credential_id).state == "suspended"

        cs.status.suspend(issued["u2"].id)
        cs.status.revoke(award.award_credential_id)  # a person decided: the award is withdrawn
        cs.status.unsuspend(issued["u2"].id)
        [after] = cs.pathways.awards.list()
        assert after.status == "revoked"  # withdrawn for good: never restored beside a revoked award credential
        assert (after.review_reason or "").startswith("revoked 2026-04-01: the award credential")
        assert cs.status.status_of(award.award_credential_id).state == "revoked"
        assert award.clr_credential_id is not None
        assert cs.status.status_of(award.clr_credential_id).state == "revoked"  # the CLR asserted the award
        assert cs.pathways.awards.list(status="review") == []  # decided: no longer waiting for a person
        assert cs.pathways.sweep().restored == ()
        with TestClient(create_app(cs)) as client:
            counts = client.get("/api/pathways/cert").json()["awards"]
            page = client.get("/pathways/cert")
        assert counts == {"total": 1, "review": 0, "revoked": 1}
        assert "0 awarded; 1 revoked" in page.text


def test_awards_made_before_valid_until_was_stored_show_their_expiry_and_a_write_path_stores_it(
    database_url: str,
) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        _awarded_with_expiring_unit(cs, clock)
        with cs.db.write() as session:  # as an award made by the previous version looks
            row = session.scalars(sa.select(PathwayAward)).one()
            row.components = [{k: v for k, v in c.items() if k != "validUntil"} for c in row.components]

        def stored() -> dict[str, Any]:
            with cs.db.read() as session:
                award = session.scalars(sa.select(PathwayAward)).one()
                return {c["achievementId"]: c.get("validUntil", "-") for c in award.components}

        assert cs.pathways.awards.list()[0].status == "awarded"
        clock.advance(days=31)
        [award] = cs.pathways.awards.list()  # read from the credential issued here, not stored
        assert award.status == "review" and "Unit 1" in (award.review_reason or "") and not award.recorded
        assert stored() == {"u1": "-", "u2": "-", "u4": "-"}
        assert cs.pathways.evaluate_learner(LEARNER) == []  # a write path (credstack pathway evaluate) records it
        assert stored() == {"u1": "2026-03-31T12:00:00+00:00", "u2": None, "u4": None}
        [award] = cs.pathways.awards.list()
        assert award.status == "review" and award.recorded


@contextmanager
def _elsewhere(tmp_path: Path, clock: Clock, recipient: str = LEARNER) -> Iterator[tuple[Credstack, IssuedCredential]]:
    """Another credstack (its own database and domain) that issued Ada an 'Applied SQL' credential."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'elsewhere.db'}", base_url=ELSEWHERE)
    with Credstack.from_settings(settings, clock=clock) as other:
        other.init()
        issuer = other.issuers.create("Elsewhere University", method="key")
        achievement = other.achievements.create(
            issuer.slug,
            name="Applied SQL",
            description="Taught and assessed elsewhere.",
            criteria_narrative="Pass the SQL project.",
            credits_available=5,
        )
        yield other, other.issuing.issue(achievement.id, recipient=recipient)


def _articulated(issued: IssuedCredential) -> dict[str, Any]:
    """10 credits with Unit 1; Applied SQL from Elsewhere University counts for 5 of them."""
    achievement = issued.credential["credentialSubject"]["achievement"]["id"]
    issuer = issued.credential["issuer"]["id"]
    return {
        "id": "sql",
        "name": "SQL stack",
        "requirement": {
            "type": "all-of",
            "requirements": [
                {"type": "achievement", "achievementId": "u1"},
                {"type": "credits", "id": "total", "credits": 10},
            ],
        },
        "articulations": [{"achievementId": achievement, "issuerId": issuer, "credits": 5, "toward": "total"}],
    }


def test_an_import_into_the_wallet_counts_and_completes_a_stack_through_an_articulation_rule(
    database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    with _elsewhere(tmp_path, clock) as (other, sql), open_app(database_url, clock=clock) as cs:
        units = _catalog(cs)
        cs.pathways.create(_articulated(sql))
        cs.issuing.issue(units["u1"], recipient=LEARNER)
        assert cs.pathways.awards.list() == []
        before = cs.pathways.progress(LEARNER, "sql")
        assert not before.satisfied and before.progress.credits_earned == 5

        ada = cs.accounts.create_person(LEARNER, name="Ada", password="correct horse battery")
        item = cs.wallet.import_bytes(ada.id, json.dumps(sql.credential).encode("utf-8"))

        [award] = cs.pathways.awards.list()  # the import listener awarded it, once
        assert award.status == "awarded" and award.credits_earned == 10
        assert sql.credential["id"] in {c["credentialId"] for c in award.components}
        assert cs.pathways.evaluate_learner(LEARNER) == []
        assert award.clr_credential_id is not None
        clr = cs.issuing.get(award.clr_credential_id).credential
        assert sql.credential["id"] in {c["id"] for c in clr["credentialSubject"]["verifiableCredential"]}
        assert cs.verifier.verify(clr).verified

        result = cs.pathways.progress(LEARNER, "sql").to_json()
        [imported] = [c for c in result["credentials"] if c["source"] == "wallet"]
        assert imported["id"] == sql.credential["id"] and imported["verified"] and imported["countsToward"]
        with TestClient(create_app(cs)) as client:
            raw, _ = cs.accounts.start_session(ada.id)
            client.cookies.update({SESSION_COOKIE: raw})
            page = client.get("/pathways/sql", params={"learner": LEARNER})
        assert page.status_code == 200
        assert "Applied SQL" in page.text and "(imported into the wallet)" in page.text
        assert "counts toward 1 requirement" in page.text

        cs.wallet.remove(ada.id, item.id)  # the component left the wallet: the sweep flags the award
        report = cs.pathways.sweep(learner=LEARNER)
        assert len(report.flagged) == 1
        assert "no longer among the learner's credentials" in (report.flagged[0].review_reason or "")
        other.close()


def test_an_import_issued_to_the_holders_wallet_did_counts_for_that_did(database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        units = _catalog(cs)
        ada = cs.accounts.create_person(LEARNER, name="Ada")
        did = cs.wallet.holder_key(ada.id).did
        with _elsewhere(tmp_path, clock, recipient=did) as (_, sql):
            cs.pathways.create(_articulated(sql))
            cs.issuing.issue(units["u1"], recipient=did)
            assert cs.pathways.awards.list() == []
            cs.wallet.import_bytes(ada.id, json.dumps(sql.credential).encode("utf-8"))
        [award] = cs.pathways.awards.list()
        assert award.learner == did and sql.credential["id"] in {c["credentialId"] for c in award.components}
        # under her e-mail address the DID's credentials are not read (they are the DID's, shown under it)
        mine = cs.pathways.progress(LEARNER, "sql")
        assert not mine.satisfied and [h for h in mine.held if h.source == "wallet"] == []
        theirs = cs.pathways.progress(did, "sql")
        assert theirs.satisfied and [h.credential_id for h in theirs.held if h.source == "wallet"] == [
            sql.credential["id"]
        ]


def test_a_component_revoked_by_its_outside_issuer_is_flagged_by_the_sweep(database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    with _elsewhere(tmp_path, clock) as (other, sql), open_app(database_url, clock=clock) as cs:
        # the verifier may fetch Elsewhere's status lists (served below from Elsewhere's database)
        cs.verifier.settings = dataclasses.replace(cs.verifier.settings, fetch_allowlist=("elsewhere.example",))

        def serve(request: httpx.Request) -> httpx.Response:
            document = other.status.document_for_url(str(request.url))
            return httpx.Response(200, json=document) if document is not None else httpx.Response(404)

        cs.verifier.http_transport = httpx.MockTransport(serve)
        units = _catalog(cs)
        cs.pathways.create(_articulated(sql))
        cs.issuing.issue(units["u1"], recipient=LEARNER)
        ada = cs.accounts.create_person(LEARNER, name="Ada")
        cs.wallet.import_bytes(ada.id, json.dumps(sql.credential).encode("utf-8"))
        assert cs.pathways.awards.list()[0].status == "awarded"

        other.status.revoke(sql.id)  # at Elsewhere: nothing here hears of it
        assert cs.pathways.awards.list()[0].status == "awarded"  # reading checks expiry only (no fetching)
        report = cs.pathways.sweep()
        assert len(report.flagged) == 1
        reason = report.flagged[0].review_reason or ""
        assert "Applied SQL" in reason and "revoked" in reason
        assert cs.pathways.sweep().flagged == ()


def test_credstack_pathway_review_reports_what_it_flagged(database_url: str, monkeypatch: Any, capsys: Any) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        _awarded_with_expiring_unit(cs, clock)  # u1 valid until 2026-03-31; the CLI runs on today's clock
    for name, value in (
        ("CREDSTACK_DATABASE_URL", database_url),
        ("CREDSTACK_MASTER_SECRET", "test-master-secret-0123456789"),
        ("CREDSTACK_BASE_URL", BASE_URL),
    ):
        monkeypatch.setenv(name, value)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, err = run("pathway", "review", "--json")
    assert code == 0, err
    flagged = json.loads(out)["flagged"]
    assert len(flagged) == 1 and "expired" in flagged[0]["reviewReason"]
    code, out, _ = run("pathway", "review")
    assert code == 0 and "1 award(s) checked: 0 flagged for review, 0 restored" in out
    code, out, _ = run("pathway", "awards", "--review")
    assert code == 0 and "expired on 2026-03-31" in out
    code, _, err = run("pathway", "review", "--pathway", "nope")
    assert code != 0 and "no pathway 'nope'" in err
