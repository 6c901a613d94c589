"""Presentation requests: the employer's challenge and domain, the learner's answer from the wallet (signed with the
holder key), the verified result, and refusals: replay, another request's presentation, expiry, a bare credential."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from credstack.app import Credstack
from credstack.errors import ConflictError, InvalidInputError
from issuer_support import Clock, micro_achievement, open_app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url: str, clock: Clock) -> Iterator[Credstack]:
    with open_app(database_url, clock=clock) as cs:
        yield cs


def test_a_learner_answers_from_the_wallet_and_replay_is_refused(app: Credstack, clock: Clock) -> None:
    achievement = micro_achievement(app)
    learner = app.accounts.create_person("ada@example.org", name="Ada")
    first = app.issuing.issue(achievement.id, recipient="ada@example.org").credential
    second = app.issuing.issue(achievement.id, recipient="ada@example.org").credential
    items = [app.wallet.import_bytes(learner.id, json.dumps(c).encode()) for c in (first, second)]

    request = app.employer.requests.create("acme", "Your data wrangling credential")
    assert request.state == "open" and len(request.challenge) >= 32 and request.domain == "creds.example.edu:8443"
    outcome = app.employer.requests.answer_from_wallet(request.id, learner.id, [items[0].id])
    assert outcome.accepted and outcome.request.state == "answered"
    seen = app.employer.requests.get(request.id, "acme")
    assert seen.result is not None and seen.result["verified"]
    assert [c["credential"]["id"] for c in seen.result["credentials"]] == [first["id"]]
    assert {c["name"] for c in seen.result["checks"]} >= {"proof", "holder_key", "credentials"}

    vp = app.wallet.presentation(learner.id, [items[0].id], challenge=request.challenge, domain=request.domain)
    with pytest.raises(ConflictError, match="no replay"):
        app.employer.requests.answer(request.id, vp)

    other = app.employer.requests.create("acme", "again")
    refused = app.employer.requests.answer(other.id, vp)  # made for the first request's challenge
    assert not refused.accepted and "challenge" in (refused.report.check("proof") or refused.report.checks[0]).reason
    assert app.employer.requests.get(other.id).state == "open"  # a failed answer leaves the request open

    with pytest.raises(InvalidInputError, match="VerifiablePresentation"):
        app.employer.requests.answer(other.id, first)
    app.status.revoke(second["id"])
    revoked = app.employer.requests.answer_from_wallet(other.id, learner.id, [items[1].id])
    assert not revoked.accepted and not revoked.report.credentials[0].verified

    clock.advance(hours=73)
    assert app.employer.requests.get(other.id).state == "expired"
    with pytest.raises(ConflictError, match="expired"):
        app.employer.requests.answer_from_wallet(other.id, learner.id, [items[0].id])
    assert app.employer.requests.recent("other-org") == []
