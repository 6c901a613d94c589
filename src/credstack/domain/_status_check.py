"""The ``status`` check: Bitstring Status List v1.0 and 1EdTech Revocation List.

- Bitstring Status List v1.0 (REC 15 May 2025) §3.2 "Validate Algorithm": dereference ``statusListCredential``
  (from the supplied documents or the allow-listed fetch), verify *its* proofs (step 2), then purpose, length
  (>= 131,072 entries), index range and the bit (steps 3-7, :func:`credstack.domain.status_list.read_status`).
  A set bit means revoked / suspended: the check fails. A list that cannot be obtained is a warning that says so.
- ``1EdTechRevocationList`` (VCRL 1.0, as read by 1EdTech's ``RevocationListProbe``): the list at
  ``credentialStatus.id`` has an array ``revokedCredential`` (``revokedCredentials`` is tolerated) of
  ``{id, revoked?, revocationReason?}``; the credential is revoked when its ``id`` is listed with ``revoked`` true
  or absent. A fetch failure is a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from credstack.domain._checks import FAIL, PASS, WARNING, Check, merge_checks
from credstack.domain._resolvers import DocumentSource
from credstack.domain.shape import as_list, parse_datetime, type_list
from credstack.domain.status_list import read_status
from credstack.errors import FetchError

__all__ = ["ListVerifier", "check_status", "issuer_id"]

#: Verifies a list credential's proofs and key binding: returns (failure reason or None, warning or None).
ListVerifier = Callable[[dict[str, Any]], tuple[str | None, str | None]]


def issuer_id(doc: Mapping[str, Any]) -> str | None:
    """The issuer's id: the ``issuer`` string or ``issuer.id``."""
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _obtain_list(
    url: str, source: DocumentSource, verify_list: ListVerifier, memo: dict[str, Any], now: datetime, issuer: str | None
) -> tuple[dict[str, Any] | None, Check | None]:
    """The verified list credential at ``url``, or a check explaining why it cannot be used (memoised)."""
    key = f"status-list:{url}"
    if key not in memo:
        memo[key] = _load_and_verify(url, source, verify_list, now)
    list_doc, problem, warning = memo[key]
    if problem is not None:
        return None, problem
    if issuer is not None and issuer_id(list_doc) != issuer:
        return None, Check(
            "status",
            FAIL,
            f"the status list {url} is issued by {issuer_id(list_doc)!r}, not by the credential's issuer",
        )
    if warning:
        return list_doc, Check("status", WARNING, warning)
    return list_doc, None


def _load_and_verify(
    url: str, source: DocumentSource, verify_list: ListVerifier, now: datetime
) -> tuple[dict[str, Any] | None, Check | None, str | None]:
    try:
        list_doc = source.get(url)
    except FetchError as exc:
        return (
            None,
            Check("status", WARNING, f"status not checked: the status list is unavailable ({exc.message})"),
            None,
        )
    failure, warning = verify_list(list_doc)
    if failure is not None:
        return None, Check("status", FAIL, f"the status list {url} cannot be trusted: {failure}"), None
    valid_until = parse_datetime(list_doc.get("validUntil"))
    valid_from = parse_datetime(list_doc.get("validFrom"))
    if valid_until is not None and now > valid_until:
        return None, Check("status", FAIL, f"the status list {url} expired on {list_doc['validUntil']}"), None
    if valid_from is not None and now < valid_from:
        return None, Check("status", FAIL, f"the status list {url} is not valid before {list_doc['validFrom']}"), None
    return list_doc, None, warning


def _bitstring_entry(
    entry: Mapping[str, Any],
    source: DocumentSource,
    verify_list: ListVerifier,
    memo: dict[str, Any],
    now: datetime,
    issuer: str | None,
) -> list[Check]:
    url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose")
    if not isinstance(url, str) or not url:
        return [Check("status", FAIL, "a BitstringStatusListEntry has no statusListCredential URL")]
    if entry.get("id") == url:
        return [Check("status", FAIL, "the status entry's id must not equal its statusListCredential URL")]
    list_doc, problem = _obtain_list(url, source, verify_list, memo, now, issuer)
    checks = [problem] if problem is not None else []
    if list_doc is None:
        return checks
    if "BitstringStatusListCredential" not in type_list(list_doc.get("type")):
        return [Check("status", FAIL, f"{url} is not a BitstringStatusListCredential")]
    result = read_status(entry, list_doc)
    index = entry.get("statusListIndex")
    if result.error is not None:
        checks.append(Check("status", FAIL, f"{purpose} status could not be read ({result.error}): {result.reason}"))
    elif result.valid:
        checks.append(Check("status", PASS, f"{purpose}: bit {index} of {url} is 0 (not set)"))
    elif purpose == "revocation":
        checks.append(Check("status", FAIL, f"revoked: bit {index} of the revocation list {url} is set"))
    elif purpose == "suspension":
        checks.append(Check("status", FAIL, f"suspended: bit {index} of the suspension list {url} is set"))
    else:
        checks.append(Check("status", WARNING, f"{purpose} status is set (bit {index} of {url})"))
    return checks


def _revocation_list_entry(
    entry: Mapping[str, Any],
    credential_id: Any,
    source: DocumentSource,
    verify_list: ListVerifier,
    memo: dict[str, Any],
    now: datetime,
    issuer: str | None,
) -> list[Check]:
    url = entry.get("id")
    if not isinstance(url, str) or not url:
        return [Check("status", FAIL, "a 1EdTechRevocationList status has no id (the list URL)")]
    try:
        list_doc = source.get(url)
    except FetchError as exc:
        return [Check("status", WARNING, f"status not checked: the revocation list is unavailable ({exc.message})")]
    checks: list[Check] = []
    if list_doc.get("proof") is not None:
        _, problem = _obtain_list(url, source, verify_list, memo, now, issuer)
        if problem is not None and problem.status == FAIL:
            return [problem]
    else:
        checks.append(Check("status", WARNING, f"the revocation list {url} is not signed"))
    subject = list_doc.get("credentialSubject")
    holders = [list_doc, *(s for s in as_list(subject) if isinstance(s, Mapping))]
    revoked_entries = None
    for holder in holders:
        for name in ("revokedCredential", "revokedCredentials"):
            if isinstance(holder.get(name), list):
                revoked_entries = holder[name]
                break
        if revoked_entries is not None:
            break
    if revoked_entries is None:
        return [Check("status", FAIL, f"the revocation list {url} has no revokedCredential array")]
    for item in revoked_entries:
        if isinstance(item, Mapping) and item.get("id") == credential_id and item.get("revoked", True) is not False:
            reason = item.get("revocationReason")
            because = f" ({reason})" if isinstance(reason, str) and reason else ""
            return [Check("status", FAIL, f"revoked: listed in the 1EdTech revocation list {url}{because}")]
    checks.append(Check("status", PASS, f"not listed as revoked in the 1EdTech revocation list {url}"))
    return checks


def check_status(
    doc: Mapping[str, Any], source: DocumentSource, verify_list: ListVerifier, memo: dict[str, Any], now: datetime
) -> Check:
    """The ``status`` check for every ``credentialStatus`` entry of ``doc``, merged into one check."""
    entries = as_list(doc.get("credentialStatus"))
    if not entries:
        return Check("status", PASS, "no status to check (the credential has no credentialStatus)")
    issuer = issuer_id(doc)
    checks: list[Check] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            checks.append(Check("status", FAIL, "a credentialStatus entry is not an object"))
            continue
        kind = entry.get("type")
        if kind == "BitstringStatusListEntry":
            checks.extend(_bitstring_entry(entry, source, verify_list, memo, now, issuer))
        elif kind == "1EdTechRevocationList":
            checks.extend(_revocation_list_entry(entry, doc.get("id"), source, verify_list, memo, now, issuer))
        else:
            checks.append(Check("status", WARNING, f"status type {kind!r} is not supported, so it was not checked"))
    return merge_checks("status", checks, passed="not revoked or suspended")
