"""Verify any Open Badges 3.0 / VC 2.0 credential or presentation and report named checks.

Algorithm: OB 3.0 ``verification.md`` §"Verification" (steps 1, 2, 4-6; step 3, refresh, is not implemented) over
VCDM 2.0 §7.1, Data Integrity 1.0 §4.4, Bitstring Status List §3.2. The report lists, in this order, one check per
name:

``parse`` -> ``shape`` -> ``contexts`` -> ``terms`` -> ``proof`` (one per proof) -> ``issuer_key`` -> ``validity``
-> ``status`` -> ``recipient`` (only when a recipient is given) -> ``endorsements`` (only when there are some).
Presentations: ``parse``, ``shape``, ``contexts``, ``terms``, ``proof``, ``holder_key``, ``credentials``. A CLR 2.0
``ClrCredential`` adds ``credentials``: every nested credential verified with its own proof.

Each check is ``pass``, ``fail`` or ``warning`` with a reason a person can read; ``verified`` is true only when no
check failed. A bad credential never raises: only misuse (e.g. a naive ``now``) does. Pure: time comes in through
:class:`VerifyOptions`, documents through its ``documents`` map and injected ``fetch``.

Performance: the document is canonicalised once, by the proof; the ``terms`` check reads that outcome and only
canonicalises on its own when no proof did (JWT, no proof, or a proof refused before canonicalisation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credstack.domain._checks import FAIL, PASS, WARNING, Check, CheckStatus, merge_checks
from credstack.domain._formats import ParsedInput, parse_input
from credstack.domain._named_checks import (
    contexts_check,
    key_check,
    nested_contexts,
    proof_checks,
    recipient_check,
    terms_check,
    validity_check,
)
from credstack.domain._resolvers import DocumentSource, Resolution
from credstack.domain._status_check import check_status, issuer_id
from credstack.domain.shape import as_list, check_shape, type_list
from credstack.errors import CredstackError, InvalidInputError
from credstack.proofs import data_integrity

__all__ = [
    "CHECK_ORDER",
    "Check",
    "CheckStatus",
    "VerificationReport",
    "VerifyOptions",
    "verify_bytes",
    "verify_document",
]

#: The order checks appear in a report (``holder_key`` and ``credentials`` appear for presentations only).
CHECK_ORDER = (
    "parse",
    "shape",
    "contexts",
    "terms",
    "proof",
    "issuer_key",
    "holder_key",
    "validity",
    "status",
    "recipient",
    "endorsements",
    "credentials",
)


@dataclass(frozen=True)
class VerifyOptions:
    """Everything verification needs from outside: the time, the documents it may dereference, and policy.

    - ``now``: the moment to check validity against (timezone-aware).
    - ``documents``: URL (or DID) -> JSON document, used before any fetch (status lists, DID documents).
    - ``fetch``: an allow-listed fetcher (URL -> JSON object, raising FetchError), or None for offline.
    - ``allow_unbound_keys``: accept an ``https://…#z6Mk…`` key as a warning instead of a failure.
    - ``challenge`` / ``domain``: what a presentation's proof must carry.
    - ``max_bytes``: largest input :func:`verify_bytes` reads.
    - ``recipient``: an identifier (e.g. an email address) the credential must be issued to, when given.
    """

    now: datetime
    documents: Mapping[str, Any] = field(default_factory=dict)
    fetch: Callable[[str], dict[str, Any]] | None = None
    allow_unbound_keys: bool = False
    challenge: str | None = None
    domain: str | None = None
    max_bytes: int = 1_000_000
    recipient: str | None = None
    #: Documents fetched and status lists verified during this verification (shared by a batch). Not compared.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.now, datetime) or self.now.tzinfo is None:
            raise InvalidInputError("VerifyOptions.now must be a timezone-aware datetime")
        if self.max_bytes <= 0:
            raise InvalidInputError("VerifyOptions.max_bytes must be positive")


@dataclass(frozen=True)
class VerificationReport:
    """The outcome: ``verified`` (no check failed), the input ``format``, the credential read, and the checks.

    For a presentation, ``presentation`` is the document and ``credentials`` holds one report per embedded
    credential; a CLR 2.0 ``ClrCredential`` also reports its nested credentials there. Their results also decide
    ``verified``.
    """

    verified: bool
    format: str
    credential: dict[str, Any] | None
    checks: tuple[Check, ...]
    presentation: dict[str, Any] | None = None
    credentials: tuple[VerificationReport, ...] = ()

    @property
    def failures(self) -> list[Check]:
        """The failed checks, in report order."""
        return [c for c in self.checks if c.status == FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARNING]

    def check(self, name: str) -> Check | None:
        """The first check called ``name`` (None when the report has none)."""
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """``{"verified", "format", "checks": [{"name", "status", "reason"}...], "credential", ...}``."""
        out: dict[str, Any] = {
            "verified": self.verified,
            "format": self.format,
            "checks": [c.to_json() for c in self.checks],
            "credential": self.credential,
        }
        if self.presentation is not None:
            out["presentation"] = self.presentation
        if self.presentation is not None or self.credentials:
            out["credentials"] = [r.to_json() for r in self.credentials]
        return out


def _report(
    fmt: str,
    checks: list[Check],
    credential: dict[str, Any] | None,
    *,
    presentation: dict[str, Any] | None = None,
    credentials: tuple[VerificationReport, ...] = (),
) -> VerificationReport:
    verified = not any(c.status == FAIL for c in checks) and all(r.verified for r in credentials)
    return VerificationReport(verified, fmt, credential, tuple(checks), presentation, credentials)


# --- credentials -----------------------------------------------------------------------------------------------


def _source(options: VerifyOptions) -> DocumentSource:
    return DocumentSource(options.documents, options.fetch, options.memo)


def _list_verifier(options: VerifyOptions) -> Callable[[dict[str, Any]], tuple[str | None, str | None]]:
    """Verifies a status list credential's proofs and that its key is bound to its issuer."""

    def verify_list(list_doc: dict[str, Any]) -> tuple[str | None, str | None]:
        resolution = Resolution(_source(options), "assertionMethod")
        results = data_integrity.verify(list_doc, resolve=resolution, now=options.now)
        if not results:
            return "it has no proof", None
        failed = [r.reason for r in results if not r.verified]
        if failed:
            return "its proof does not verify: " + "; ".join(failed), None
        key = key_check(
            "issuer_key", results, resolution, issuer_id(list_doc), "list issuer", options.allow_unbound_keys
        )
        if key.status == FAIL:
            return key.reason, None
        return None, (key.reason if key.status == WARNING else None)

    return verify_list


def _verify_credential(
    doc: dict[str, Any], options: VerifyOptions, fmt: str, parse: Check, *, depth: int = 0
) -> VerificationReport:
    checks = [parse, merge_checks("shape", check_shape(doc, secured=True), passed="the data model rules hold")]
    contexts = contexts_check(doc)
    resolution = Resolution(_source(options), "assertionMethod")
    results = data_integrity.verify(doc, resolve=resolution, now=options.now)
    contexts = nested_contexts(contexts, results)
    checks += [contexts, terms_check(doc, results, contexts), *proof_checks(results, "credential")]
    checks.append(key_check("issuer_key", results, resolution, issuer_id(doc), "issuer", options.allow_unbound_keys))
    checks.append(validity_check(doc, options.now))
    checks.append(check_status(doc, _source(options), _list_verifier(options), options.memo, options.now))
    if options.recipient is not None:
        checks.append(recipient_check(doc, options.recipient))
    nested: tuple[VerificationReport, ...] = ()
    if depth == 0:
        endorsements = _endorsements_check(doc, options)
        if endorsements is not None:
            checks.append(endorsements)
        if "ClrCredential" in type_list(doc.get("type")):
            nested = _clr_credentials(doc, options)
            checks.append(_credentials_check(nested, "the CLR"))
    return _report(fmt, checks, doc, credentials=nested)


def _clr_credentials(doc: Mapping[str, Any], options: VerifyOptions) -> tuple[VerificationReport, ...]:
    """CLR 2.0: each AchievementCredential in ``credentialSubject.verifiableCredential`` keeps and needs its proof."""
    reports = []
    for subject in as_list(doc.get("credentialSubject")):
        for index, vc in enumerate(as_list(subject.get("verifiableCredential") if isinstance(subject, dict) else None)):
            parse = Check("parse", PASS, f"credential {index + 1} nested in the CLR")
            if isinstance(vc, dict):
                reports.append(_verify_credential(vc, options, "json", parse, depth=1))
            else:
                reports.append(
                    _report("json", [Check("parse", FAIL, "a nested credential is not a JSON object")], None)
                )
    return tuple(reports)


def _credentials_check(reports: tuple[VerificationReport, ...], container: str) -> Check:
    """Every embedded credential verified (a presentation's, or a CLR's)."""
    failed = [str(i + 1) for i, r in enumerate(reports) if not r.verified]
    if not reports:
        return Check("credentials", PASS, f"{container} embeds no credentials")
    if failed:
        return Check(
            "credentials", FAIL, f"embedded credential(s) {', '.join(failed)} of {len(reports)} did not verify"
        )
    return Check("credentials", PASS, f"all {len(reports)} embedded credential(s) verified")


def _embedded_endorsements(doc: Mapping[str, Any]) -> list[Any]:
    """OB 3.0 verification step 6: endorsements on the credential, its issuer and its achievement(s)."""
    nodes: list[Any] = [doc, doc.get("issuer")]
    for subject in as_list(doc.get("credentialSubject")):
        if isinstance(subject, dict):
            nodes.append(subject.get("achievement"))
    found: list[Any] = []
    for node in nodes:
        if isinstance(node, dict):
            found.extend(as_list(node.get("endorsement")))
            found.extend(as_list(node.get("endorsementJwt")))
    return found


def _endorsements_check(doc: Mapping[str, Any], options: VerifyOptions) -> Check | None:
    """Each embedded EndorsementCredential (or endorsementJwt) is verified like a credential; a bad endorsement is
    a warning (the endorsement is worthless; the credential itself is not affected)."""
    endorsements = _embedded_endorsements(doc)
    if not endorsements:
        return None
    bad: list[str] = []
    for index, item in enumerate(endorsements, 1):
        if isinstance(item, str):
            report = verify_bytes(item.encode("utf-8"), options)
        elif isinstance(item, dict):
            report = _verify_credential(item, options, "json", Check("parse", PASS, "an embedded endorsement"), depth=1)
        else:
            bad.append(f"endorsement {index} is neither an object nor a JWT")
            continue
        if not report.verified:
            bad.append(f"endorsement {index}: " + "; ".join(f"{c.name}: {c.reason}" for c in report.failures))
    if bad:
        return Check("endorsements", WARNING, f"{len(bad)} of {len(endorsements)} endorsement(s) did not verify: "
                     + " | ".join(bad))  # fmt: skip
    return Check("endorsements", PASS, f"all {len(endorsements)} endorsement(s) verified")


def _holder_id(doc: Mapping[str, Any]) -> str | None:
    holder = doc.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _verify_presentation(doc: dict[str, Any], options: VerifyOptions, fmt: str, parse: Check) -> VerificationReport:
    """VCDM 2.0 §4.12 + DI §4.4 with proofPurpose ``authentication``, the expected challenge and domain."""
    checks = [parse, merge_checks("shape", check_shape(doc, secured=True), passed="the data model rules hold")]
    contexts = contexts_check(doc)
    resolution = Resolution(_source(options), "authentication")
    results = data_integrity.verify(
        doc,
        resolve=resolution,
        expected_purpose="authentication",
        challenge=options.challenge,
        domain=options.domain,
        now=options.now,
    )
    proofs = proof_checks(results, "presentation")
    if options.challenge is None and any(
        isinstance(p, Mapping) and "challenge" in p for p in as_list(doc.get("proof"))
    ):
        proofs.append(
            Check(
                "proof",
                WARNING,
                "the presentation carries a challenge but none was expected, so replay protection was not checked",
            )
        )
    contexts = nested_contexts(contexts, results)
    checks += [contexts, terms_check(doc, results, contexts), merge_checks("proof", proofs, passed="")]
    holder = _holder_id(doc)
    if results:
        checks.append(key_check("holder_key", results, resolution, holder, "holder", options.allow_unbound_keys))
    reports: list[VerificationReport] = []
    for index, vc in enumerate(as_list(doc.get("verifiableCredential"))):
        inner_parse = Check("parse", PASS, f"credential {index + 1} embedded in the presentation")
        if not isinstance(vc, dict):
            reports.append(_report("json", [Check("parse", FAIL, "an embedded credential is not a JSON object")], None))
        elif "EnvelopedVerifiableCredential" in type_list(vc.get("type")):
            reports.append(_verify_enveloped(vc, options))
        else:
            reports.append(_verify_credential(vc, options, "json", inner_parse))
    checks.append(_credentials_check(tuple(reports), "the presentation"))
    return _report(fmt, checks, None, presentation=doc, credentials=tuple(reports))


def _verify_enveloped(vc: Mapping[str, Any], options: VerifyOptions) -> VerificationReport:
    """VCDM 2.0 §4.13 EnvelopedVerifiableCredential: a ``data:`` URL carrying a VC-JWT."""
    data_url = vc.get("id")
    if isinstance(data_url, str) and data_url.startswith("data:") and "," in data_url:
        token = data_url.split(",", 1)[1]
        return verify_bytes(token.encode("utf-8"), options)
    return _report("json", [Check("parse", FAIL, "an EnvelopedVerifiableCredential needs a data: URL id")], None)


def _verify_jwt(token: str, options: VerifyOptions, fmt: str, size: int) -> VerificationReport:
    from credstack.domain._jwt_check import verify_vc_jwt

    return verify_vc_jwt(token, options, fmt, size)


def _dispatch(doc: dict[str, Any], options: VerifyOptions, fmt: str, parse: Check) -> VerificationReport:
    kinds = type_list(doc.get("type"))
    if "VerifiablePresentation" in kinds or ("VerifiableCredential" not in kinds and "verifiableCredential" in doc):
        return _verify_presentation(doc, options, fmt, parse)
    return _verify_credential(doc, options, fmt, parse)


def verify_document(doc: dict[str, Any], options: VerifyOptions, *, fmt: str = "json") -> VerificationReport:
    """Verify an already-parsed JSON credential or presentation."""
    if not isinstance(doc, dict):
        return _report(fmt, [Check("parse", FAIL, f"expected a JSON object, got {type(doc).__name__}")], None)
    try:
        return _dispatch(doc, options, fmt, Check("parse", PASS, "a JSON object"))
    except RecursionError:  # an already-parsed object skipped the depth limit that verify_bytes applies
        return _report(fmt, [Check("parse", FAIL, "the document is nested too deeply [document_too_deep]")], None)


def verify_bytes(data: bytes, options: VerifyOptions) -> VerificationReport:
    """Detect the format of ``data`` (JSON credential or presentation, compact JWS, baked PNG or SVG) and verify."""
    try:
        parsed: ParsedInput = parse_input(data, max_bytes=options.max_bytes)
    except CredstackError as exc:
        return _report("unknown", [Check("parse", FAIL, f"{exc.message} [{exc.code}]")], None)
    if parsed.token is not None:
        return _verify_jwt(parsed.token, options, parsed.format, parsed.size)
    if parsed.document is None:  # pragma: no cover - parse_input returns a document or a token
        raise InvalidInputError("nothing was parsed")
    described = {"json": "JSON", "png+json": "JSON baked into a PNG", "svg+json": "JSON baked into an SVG"}
    parse = Check("parse", PASS, f"{described.get(parsed.format, parsed.format)} ({parsed.size:,} bytes)")
    return _dispatch(parsed.document, options, parsed.format, parse)
