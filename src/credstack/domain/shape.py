"""Shape rules: W3C VC Data Model 2.0 (and legacy 1.1) for credentials and presentations, plus Open Badges 3.0.

- VCDM 2.0 (REC 15 May 2025, https://www.w3.org/TR/vc-data-model-2.0/): §4.3 contexts (first item
  ``https://www.w3.org/ns/credentials/v2``), §4.4 identifiers (one URL), §4.5 types (``VerifiableCredential`` /
  ``VerifiablePresentation``; every type a URL or a defined term), §4.6 names and descriptions (a string or a
  value object of ``@value``/``@language``/``@direction`` only), §4.7 issuer (URL or object with a URL ``id``),
  §4.8 credentialSubject (each with at least one claim), §4.9 validity period (dateTimeStamp, validFrom <=
  validUntil), §4.10 status, §4.11 data schemas (``id`` + ``type``), §4.12 presentations (``holder``,
  ``verifiableCredential`` as objects), §5.4 refreshService, §5.5 termsOfUse, §5.6 evidence (each with ``type``).
- JSON-LD 1.1 §4.1.11 protected term definitions: an embedded context may not redefine a protected term.
- Legacy VCDM 1.1 (``https://www.w3.org/2018/credentials/v1``) is read as legacy: a warning, not a failure.
- Open Badges 3.0 rules (``common_credentials.lines``) live in :mod:`credstack.domain._ob_shape`.

:func:`check_shape` never raises for a bad document: every finding is a :class:`Check` named ``shape``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import cache, lru_cache
from typing import Any

from credstack.contexts import KNOWN_CONTEXTS, load_context
from credstack.domain._checks import FAIL, PASS, WARNING, Check

__all__ = [
    "VC_V1",
    "VC_V2",
    "Findings",
    "as_list",
    "check_shape",
    "is_url",
    "parse_datetime",
    "type_list",
]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")
_DATETIME = re.compile(
    r"(?P<year>-?\d{4,})-(?P<month>\d{2})-(?P<day>\d{2})T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?(?P<tz>Z|[+-]\d{2}:\d{2})?"
)
_VALUE_OBJECT_KEYS = frozenset({"@value", "@language", "@direction"})


class Findings:
    """Accumulates shape findings as ``(status, reason)`` and turns them into checks."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def fail(self, reason: str) -> None:
        self.items.append((FAIL, reason))

    def warn(self, reason: str) -> None:
        self.items.append((WARNING, reason))

    @property
    def failed(self) -> bool:
        return any(status == FAIL for status, _ in self.items)


def as_list(value: Any) -> list[Any]:
    """A JSON-LD "one or many" value as a list (``None`` -> empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def type_list(value: Any) -> list[str]:
    """The ``type`` of a node as a list of strings (non-strings are dropped; shape checks report them)."""
    return [t for t in as_list(value) if isinstance(t, str)]


def is_url(value: Any) -> bool:
    """True for a string that is an absolute URL/URI (a scheme, a colon, no whitespace): VCDM 2.0 §4.4."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def parse_datetime(value: Any, *, require_timezone: bool = True) -> datetime | None:
    """Parse an XML Schema ``dateTimeStamp`` (``dateTime`` when ``require_timezone`` is False) to an aware datetime.

    Returns None when the value is not of that form. Years beyond 9999 map to ``datetime.max`` (UTC); a missing
    time zone (legacy ``dateTime``) is read as UTC.
    """
    if not isinstance(value, str):
        return None
    match = _DATETIME.fullmatch(value)
    if match is None or (require_timezone and match["tz"] is None):
        return None
    year = int(match["year"])
    if year > 9999:
        return datetime.max.replace(tzinfo=UTC)
    if year < 1:
        return datetime.min.replace(tzinfo=UTC)
    tz: timezone = UTC
    if match["tz"] and match["tz"] != "Z":
        sign = -1 if match["tz"][0] == "-" else 1
        hours, minutes = int(match["tz"][1:3]), int(match["tz"][4:6])
        if hours > 14 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    micro = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    try:
        hour = int(match["hour"])
        extra = timedelta(0)
        if hour == 24:  # xsd allows 24:00:00 meaning the end of the day
            if match["minute"] != "00" or match["second"] != "00" or micro:
                return None
            hour, extra = 0, timedelta(days=1)
        moment = datetime(
            year, int(match["month"]), int(match["day"]), hour, int(match["minute"]), int(match["second"]), micro, tz
        )
        return moment + extra
    except (ValueError, OverflowError):
        return None


# --- contexts and terms (JSON-LD 1.1 §4.1) --------------------------------------------------------------------


@cache
def _pinned_terms(url: str) -> tuple[frozenset[str], tuple[tuple[str, Any], ...], str | None]:
    """Terms a pinned context defines (top level and type-scoped, one level down), its protected terms, @vocab."""
    document = load_context(url)
    contexts = as_list(document.get("@context"))
    terms: set[str] = set()
    protected: list[tuple[str, Any]] = []
    vocab: str | None = None
    for ctx in contexts:
        if not isinstance(ctx, dict):
            continue
        if "@vocab" in ctx:
            vocab = ctx["@vocab"]
        is_protected = ctx.get("@protected") is True
        for term, definition in ctx.items():
            if term.startswith("@"):
                continue
            terms.add(term)
            term_protected = (
                definition.get("@protected", is_protected) if isinstance(definition, dict) else is_protected
            )
            if term_protected:
                protected.append((term, _normalise_definition(definition)))
            if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
                terms.update(t for t in definition["@context"] if not t.startswith("@"))
    return frozenset(terms), tuple(protected), vocab


def _normalise_definition(definition: Any) -> Any:
    if isinstance(definition, str):
        return {"@id": definition}
    if isinstance(definition, dict):
        return {k: v for k, v in definition.items() if k != "@protected"}
    return definition


class _ContextInfo:
    """What the shape rules need from a document's ``@context``: defined terms and whether a ``@vocab`` applies."""

    def __init__(self) -> None:
        self.terms: set[str] | frozenset[str] = set()
        self.vocab: str | None = None
        #: False when no context could be read (then undefined types are not reported twice).
        self.known = False


def _check_contexts(doc: Mapping[str, Any], out: Findings, *, where: str) -> tuple[str | None, _ContextInfo]:
    """VCDM 2.0 §4.3 and JSON-LD protected terms. Returns the base context URL (v2, v1 or None) and term info."""
    info = _ContextInfo()
    if "@context" not in doc:
        out.fail(f"{where}@context is missing (VCDM 2.0 §4.3 requires it, starting with {VC_V2})")
        return None, info
    contexts = doc["@context"]
    if isinstance(contexts, str):
        contexts = [contexts]
    if not isinstance(contexts, list) or not contexts:
        out.fail(f"{where}@context must be a URL or a non-empty ordered list")
        return None, info
    if all(isinstance(ctx, str) for ctx in contexts):  # the common case: answer from a small cache
        base, terms, vocab, failures = _url_contexts(tuple(contexts))
        info.terms, info.vocab, info.known = terms, vocab, True
        for reason in failures:
            out.fail(where + reason)
        return base, info
    return _walk_contexts(contexts, out, info, where=where), info


@lru_cache(maxsize=256)
def _url_contexts(contexts: tuple[str, ...]) -> tuple[str | None, frozenset[str], str | None, tuple[str, ...]]:
    out, info = Findings(), _ContextInfo()
    base = _walk_contexts(list(contexts), out, info, where="")
    return base, frozenset(info.terms), info.vocab, tuple(reason for _, reason in out.items)


def _walk_contexts(contexts: list[Any], out: Findings, info: _ContextInfo, *, where: str) -> str | None:
    info.known = True
    first = contexts[0]
    base: str | None = first if first in (VC_V2, VC_V1) else None
    if base is None:
        out.fail(f"{where}@context[0] must be {VC_V2}, got {first!r}")
    protected: dict[str, Any] = {}
    terms: set[str] = set()
    for index, ctx in enumerate(contexts):
        if isinstance(ctx, str):
            if not is_url(ctx):
                out.fail(f"{where}@context[{index}] {ctx!r} is not a URL")
                continue
            if ctx not in KNOWN_CONTEXTS:
                continue  # reported by the `contexts` check, which never fetches it
            pinned, prot, vocab = _pinned_terms(ctx)
            terms.update(pinned)
            if vocab is not None:
                info.vocab = vocab
            protected.update(prot)
        elif isinstance(ctx, dict):
            info.terms = terms
            _check_embedded_context(ctx, protected, info, out, where=f"{where}@context[{index}]")
        else:
            out.fail(f"{where}@context[{index}] must be a URL or an object, got {type(ctx).__name__}")
    info.terms = terms
    return base


def _check_embedded_context(
    ctx: Mapping[str, Any], protected: dict[str, Any], info: _ContextInfo, out: Findings, *, where: str
) -> None:
    if "@vocab" in ctx:
        info.vocab = ctx["@vocab"]
    ctx_protected = ctx.get("@protected") is True
    for term, definition in ctx.items():
        if term.startswith("@"):
            continue
        iri = definition if isinstance(definition, str) else None
        if isinstance(definition, dict):
            iri = definition.get("@id") if isinstance(definition.get("@id"), str) else None
        elif definition is not None and not isinstance(definition, str):
            out.fail(f"{where}: the definition of {term!r} must be a string or an object")
            continue
        if iri is not None and (not iri or any(ch.isspace() for ch in iri)):
            out.fail(f"{where}: term {term!r} maps to {iri!r}, which is not a URL")
            continue
        normalised = _normalise_definition(definition)
        if term in protected and protected[term] != normalised:
            out.fail(f"{where}: redefines the protected term {term!r} (JSON-LD 1.1 protected term redefinition)")
            continue
        if isinstance(info.terms, set):
            info.terms.add(term)
        term_protected = definition.get("@protected", ctx_protected) if isinstance(definition, dict) else ctx_protected
        if term_protected:
            protected[term] = normalised


def _check_types(doc: Mapping[str, Any], required: str, info: _ContextInfo, out: Findings, *, where: str) -> list[str]:
    """VCDM 2.0 §4.5: ``type`` present, strings only, includes ``required``, each a URL or a defined term."""
    if "type" not in doc:
        out.fail(f"{where}type is missing (must include {required!r})")
        return []
    raw = doc["type"]
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(t, str) and t for t in values):
        out.fail(f"{where}type must be a non-empty string or list of strings")
        return []
    if required not in values:
        out.fail(f"{where}type {values!r} does not include {required!r}")
    for value in values:
        if not info.known or value in info.terms or is_url(value) or info.vocab:
            continue
        out.fail(f"{where}type {value!r} is neither a URL nor a term defined by the @context")
    return values


def _check_id(node: Mapping[str, Any], out: Findings, *, where: str, required: bool = False) -> None:
    if "id" not in node:
        if required:
            out.fail(f"{where}id is required")
        return
    if not is_url(node["id"]):
        out.fail(f"{where}id must be a single URL, got {node['id']!r}")


def _check_language_values(node: Mapping[str, Any], out: Findings, *, where: str) -> None:
    """VCDM 2.0 §4.6 / §11.1: ``name`` and ``description`` are strings or language value objects."""
    for prop in ("name", "description"):
        if prop not in node:
            continue
        for value in as_list(node[prop]):
            if isinstance(value, str):
                continue
            if isinstance(value, dict) and isinstance(value.get("@value"), str):
                extra = set(value) - _VALUE_OBJECT_KEYS
                if extra:
                    out.fail(
                        f"{where}{prop} value object has members other than @value/@language/@direction: "
                        f"{sorted(extra)}"
                    )
                continue
            out.fail(f"{where}{prop} must be a string or a value object with @value, got {value!r}")


def _check_typed_objects(
    doc: Mapping[str, Any], prop: str, out: Findings, *, where: str, need_id: bool = False
) -> None:
    """Each value of ``prop`` is an object with a ``type`` (and, if ``need_id``, a URL ``id``)."""
    if prop not in doc:
        return
    values = as_list(doc[prop])
    if not values:
        out.fail(f"{where}{prop} must not be empty")
    for index, value in enumerate(values):
        label = f"{where}{prop}[{index}]" if isinstance(doc[prop], list) else f"{where}{prop}"
        if not isinstance(value, dict):
            out.fail(f"{label} must be an object")
            continue
        kinds = value.get("type")
        kinds_ok = isinstance(kinds, str) or (
            isinstance(kinds, list) and bool(kinds) and all(isinstance(k, str) for k in kinds)
        )
        if not kinds_ok:
            out.fail(f"{label} must have a type (a string or list of strings)")
        if need_id and "id" not in value:
            out.fail(f"{label} must have an id")
        elif "id" in value and not is_url(value["id"]):
            out.fail(f"{label}.id must be a single URL, got {value['id']!r}")


def _check_issuer(doc: Mapping[str, Any], out: Findings, *, where: str, required: bool) -> None:
    """VCDM 2.0 §4.7."""
    if "issuer" not in doc:
        if required:
            out.fail(f"{where}issuer is missing")
        return
    issuer = doc["issuer"]
    if isinstance(issuer, dict):
        if "id" in issuer and not is_url(issuer["id"]):
            out.fail(f"{where}issuer.id must be a URL, got {issuer['id']!r}")
        elif "id" not in issuer and required:
            out.fail(f"{where}issuer object has no id")
        _check_language_values(issuer, out, where=f"{where}issuer.")
    elif not is_url(issuer):
        out.fail(f"{where}issuer must be a URL or an object with a URL id, got {issuer!r}")


def _check_subjects(doc: Mapping[str, Any], out: Findings, *, where: str) -> None:
    """VCDM 2.0 §4.8: one or more subjects, each an object with at least one claim; ``id`` a single URL."""
    if "credentialSubject" not in doc:
        out.fail(f"{where}credentialSubject is missing")
        return
    subjects = as_list(doc["credentialSubject"])
    if not subjects:
        out.fail(f"{where}credentialSubject must not be empty")
    for index, subject in enumerate(subjects):
        label = f"{where}credentialSubject" + (f"[{index}]" if len(subjects) > 1 else "")
        if not isinstance(subject, dict):
            out.fail(f"{label} must be an object")
        elif not subject:
            out.fail(f"{label} makes no claims (an empty object)")
        elif "id" in subject and not is_url(subject["id"]):
            out.fail(f"{label}.id must be a single URL, got {subject['id']!r}")


def _check_validity(doc: Mapping[str, Any], out: Findings, *, where: str, legacy: bool) -> None:
    """VCDM 2.0 §4.9 (validFrom/validUntil, dateTimeStamp) or VCDM 1.1 §4.6/§4.7 (issuanceDate/expirationDate)."""
    start_name, end_name = ("issuanceDate", "expirationDate") if legacy else ("validFrom", "validUntil")
    if legacy and start_name not in doc:
        out.fail(f"{where}issuanceDate is required by VCDM 1.1")
    moments: dict[str, datetime] = {}
    for prop in (start_name, end_name):
        if prop not in doc:
            continue
        moment = parse_datetime(doc[prop], require_timezone=not legacy)
        if moment is None:
            out.fail(f"{where}{prop} {doc[prop]!r} is not an XML Schema dateTimeStamp (e.g. 2024-01-01T00:00:00Z)")
        else:
            moments[prop] = moment
    if start_name in moments and end_name in moments and moments[start_name] > moments[end_name]:
        out.fail(f"{where}{start_name} {doc[start_name]} is after {end_name} {doc[end_name]}")


def _check_proofs(doc: Mapping[str, Any], out: Findings, *, where: str) -> None:
    """Data Integrity 1.0 §2.1: each proof is an object with a ``type``."""
    for index, proof in enumerate(as_list(doc.get("proof"))):
        label = f"{where}proof" + (f"[{index}]" if isinstance(doc.get("proof"), list) else "")
        if not isinstance(proof, dict):
            out.fail(f"{label} must be an object")
        elif not isinstance(proof.get("type"), str):
            out.fail(f"{label} has no type")


def check_credential_shape(
    doc: Mapping[str, Any], out: Findings, *, where: str = "", secured: bool = False
) -> str | None:
    """Apply the VCDM 2.0 (or legacy 1.1) credential rules; returns the base context found (v2, v1 or None)."""
    base, info = _check_contexts(doc, out, where=where)
    legacy = base == VC_V1
    if legacy:
        out.warn(f"{where}a legacy VCDM 1.1 credential (read as legacy; VCDM 2.0 is current)")
    _check_id(doc, out, where=where)
    _check_types(doc, "VerifiableCredential", info, out, where=where)
    _check_issuer(doc, out, where=where, required=secured or legacy)
    _check_subjects(doc, out, where=where)
    _check_validity(doc, out, where=where, legacy=legacy)
    _check_language_values(doc, out, where=where)
    _check_typed_objects(doc, "credentialStatus", out, where=where)
    _check_typed_objects(doc, "credentialSchema", out, where=where, need_id=True)
    _check_typed_objects(doc, "refreshService", out, where=where)
    _check_typed_objects(doc, "termsOfUse", out, where=where)
    _check_typed_objects(doc, "evidence", out, where=where)
    _check_proofs(doc, out, where=where)
    return base


def _check_presentation_shape(doc: Mapping[str, Any], out: Findings, *, secured: bool) -> None:
    """VCDM 2.0 §4.12 presentations."""
    _, info = _check_contexts(doc, out, where="")
    _check_id(doc, out, where="")
    _check_types(doc, "VerifiablePresentation", info, out, where="")
    if "holder" in doc:
        holder = doc["holder"]
        holder_id = holder.get("id") if isinstance(holder, dict) else holder
        if not is_url(holder_id):
            out.fail(f"holder must be a URL or an object with a URL id, got {holder!r}")
    for index, vc in enumerate(as_list(doc.get("verifiableCredential"))):
        where = f"verifiableCredential[{index}]."
        if not isinstance(vc, dict):
            out.fail(f"verifiableCredential[{index}] must be an object (a string is not a credential)")
        elif "EnvelopedVerifiableCredential" in type_list(vc.get("type")):
            _check_contexts(vc, out, where=where)
            if not (isinstance(vc.get("id"), str) and vc["id"].startswith("data:")):
                out.fail(f"{where}id of an EnvelopedVerifiableCredential must be a data: URL")
        else:
            from credstack.domain._ob_shape import check_ob_shape

            check_credential_shape(vc, out, where=where, secured=secured)
            check_ob_shape(vc, out, where=where)
    _check_proofs(doc, out, where="")


def check_shape(doc: Any, *, secured: bool = False) -> list[Check]:
    """All shape findings for a credential or presentation, as checks named ``shape``.

    ``secured=True`` is for a document presented for verification: the issuer (with a URL id) is then required
    (VCDM 2.0 §4.7). Issuers call it with the default before adding the issuer. The first check is a ``pass``
    summary when nothing failed; warnings (e.g. legacy VCDM 1.1) follow it.
    """
    from credstack.domain._ob_shape import check_ob_shape

    out = Findings()
    if not isinstance(doc, dict):
        return [Check("shape", FAIL, f"expected a JSON object, got {type(doc).__name__}")]
    kinds = type_list(doc.get("type"))
    if "VerifiablePresentation" in kinds or ("VerifiableCredential" not in kinds and "verifiableCredential" in doc):
        _check_presentation_shape(doc, out, secured=secured)
        summary = "a VCDM 2.0 verifiable presentation"
    else:
        base = check_credential_shape(doc, out, secured=secured)
        ob = check_ob_shape(doc, out, where="")
        model = "VCDM 1.1 (legacy)" if base == VC_V1 else "VCDM 2.0"
        summary = f"an Open Badges 3.0 credential on {model}" if ob else f"a {model} credential"
    checks = [Check("shape", status, reason) for status, reason in out.items]  # type: ignore[arg-type]
    if not out.failed:
        checks.insert(0, Check("shape", PASS, f"{summary}; the data model rules hold"))
    return checks
