"""Sign-in throttling, as the OWASP Authentication Cheat Sheet recommends ("Login Throttling", "Account Lockout"):
failed sign-ins are counted in the database (table ``account_sign_in_failures``), so every server process and a
restart see the same counts, and three limits apply over a sliding window of :data:`WINDOW`:

- :data:`PAIR_LIMIT` failures for one account **from one client address** refuse that pair. An attacker elsewhere
  who fails on purpose throttles only their own address: the owner signing in from theirs is not locked out.
- :data:`CLIENT_LIMIT` failures **from one client address across every account** refuse that address (password
  spraying: a few passwords tried against many accounts).
- :data:`ACCOUNT_LIMIT` failures **for one account from every address** refuse the account (a brute force spread
  over many addresses). The bar is much higher, so tripping it takes at least ``ACCOUNT_LIMIT / PAIR_LIMIT``
  addresses.

A refused attempt checks no password and is not counted itself; the refusal lasts until enough failures have aged
out of the window (``retry_after``). A successful sign-in clears the failures of that account from that address.
Unknown accounts are counted like known ones (nothing tells them apart). The client address is the request's peer
address, or what the proxies in front say when ``CREDSTACK_PROXY_HOPS`` is set (``web.session.client_address``);
``""`` (unknown, e.g. a library or CLI caller) is one client like any other.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.errors import TooManySignInsError
from credstack.storage.account_tables import SignInFailureRow

__all__ = [
    "ACCOUNT_LIMIT",
    "CLIENT_LIMIT",
    "PAIR_LIMIT",
    "WINDOW",
    "clear",
    "client_key",
    "record_failure",
    "refusal",
]

#: how long a failure counts
WINDOW = timedelta(minutes=15)
#: failures for one account from one client address
PAIR_LIMIT = 10
#: failures from one client address, whatever the account
CLIENT_LIMIT = 30
#: failures for one account, whatever the client address: the account-wide safeguard
ACCOUNT_LIMIT = 100
#: the longest client address stored (an IPv6 address with a zone fits)
MAX_CLIENT = 64


def client_key(client: str | None) -> str:
    """The client address as stored: trimmed, at most :data:`MAX_CLIENT` characters, ``""`` when unknown."""
    return (client or "").strip()[:MAX_CLIENT]


def _limit_reached_at(session: Session, where: sa.ColumnElement[bool], limit: int, now: datetime) -> datetime | None:
    """The time of the ``limit``-th most recent failure matching ``where`` within the window (None: fewer). The
    count falls below ``limit`` again when that failure ages out."""
    return session.scalar(
        sa.select(SignInFailureRow.at)
        .where(where, SignInFailureRow.at > now - WINDOW)
        .order_by(SignInFailureRow.at.desc())
        .offset(limit - 1)
        .limit(1)
    )


def refusal(session: Session, address: str, client: str | None, now: datetime) -> TooManySignInsError | None:
    """The error to refuse a sign-in to ``address`` (a normalised e-mail address) from ``client`` with, or None
    when no limit is reached. When several are, it lasts until the last of them clears."""
    key = client_key(client)
    rules = (
        (
            sa.and_(SignInFailureRow.address == address, SignInFailureRow.client == key),
            PAIR_LIMIT,
            "for this account from your address",
        ),
        (SignInFailureRow.client == key, CLIENT_LIMIT, "from your address"),
        (SignInFailureRow.address == address, ACCOUNT_LIMIT, "for this account"),
    )
    tripped: list[tuple[float, str]] = []
    for where, limit, scope in rules:
        at = _limit_reached_at(session, where, limit, now)
        if at is not None:
            tripped.append(((at + WINDOW - now).total_seconds(), scope))
    if not tripped:
        return None
    seconds, scope = max(tripped)
    retry_after = max(1, math.ceil(seconds))
    minutes = max(1, math.ceil(retry_after / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return TooManySignInsError(
        f"too many failed sign-ins {scope}: try again in {minutes} {unit}", retry_after=retry_after
    )


def record_failure(session: Session, address: str, client: str | None, now: datetime) -> None:
    """Count a failed sign-in (and prune the failures that no longer count)."""
    session.execute(sa.delete(SignInFailureRow).where(SignInFailureRow.at <= now - WINDOW))
    session.add(SignInFailureRow(address=address, client=client_key(client), at=now))


def clear(session: Session, address: str, client: str | None) -> None:
    """A successful sign-in: forget the failures of this account from this client (others' stay counted)."""
    session.execute(
        sa.delete(SignInFailureRow).where(
            SignInFailureRow.address == address, SignInFailureRow.client == client_key(client)
        )
    )
