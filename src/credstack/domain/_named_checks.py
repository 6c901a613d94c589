"""The named checks a credential report is made of, one function each (used by the verifier and the VC-JWT path).

- ``contexts``: every ``@context`` URL pinned (VCDM 2.0 §4.3; Data Integrity 1.0 §4.6 context validation);
- ``terms``: no undefined term (fail closed), read from the proof's canonicalisation when one ran;
- ``proof``: one check per Data Integrity proof (DI 1.0 §4.4, §4.5);
- ``issuer_key`` / ``holder_key``: the key's controller is the issuer (holder) and the binding is proven
  (CID 1.0 §3.3; unbound 1EdTech ``https://…#z6Mk…`` keys only as a flagged warning, STANDARDS §1.5);
- ``validity``: VCDM 2.0 §4.9 (legacy VCDM 1.1 ``issuanceDate`` / ``expirationDate``);
- ``recipient``: OB 3.0 verification step 5 (``credentialSubject.id`` or an IdentityObject).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from credstack.contexts import KNOWN_CONTEXTS
from credstack.domain._checks import FAIL, PASS, WARNING, Check, merge_checks
from credstack.domain._resolvers import Resolution
from credstack.domain.identity import matches_identity
from credstack.domain.shape import VC_V1, as_list, parse_datetime
from credstack.errors import CredstackError
from credstack.proofs import data_integrity
from credstack.proofs.canonical import to_canonical_nquads
from credstack.proofs.eddsa_rdfc_2022 import SIGNATURE_MISMATCH

__all__ = [
    "contexts_check",
    "key_check",
    "nested_contexts",
    "proof_checks",
    "recipient_check",
    "terms_check",
    "validity_check",
]


# --- the checks ----------------------------------------------------------------------------------------------------


def contexts_check(doc: Mapping[str, Any]) -> Check:
    """Every ``@context`` URL must be one credstack pins; an unknown one fails and is never fetched."""
    urls = [c for c in as_list(doc.get("@context")) if isinstance(c, str)]
    unknown = [u for u in urls if u not in KNOWN_CONTEXTS]
    if unknown:
        return Check("contexts", FAIL, f"context {', '.join(unknown)} is not pinned by credstack and is never fetched")
    if not urls:
        return Check("contexts", FAIL, "the document has no @context URL")
    embedded = sum(1 for c in as_list(doc.get("@context")) if isinstance(c, Mapping))
    extra = f" and {embedded} embedded context(s)" if embedded else ""
    return Check("contexts", PASS, f"{len(urls)} context(s) all pinned{extra}")


def nested_contexts(contexts: Check, results: list[data_integrity.ProofResult]) -> Check:
    """A context nested deeper in the document surfaces while canonicalising for the proof: fail ``contexts`` too."""
    if contexts.status == PASS:
        for result in results:
            if result.code == "unknown_context":
                return Check("contexts", FAIL, result.reason.removeprefix("the proof could not be checked: "))
    return contexts


_CANONICALISED = frozenset({SIGNATURE_MISMATCH})


def terms_check(doc: Mapping[str, Any], results: list[data_integrity.ProofResult], contexts: Check) -> Check:
    """No term may be undefined (fail closed). Reuses the proof's canonicalisation when one ran."""
    for result in results:
        if result.code == "undefined_term":
            return Check("terms", FAIL, result.reason.removeprefix("the proof could not be checked: "))
    if any(r.verified or r.reason in _CANONICALISED for r in results):
        return Check("terms", PASS, "every term is defined by a pinned context (checked while canonicalising)")
    if contexts.status == FAIL:
        return Check("terms", FAIL, "not checked: the document uses a context credstack does not pin")
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    try:
        to_canonical_nquads(unsecured)
    except CredstackError as exc:
        return Check("terms", FAIL, exc.message)
    return Check("terms", PASS, "every term is defined by a pinned context")


def proof_checks(results: list[data_integrity.ProofResult], what: str) -> list[Check]:
    if not results:
        return [Check("proof", FAIL, f"the {what} has no proof (it is not signed)")]
    checks = []
    for index, result in enumerate(results, 1):
        label = f"proof {index} of {len(results)}: " if len(results) > 1 else ""
        suite = result.cryptosuite or result.type or "unknown proof type"
        if result.verified:
            checks.append(Check("proof", PASS, f"{label}{suite} signature verified ({result.verification_method})"))
        else:
            checks.append(Check("proof", FAIL, f"{label}{suite}: {result.reason}"))
    return checks


def key_check(
    name: str,
    results: list[data_integrity.ProofResult],
    resolution: Resolution,
    expected_controller: str | None,
    role: str,
    allow_unbound_keys: bool,
) -> Check:
    """The key of each proof is bound to ``expected_controller`` (the issuer, or the holder of a presentation)."""
    findings: list[Check] = []
    others: list[str] = []
    for result in results:
        vm_id = result.verification_method
        if vm_id is None:
            continue
        if vm_id not in resolution.errors and vm_id not in resolution.methods:
            # the proof was refused before its key was needed: resolve it now to judge the binding (errors are
            # recorded in resolution.errors)
            with contextlib.suppress(CredstackError):
                resolution(vm_id)
        if vm_id in resolution.errors:
            findings.append(Check(name, FAIL, resolution.errors[vm_id]))
            continue
        method = resolution.methods[vm_id]
        if expected_controller is not None and method.controller != expected_controller:
            others.append(method.controller)
            continue
        via = resolution.via.get(vm_id, "")
        if method.bound and expected_controller is None:
            findings.append(Check(name, PASS, f"no {role} is named; the key is {method.controller}'s ({via})"))
        elif method.bound:
            findings.append(Check(name, PASS, f"the key is the {role}'s ({via})"))
        elif allow_unbound_keys:
            findings.append(
                Check(
                    name,
                    WARNING,
                    f"the key {vm_id} is taken from its URL fragment: nothing proves the {role} "
                    "controls it (accepted because unbound keys are allowed)",
                )
            )
        else:
            findings.append(
                Check(
                    name,
                    FAIL,
                    f"the key {vm_id} is taken from its URL fragment, which proves no binding to the "
                    f"{role}; supply the {role}'s controller document, or allow unbound keys "
                    "(--allow-unbound-keys) to accept it as a warning",
                )
            )
    bound_somewhere = any(f.status != FAIL for f in findings)
    for controller in others:
        if bound_somewhere:  # a proof set co-signed by someone else: the issuer's own proof is what binds
            findings.append(Check(name, WARNING, f"another proof is by {controller}, not the {role}"))
        else:
            findings.append(
                Check(name, FAIL, f"the key's controller {controller} is not the {role} {expected_controller}")
            )
    if not findings:
        return Check(name, FAIL, f"no key to bind to the {role} (no usable proof)")
    return merge_checks(name, findings, passed=f"the key is the {role}'s")


def validity_check(doc: Mapping[str, Any], now: datetime) -> Check:
    """OB 3.0 verification step 4 / VCDM 2.0 §4.9 (legacy: issuanceDate / expirationDate)."""
    legacy = as_list(doc.get("@context"))[:1] == [VC_V1]
    start_name, end_name = ("issuanceDate", "expirationDate") if legacy else ("validFrom", "validUntil")
    start = parse_datetime(doc.get(start_name), require_timezone=not legacy) if start_name in doc else None
    end = parse_datetime(doc.get(end_name), require_timezone=not legacy) if end_name in doc else None
    at = now.isoformat(timespec="seconds")
    for name, value in ((start_name, start), (end_name, end)):
        if name in doc and value is None:
            return Check("validity", FAIL, f"{name} {doc[name]!r} is not a valid date-time")
    if start is not None and now < start:
        return Check("validity", FAIL, f"not yet valid: {start_name} is {doc[start_name]} (checked at {at})")
    if end is not None and now > end:
        return Check("validity", FAIL, f"expired: {end_name} was {doc[end_name]} (checked at {at})")
    if start is None and end is None:
        return Check("validity", PASS, "no validity period to check")
    window = f"from {doc[start_name]}" if start is not None else ""
    window += f"{' ' if window else ''}until {doc[end_name]}" if end is not None else ""
    return Check("validity", PASS, f"valid {window} (checked at {at})")


def recipient_check(doc: Mapping[str, Any], recipient: str) -> Check:
    """OB 3.0 verification step 5: the subject ``id`` or one of its ``identifier`` IdentityObjects matches."""
    for subject in as_list(doc.get("credentialSubject")):
        if not isinstance(subject, Mapping):
            continue
        if subject.get("id") == recipient:
            return Check("recipient", PASS, f"issued to {recipient} (credentialSubject.id)")
        for identity in as_list(subject.get("identifier")):
            candidates = [recipient]
            if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
                candidates.append(recipient.strip().lower())  # e-mail addresses are compared case-insensitively
            if isinstance(identity, Mapping) and any(matches_identity(c, identity) for c in candidates):
                return Check("recipient", PASS, f"issued to {recipient} ({identity.get('identityType')} identifier)")
    return Check("recipient", FAIL, f"not issued to {recipient}: neither the subject id nor an identifier matches")
