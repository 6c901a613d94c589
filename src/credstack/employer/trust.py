"""Trust signals for a credential, as a breakdown a person can read: never a bare score (pure; time is passed in).

Each :class:`TrustSignal` names what was looked at, what was found, and how much it supports trusting the
credential, as a ``level``: ``strong``, ``moderate``, ``weak``, ``unknown`` (nothing to judge by) or ``concern``
(something speaks against it). The signals, in order:

1. ``verification``: the cryptographic verdict (a credential that did not verify gets ``concern``; nothing else
   changes that).
2. ``issuer``: the issuer's identity: its DID method, and the web domain behind a ``did:web`` or an ``https`` id
   (a ``did:key`` is a bare key: it proves who signed, not who that is).
3. ``registry``: whether the issuer is on the organisation's trusted-issuer registry (a DID, or a domain that
   also covers its sub-domains).
4. ``assessment``: how the achievement was assessed: the method named in its criteria (proctored exam, practical
   project with rubric, ...), rubric result descriptions, and results in the subject.
5. ``evidence``: the credential's ``evidence`` entries (links, narratives).
6. ``endorsements``: endorsements of the credential, its achievement or its issuer (embedded or known to this
   server), verified or not, and whether the endorser is itself trusted.
7. ``market``: the market value of the skills (when market data is available).
8. ``freshness``: the credential's age against the half-life of its skills (skills age: evidence from five years
   ago about a technology counts for less), and its ``validUntil``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "LEVELS",
    "EndorsementInfo",
    "MarketInfo",
    "RegistryEntry",
    "TrustBreakdown",
    "TrustSignal",
    "achievement_of",
    "assess",
    "evidence_strength",
    "issuer_domain",
    "issuer_id",
    "on_registry",
    "skill_uris",
]

LEVELS = ("strong", "moderate", "weak", "unknown", "concern")
_YEAR = 365.25 * 24 * 3600
#: assessment methods, strongest first (the catalog's ASSESSMENT_METHODS and common synonyms)
_METHODS: tuple[tuple[str, str], ...] = (
    ("licensing exam", "strong"),
    ("proctored exam", "strong"),
    ("practical project with rubric", "strong"),
    ("workplace observation", "strong"),
    ("oral examination", "strong"),
    ("portfolio review", "moderate"),
    ("exam", "moderate"),
    ("assessment", "moderate"),
    ("project", "moderate"),
    ("completion", "weak"),
    ("attendance", "weak"),
    ("participation", "weak"),
)


@dataclass(frozen=True)
class TrustSignal:
    name: str
    label: str
    level: str
    finding: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "label": self.label,
            "level": self.level,
            "finding": self.finding,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class TrustBreakdown:
    """Every signal, in order; ``counts`` says how many of each level (a summary, not a score)."""

    signals: tuple[TrustSignal, ...]

    def signal(self, name: str) -> TrustSignal | None:
        return next((s for s in self.signals if s.name == name), None)

    @property
    def counts(self) -> dict[str, int]:
        return {level: sum(1 for s in self.signals if s.level == level) for level in LEVELS}

    def to_json(self) -> dict[str, Any]:
        return {"signals": [s.to_json() for s in self.signals], "counts": self.counts}


@dataclass(frozen=True)
class RegistryEntry:
    """An entry of an organisation's trusted-issuer registry: ``kind`` ``did`` or ``domain``."""

    kind: str
    value: str
    label: str = ""


@dataclass(frozen=True)
class EndorsementInfo:
    """An endorsement of the credential, its achievement or its issuer: who, verified or not, and its comment."""

    endorser: str
    endorser_name: str
    subject: str
    verified: bool
    comment: str = ""
    reason: str = ""


@dataclass(frozen=True)
class MarketInfo:
    """The market value of the credential's skills: a 0-1 ``score``, the skills that carry it, and the basis."""

    score: float
    top_skills: tuple[str, ...] = ()
    basis: str = ""


@dataclass(frozen=True)
class _Inputs:
    credential: Mapping[str, Any]
    verified: bool
    registry: Sequence[RegistryEntry] = ()
    endorsements: Sequence[EndorsementInfo] = ()
    market: MarketInfo | None = None
    now: datetime | None = None
    half_lives: Mapping[str, float] = field(default_factory=dict)
    default_half_life: float = 5.0


def _list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else ""


def _issuer_name(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, Mapping) else None
    return name if isinstance(name, str) else ""


def issuer_domain(credential: Mapping[str, Any]) -> str | None:
    """The web domain behind the issuer: a did:web's host, an https id's host (lower case, no port)."""
    ident = issuer_id(credential)
    if ident.startswith("did:web:"):
        host = unquote(ident[len("did:web:") :].split(":", 1)[0])
        return host.split(":", 1)[0].lower() or None
    if ident.startswith(("https://", "http://")):
        return (urlsplit(ident).hostname or "").lower() or None
    return None


def on_registry(credential: Mapping[str, Any], registry: Sequence[RegistryEntry]) -> RegistryEntry | None:
    """The registry entry that covers the issuer: its DID exactly, or its domain (or a parent domain)."""
    ident, domain = issuer_id(credential), issuer_domain(credential)
    for entry in registry:
        if entry.kind == "did" and entry.value == ident:
            return entry
    for entry in registry:
        if entry.kind == "domain" and domain and (domain == entry.value or domain.endswith("." + entry.value)):
            return entry
    return None


def achievement_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    for subject in _list(credential.get("credentialSubject")):
        if isinstance(subject, Mapping) and isinstance(subject.get("achievement"), Mapping):
            achievement: Mapping[str, Any] = subject["achievement"]
            return achievement
    return {}


def skill_uris(credential: Mapping[str, Any]) -> list[str]:
    """The skills the achievement aligns to (alignment targetUrl), frameworks' level markers (EQF) excluded."""
    out: list[str] = []
    for alignment in _list(achievement_of(credential).get("alignment")):
        if not isinstance(alignment, Mapping):
            continue
        url = alignment.get("targetUrl")
        if isinstance(url, str) and "europass" not in url and "EQF" not in str(alignment.get("targetName", "")):
            out.append(url)
    return out


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return ""


# -- the signals --------------------------------------------------------------------------------------------------
def _verification(inputs: _Inputs) -> TrustSignal:
    if inputs.verified:
        return TrustSignal(
            "verification",
            "Verification",
            "strong",
            "every check passed",
            "signature, issuer key, validity and status were checked",
        )
    return TrustSignal(
        "verification",
        "Verification",
        "concern",
        "the credential did not verify",
        "whatever it says cannot be relied on until it verifies",
    )


def _issuer(inputs: _Inputs) -> TrustSignal:
    ident, domain = issuer_id(inputs.credential), issuer_domain(inputs.credential)
    name = _issuer_name(inputs.credential) or "an unnamed issuer"
    if ident.startswith("did:web:"):
        return TrustSignal(
            "issuer",
            "Issuer identity",
            "strong",
            f"{name}: did:web on {domain}",
            f"the key is published by the web domain {domain}, so whoever controls that domain vouches for it",
        )
    if ident.startswith("https://"):
        return TrustSignal(
            "issuer",
            "Issuer identity",
            "moderate",
            f"{name}: an https identifier on {domain}",
            "the issuer names a web address; the key's binding to it depends on how it was checked",
        )
    if ident.startswith("did:key:"):
        return TrustSignal(
            "issuer",
            "Issuer identity",
            "weak",
            f"{name}: did:key (a bare public key)",
            "the signature proves which key signed, not who holds it; trust it through the registry or endorsements",
        )
    if not ident:
        return TrustSignal("issuer", "Issuer identity", "concern", "no issuer id", "")
    method = ident.split(":", 2)[1] if ident.startswith("did:") and ident.count(":") >= 2 else ident.split(":", 1)[0]
    return TrustSignal("issuer", "Issuer identity", "weak", f"{name}: {method} identifier {ident[:80]}", "")


def _registry(inputs: _Inputs) -> TrustSignal:
    entry = on_registry(inputs.credential, inputs.registry)
    if entry is not None:
        how = "its DID" if entry.kind == "did" else f"the domain {entry.value}"
        label = f" ({entry.label})" if entry.label else ""
        return TrustSignal(
            "registry", "Trusted-issuer registry", "strong", f"trusted: on your registry by {how}{label}"
        )
    if not inputs.registry:
        return TrustSignal(
            "registry",
            "Trusted-issuer registry",
            "unknown",
            "your registry is empty",
            "add the issuers you trust (a DID or a web domain)",
        )
    return TrustSignal(
        "registry",
        "Trusted-issuer registry",
        "weak",
        "not on your registry",
        f"{issuer_id(inputs.credential)[:100]} is neither listed nor under a listed domain",
    )


def _assessment(inputs: _Inputs) -> TrustSignal:
    achievement = achievement_of(inputs.credential)
    criteria = achievement.get("criteria")
    text = " ".join(
        [_text(criteria), _text(achievement.get("tag")), _text(achievement.get("assessmentMethod"))]
    ).lower()
    rubric = [r for r in _list(achievement.get("resultDescription")) if isinstance(r, Mapping)]
    results = [
        r
        for s in _list(inputs.credential.get("credentialSubject"))
        if isinstance(s, Mapping)
        for r in _list(s.get("result"))
    ]
    extra = []
    if rubric:
        extra.append(
            f"{len(rubric)} result description(s) ({', '.join(sorted({str(r.get('resultType')) for r in rubric}))})"
        )
    if results:
        extra.append(f"{len(results)} result(s) recorded for the learner")
    for method, level in _METHODS:
        if re.search(rf"\b{re.escape(method)}", text):
            if level == "weak" and (results or rubric):
                level = "moderate"
            return TrustSignal("assessment", "Assessment", level, f"assessed by {method}", "; ".join(extra))
    if results or rubric:
        return TrustSignal("assessment", "Assessment", "moderate", "graded results, method not named", "; ".join(extra))
    return TrustSignal(
        "assessment",
        "Assessment",
        "unknown",
        "the assessment method is not stated",
        "the criteria do not say how the achievement was assessed",
    )


def _evidence(inputs: _Inputs) -> TrustSignal:
    items = [e for e in _list(inputs.credential.get("evidence")) if isinstance(e, Mapping)]
    if not items:
        return TrustSignal("evidence", "Evidence", "unknown", "no evidence attached", "")
    linked = sum(1 for e in items if isinstance(e.get("id"), str))
    described = sum(1 for e in items if e.get("narrative") or e.get("description"))
    names = ", ".join(str(e.get("name")) for e in items if e.get("name"))[:200]
    level = "strong" if linked else "moderate"
    detail = f"{linked} linked, {described} described" + (f": {names}" if names else "")
    return TrustSignal("evidence", "Evidence", level, f"{len(items)} piece(s) of evidence", detail)


def _endorsements(inputs: _Inputs) -> TrustSignal:
    found = list(inputs.endorsements)
    if not found:
        return TrustSignal("endorsements", "Endorsements", "unknown", "no endorsements", "")
    good = [e for e in found if e.verified]
    bad = [e for e in found if not e.verified]
    trusted = [e for e in good if on_registry({"issuer": e.endorser}, inputs.registry) is not None]
    who = "; ".join(
        f"{e.endorser_name or e.endorser} endorses {e.subject}" + (f": {e.comment}" if e.comment else "") for e in good
    )[:400]
    if bad and not good:
        reasons = "; ".join(e.reason for e in bad if e.reason)[:300]
        return TrustSignal(
            "endorsements", "Endorsements", "concern", f"{len(bad)} endorsement(s) did not verify", reasons
        )
    level = "strong" if trusted else "moderate"
    finding = f"{len(good)} verified endorsement(s)" + (f", {len(trusted)} by trusted endorsers" if trusted else "")
    if bad:
        finding += f"; {len(bad)} did not verify"
    return TrustSignal("endorsements", "Endorsements", level, finding, who)


def _market(inputs: _Inputs) -> TrustSignal:
    market = inputs.market
    if market is None:
        return TrustSignal("market", "Market value of the skills", "unknown", "no market data for these skills", "")
    score = market.score / 100 if market.score > 1 else market.score
    level = "strong" if score >= 0.6 else "moderate" if score >= 0.3 else "weak"
    top = ", ".join(market.top_skills[:5])
    detail = (f"most in demand: {top}. " if top else "") + (market.basis or "")
    return TrustSignal("market", "Market value of the skills", level, f"market value {score:.0%} of the best", detail)


def _freshness(inputs: _Inputs) -> TrustSignal:
    credential, now = inputs.credential, inputs.now
    issued = _date(credential.get("awardedDate")) or _date(credential.get("validFrom"))
    if now is None or issued is None:
        return TrustSignal("freshness", "Freshness", "unknown", "no issue date", "")
    until = _date(credential.get("validUntil"))
    if until is not None and until < now:
        return TrustSignal("freshness", "Freshness", "concern", f"expired on {until.date().isoformat()}", "")
    age = max((now - issued).total_seconds() / _YEAR, 0.0)
    skills = skill_uris(credential)
    lives = [inputs.half_lives.get(s, inputs.default_half_life) for s in skills] or [inputs.default_half_life]
    shortest = min(lives)
    remaining = 0.5 ** (age / shortest)
    level = "strong" if remaining >= 0.75 else "moderate" if remaining >= 0.5 else "weak"
    finding = f"issued {age:.1f} years ago; the skills keep {remaining:.0%} of their weight"
    detail = f"half-life {shortest:g} years for the fastest-ageing of {len(skills) or 'its'} skill(s)"
    return TrustSignal("freshness", "Freshness", level, finding, detail)


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def assess(
    credential: Mapping[str, Any],
    *,
    verified: bool,
    now: datetime,
    registry: Sequence[RegistryEntry] = (),
    endorsements: Sequence[EndorsementInfo] = (),
    market: MarketInfo | None = None,
    half_lives: Mapping[str, float] | None = None,
    default_half_life: float = 5.0,
) -> TrustBreakdown:
    """The trust breakdown of one credential (see the module docstring for each signal)."""
    inputs = _Inputs(credential, verified, registry, endorsements, market, now, half_lives or {}, default_half_life)
    return TrustBreakdown(
        tuple(
            f(inputs)
            for f in (_verification, _issuer, _registry, _assessment, _evidence, _endorsements, _market, _freshness)
        )
    )


_STRENGTH = {"strong": 1.0, "moderate": 0.8, "unknown": 0.65, "weak": 0.5, "concern": 0.0}


def evidence_strength(credential: Mapping[str, Any]) -> float:
    """How well a (verified) credential evidences its skills, 0-1: its assessment method (strong 1.0, moderate 0.8,
    not stated 0.65, completion only 0.5), +0.1 when evidence is attached (at most 1)."""
    inputs = _Inputs(credential, True)
    base = _STRENGTH[_assessment(inputs).level]
    return min(1.0, base + (0.1 if _evidence(inputs).level in {"strong", "moderate"} else 0.0))
