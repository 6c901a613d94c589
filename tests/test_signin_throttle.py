"""Sign-in throttling (OWASP): failures counted per account and client address, per client address and, at a much
higher bar, per account, in the database (SQLite and PostgreSQL); the web form's message, and 429 problem+json with
Retry-After; the client address from the peer, or X-Forwarded-For only behind a configured proxy; migration 0011."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from credstack.api import create_app
from credstack.app import Credstack
from credstack.errors import AuthError, TooManySignInsError
from credstack.services import sign_in_throttle
from credstack.storage.engine import create_engine_for
from credstack.storage.migrate import _config, head_revision, schema_differences, upgrade
from issuer_support import Clock, open_app

PASSWORD = "correct horse battery staple"
OWNER = "198.51.100.7"  # Lea's own address
ATTACKER = "203.0.113.9"
SITE = "https://testserver"  # the session and CSRF cookies are Secure (the base URL is https)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lite(sqlite_url: str, clock: Clock) -> Iterator[Credstack]:
    """SQLite only, for behaviour that does not depend on the database (keeps the suite quick)."""
    with open_app(sqlite_url, clock=clock) as app:
        app.accounts.create_person("lea@example.com", password=PASSWORD)
        yield app


def _fail(cs: Credstack, email: str, client: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthError, match="unknown e-mail address or wrong password"):
            cs.accounts.authenticate(email, "not the password", client=client)


def _signs_in(cs: Credstack, client: str, email: str = "lea@example.com") -> bool:
    return cs.accounts.authenticate(email, PASSWORD, client=client).email == email


def test_an_attackers_failures_from_another_address_do_not_lock_the_owner_out(database_url: str, clock: Clock) -> None:
    """Two servers on one database share the counts, and a restarted server still refuses the attacker."""
    with open_app(database_url, clock=clock) as first, open_app(database_url, clock=clock) as second:
        first.accounts.create_person("lea@example.com", password=PASSWORD)
        for server in [first, second] * 5:  # 10 failures from the attacker's address, half on each server
            _fail(server, "LEA@example.com", ATTACKER)
        for server in (first, second):
            with pytest.raises(TooManySignInsError, match="for this account from your address") as refused:
                server.accounts.authenticate("lea@example.com", PASSWORD, client=ATTACKER)  # even the right one
            assert refused.value.retry_after == 15 * 60 and refused.value.http_status == 429
        assert _signs_in(first, OWNER) and _signs_in(second, OWNER)  # the owner, from her own address
    with open_app(database_url, clock=clock) as restarted:
        with pytest.raises(TooManySignInsError):
            restarted.accounts.authenticate("lea@example.com", PASSWORD, client=ATTACKER)
        clock.advance(minutes=10)
        with pytest.raises(TooManySignInsError) as later:
            restarted.accounts.authenticate("lea@example.com", PASSWORD, client=ATTACKER)
        assert later.value.retry_after == 5 * 60 and "try again in 5 minutes" in later.value.message
        clock.advance(minutes=6)
        assert _signs_in(restarted, ATTACKER)  # the failures aged out


def test_failures_from_one_address_across_many_accounts_are_throttled(lite: Credstack) -> None:
    cs = lite
    for n in range(10):  # password spraying: three passwords against ten accounts, known or not
        _fail(cs, f"person{n}@example.com", ATTACKER, times=3)
    with pytest.raises(TooManySignInsError, match="too many failed sign-ins from your address"):
        cs.accounts.authenticate("someone.else@example.com", "a fourth password", client=ATTACKER)
    with pytest.raises(TooManySignInsError, match="from your address"):
        cs.accounts.authenticate("lea@example.com", PASSWORD, client=ATTACKER)
    assert _signs_in(cs, OWNER)  # other addresses are not concerned
    _fail(cs, "person0@example.com", OWNER, times=3)  # nor counted with the attacker's
    assert _signs_in(cs, OWNER)


def test_a_successful_sign_in_resets_the_counter_of_that_account_and_address(lite: Credstack) -> None:
    cs = lite
    _fail(cs, "lea@example.com", ATTACKER, times=5)  # someone else's failures stay counted
    for _ in range(3):
        _fail(cs, "lea@example.com", OWNER, times=9)
        assert _signs_in(cs, OWNER)  # 27 failures in all from her address, never 10 in a row
    _fail(cs, "lea@example.com", OWNER, times=10)
    with pytest.raises(TooManySignInsError):
        cs.accounts.authenticate("lea@example.com", PASSWORD, client=OWNER)
    _fail(cs, "lea@example.com", ATTACKER, times=5)  # the attacker's 10th: not cleared by her sign-ins
    with pytest.raises(TooManySignInsError, match="for this account from your address"):
        cs.accounts.authenticate("lea@example.com", PASSWORD, client=ATTACKER)


def test_the_account_wide_safeguard_trips_at_its_threshold(lite: Credstack, clock: Clock) -> None:
    """A guess spread over many addresses: 100 failures for one account, from anywhere, refuse it everywhere."""
    cs = lite
    assert sign_in_throttle.ACCOUNT_LIMIT == 100
    with cs.db.write() as session:  # 99 failures from 10 addresses (each below its own limits)
        for n in range(99):
            sign_in_throttle.record_failure(session, "lea@example.com", f"192.0.2.{n % 10}", clock.now)
    clock.advance(minutes=1)
    assert _signs_in(cs, OWNER)  # 99: still open (her sign-in clears only her own address's failures)
    _fail(cs, "lea@example.com", "192.0.2.200")  # the 100th
    with pytest.raises(TooManySignInsError, match="too many failed sign-ins for this account: try again in 14 min"):
        cs.accounts.authenticate("lea@example.com", PASSWORD, client=OWNER)
    cs.accounts.create_person("max@example.com", password=PASSWORD)
    assert _signs_in(cs, "192.0.2.1", email="max@example.com")  # other accounts are not concerned
    clock.advance(minutes=14)  # the 99 age out first: below the bar again
    assert _signs_in(cs, OWNER)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _post_sign_in(browser: TestClient, password: str, accept: str = "text/html") -> httpx.Response:
    token = _csrf(browser.get("/signin", headers={"Accept": "text/html"}).text)
    form = {"email": "lea@example.com", "password": password, "csrf_token": token}
    return browser.post("/signin", data=form, headers={"Accept": accept}, follow_redirects=False)


def test_the_sign_in_form_says_so_and_the_api_answers_429_with_retry_after(lite: Credstack) -> None:
    cs = lite
    app = create_app(cs)
    with (
        TestClient(app, base_url=SITE, client=(ATTACKER, 1)) as attacker,
        TestClient(app, base_url=SITE, client=(OWNER, 2)) as owner,
    ):
        for _ in range(10):
            assert _post_sign_in(attacker, "not the password").status_code == 401
        page = _post_sign_in(attacker, PASSWORD)
        assert page.status_code == 429 and page.headers["retry-after"] == "900"
        assert "too many failed sign-ins for this account from your address: try again in 15 minutes" in page.text
        problem = _post_sign_in(attacker, PASSWORD, accept="application/json")
        assert problem.status_code == 429 and problem.headers["retry-after"] == "900"
        assert problem.headers["content-type"] == "application/problem+json"
        body = problem.json()
        assert body["code"] == "too_many_sign_ins" and body["status"] == 429 and "try again in 15" in body["detail"]
        assert _post_sign_in(owner, PASSWORD).status_code == 303


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(lite: Credstack) -> None:
    cs = lite
    with TestClient(create_app(cs), base_url=SITE, client=("10.0.0.2", 1)) as proxy:
        token = _csrf(proxy.get("/signin", headers={"Accept": "text/html"}).text)

        def sign_in(forwarded: str, password: str) -> int:
            form = {"email": "lea@example.com", "password": password, "csrf_token": token}
            headers = {"Accept": "text/html", "X-Forwarded-For": forwarded}
            return int(proxy.post("/signin", data=form, headers=headers, follow_redirects=False).status_code)

        for n in range(10):  # without the setting a forged header changes nothing: one peer, one address
            assert sign_in(f"192.0.2.{n}", "not the password") == 401
        assert sign_in(OWNER, PASSWORD) == 429
        cs.settings = dataclasses.replace(cs.settings, proxy_hops=1)  # behind one proxy: its entry is the client's
        for _ in range(10):
            assert sign_in(f"{OWNER}, {ATTACKER}", "not the password") == 401  # the client wrote the first part
        assert sign_in(ATTACKER, PASSWORD) == 429
        assert sign_in(f"{ATTACKER}, {OWNER}", PASSWORD) == 303


def test_migration_0011_adds_the_client_address_to_recorded_failures(database_url: str) -> None:
    engine = create_engine_for(database_url)
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    try:
        assert upgrade(engine, "0010_one_audit_log") == "0010_one_audit_log"
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO account_sign_in_failures (address, at) VALUES ('lea@example.com', :at)"),
                {"at": at},
            )
        assert upgrade(engine) == head_revision() == "0011_sign_in_client"
        assert schema_differences(engine) == []
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT address, client FROM account_sign_in_failures")).all()
        assert [tuple(row) for row in rows] == [("lea@example.com", "")]
        config = _config()  # and back
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0010_one_audit_log")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("account_sign_in_failures")}
        assert columns == {"id", "address", "at"}
    finally:
        engine.dispose()
