"""The claim page (/claim/{token}) on a live server: it shows a credential's state, never offers to add a revoked
one (and the claim itself is refused), and says a suspended one is suspended while still letting the learner keep it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api_support import served_credstack
from credstack.app import Credstack
from credstack.web.session import SESSION_COOKIE
from issuer_support import micro_achievement


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("claim-page")) as pair:
        yield pair


def _learner(cs: Credstack, base: str, email: str) -> httpx.Client:
    person = cs.accounts.create_person(email)
    http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    http.cookies.set(SESSION_COOKIE, cs.accounts.start_session(person.id)[0])
    return http


def _path(cs: Credstack, credential_id: str) -> str:
    return "/claim/" + cs.wallet.claim_url(credential_id).rsplit("/", 1)[1]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


def test_a_revoked_credential_is_shown_revoked_and_cannot_be_claimed(served: tuple[Credstack, str]) -> None:
    cs, base = served
    achievement = micro_achievement(cs)
    issued = cs.issuing.issue(achievement.id, recipient="rev@example.org")
    path = _path(cs, issued.id)
    with _learner(cs, base, "rev@example.org") as learner:
        before = learner.get(path).text
        assert 'data-testid="claim"' in before and 'data-testid="claim-revoked"' not in before
        token = _csrf(before)
        cs.status.revoke(issued.id, reason="issued in error")
        page = learner.get(path)
        assert page.status_code == 200
        assert 'data-testid="claim-revoked"' in page.text and "revoked this credential" in page.text
        assert 'data-testid="claim"' not in page.text and "Add to my wallet" not in page.text
        refused = learner.post(path, data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
        assert "revoked" in refused.json()["detail"]
    person = cs.accounts.find_person("rev@example.org")
    assert person is not None and cs.wallet.items(person.id) == []
    with httpx.Client(base_url=base, timeout=30) as anonymous:  # signed out: no sign-in button for a revoked one
        page = anonymous.get(path).text
        assert 'data-testid="claim-revoked"' in page and 'data-testid="signin-to-claim"' not in page


def test_a_suspended_credential_says_so_and_can_still_be_kept(served: tuple[Credstack, str]) -> None:
    cs, base = served
    achievement = micro_achievement(cs)
    issued = cs.issuing.issue(achievement.id, recipient="sus@example.org")
    cs.status.suspend(issued.id, reason="under investigation")
    path = _path(cs, issued.id)
    with httpx.Client(base_url=base, timeout=30) as anonymous:
        page = anonymous.get(path).text
        assert 'data-testid="claim-suspended"' in page and 'data-testid="signin-to-claim"' in page
    with _learner(cs, base, "sus@example.org") as learner:
        page = learner.get(path).text
        assert 'data-testid="claim-suspended"' in page and "suspended this credential" in page
        assert 'data-testid="claim"' in page
        added = learner.post(path, data={"csrf_token": _csrf(page)})
        assert added.status_code == 303 and "/wallet/items/" in added.headers["location"]
    person = cs.accounts.find_person("sus@example.org")
    assert person is not None and [i.credential_id for i in cs.wallet.items(person.id)] == [issued.id]
