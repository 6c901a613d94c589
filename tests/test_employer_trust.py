"""Trust signals and endorsements: the breakdown of real issued credentials (issuer identity, registry, assessment,
evidence, endorsements, freshness), EndorsementCredentials signed by an employer's issuer key and verified, revoked
endorsements, and the CLI (`credstack endorse`, `credstack employer trusted|trust|verify-batch`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credstack.app import Credstack
from credstack.cli import main
from credstack.employer.trust import RegistryEntry, assess
from credstack.errors import InvalidInputError
from issuer_support import Clock, micro_achievement, open_app

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(sqlite_url: str, clock: Clock) -> Iterator[Credstack]:
    with open_app(sqlite_url, clock=clock) as cs:
        yield cs


def levels(cs: Credstack, credential: dict[str, Any], org: str = "acme") -> dict[str, str]:
    breakdown = cs.employer.trust_for(org, credential, verified=cs.verifier.verify(credential).verified)
    return {s.name: s.level for s in breakdown.signals}


def test_breakdown_of_an_issued_credential_and_the_registry(app: Credstack, clock: Clock) -> None:
    achievement = micro_achievement(app)
    evidence = [{"id": "https://portfolio.example/p1", "type": ["Evidence"], "name": "Lab report"}]
    credential = app.issuing.issue(achievement.id, recipient="a@example.org", evidence=evidence).credential
    found = levels(app, credential)
    assert found["verification"] == "strong" and found["issuer"] == "weak"  # did:key: a bare key
    assert found["registry"] == "unknown" and found["evidence"] == "strong" and found["endorsements"] == "unknown"
    assert found["freshness"] == "strong" and found["market"] == "unknown"
    app.employer.registry.add("acme", "example.org")  # a domain that is not the issuer's
    assert levels(app, credential)["registry"] == "weak"
    app.employer.registry.add("acme", credential["issuer"]["id"], "Example University")
    breakdown = app.employer.trust_for("acme", credential, verified=True)
    registry = breakdown.signal("registry")
    assert registry is not None and registry.level == "strong" and "Example University" in registry.finding
    assert levels(app, credential, org="other")["registry"] == "unknown"  # registries are per organisation
    clock.advance(days=365 * 4)  # the knowledge half-life is 5 years: 4 years on, 57% of the weight remains
    aged = app.employer.trust_for("acme", credential, verified=True).signal("freshness")
    assert aged is not None and aged.level == "moderate" and "57%" in aged.finding
    tampered = copy.deepcopy(credential)
    tampered["name"] = "Forged"
    assert levels(app, tampered)["verification"] == "concern"


def test_domains_cover_did_web_issuers_and_subdomains() -> None:
    credential = {
        "issuer": {"id": "did:web:www.uni.example:issuers:main", "name": "Uni"},
        "validFrom": "2026-01-01T00:00:00Z",
    }
    result = assess(credential, verified=True, now=NOW, registry=[RegistryEntry("domain", "uni.example")])
    by_name = {s.name: s for s in result.signals}
    assert by_name["issuer"].level == "strong" and "www.uni.example" in by_name["issuer"].finding
    assert by_name["registry"].level == "strong"
    other = assess(credential, verified=True, now=NOW, registry=[RegistryEntry("domain", "ni.example")])
    assert {s.name: s.level for s in other.signals}["registry"] == "weak"
    assert "score" not in json.dumps(result.to_json())  # a breakdown, never a bare score


def test_assessment_method_from_the_criteria() -> None:
    def level(narrative: str, **subject: Any) -> str:
        credential = {"credentialSubject": {"achievement": {"criteria": {"narrative": narrative}}, **subject}}
        signal = assess(credential, verified=True, now=NOW).signal("assessment")
        assert signal is not None
        return signal.level

    assert level("Pass the proctored exam demonstrating welding.") == "strong"
    assert level("Pass the portfolio review.") == "moderate"
    assert level("Completion of the course.") == "weak"
    assert level("Completion of the course.", result=[{"type": ["Result"], "value": "A"}]) == "moderate"
    assert level("Be there.") == "unknown"


def test_endorsements_are_signed_verified_and_feed_trust(app: Credstack) -> None:
    achievement = micro_achievement(app)
    credential = app.issuing.issue(achievement.id, recipient="b@example.org").credential
    acme = app.issuers.create("Acme Robotics", method="key")
    record = app.employer.endorsements.endorse(achievement.id, endorser=acme.slug, comment="Our **hires** use this.")
    document = record.document
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["issuer"]["id"] == acme.did and document["credentialSubject"]["id"] == achievement.url
    assert document["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert app.employer.endorsements.verify(document).verified
    assert not app.employer.endorsements.verify(credential).verified  # an ordinary credential is no endorsement
    endorsements = app.employer.trust_for("acme", credential, verified=True).signal("endorsements")
    assert endorsements is not None and endorsements.level == "moderate"
    assert "Acme Robotics endorses the achievement" in endorsements.detail
    app.employer.registry.add("acme", acme.did)
    assert levels(app, credential)["endorsements"] == "strong"  # endorsed by someone the organisation trusts
    assert [e.id for e in app.employer.endorsements.list(achievement.url)] == [record.id]
    app.status.revoke(record.id)
    assert not app.employer.endorsements.verify(document).verified
    assert levels(app, credential)["endorsements"] == "concern"
    with pytest.raises(InvalidInputError):
        app.employer.endorsements.endorse("not a uri")


def run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_endorse_trust_and_verify_batch(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CREDSTACK_MASTER_SECRET", "test-master-secret-0123456789")
    with open_app(sqlite_url) as cs:
        achievement = micro_achievement(cs)
        credential = cs.issuing.issue(achievement.id, recipient="c@example.org").credential
    file = tmp_path / "cred.json"
    file.write_text(json.dumps(credential))
    assert run("endorse", achievement.id, "--comment", "Solid.", "--json", "--out", str(tmp_path / "e.json")) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["subject_id"] == achievement.url and json.loads((tmp_path / "e.json").read_text())["proof"]
    assert run("employer", "trusted", "--add", credential["issuer"]["id"], "--label", "Uni") == 0
    assert "did" in capsys.readouterr().out
    assert run("employer", "trust", str(file)) == 0
    text = capsys.readouterr().out
    assert "Trusted-issuer registry" in text and "trusted: on your registry" in text and "Endorsements" in text
    tampered = dict(credential, name="Forged")
    (tmp_path / "bad.json").write_text(json.dumps(tampered))
    listing = tmp_path / "list.csv"
    listing.write_text(f"url\n{credential['id']}\n")
    assert run("employer", "verify-batch", str(listing), "--csv", str(tmp_path / "r.csv")) == 0
    assert "1 of 1 verified" in capsys.readouterr().out
    assert run("employer", "verify-batch", str(tmp_path / "bad.json")) == 1
    assert "NOT verified" in capsys.readouterr().out
    assert run("employer", "verify-batch", str(tmp_path / "missing.zip")) == 2
    assert run("employer", "trusted", "--add", "not a domain") == 2
