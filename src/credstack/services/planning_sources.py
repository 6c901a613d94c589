"""The planner's view of other services, each optional: the learner's verified credentials (``learners``), demand
and growth (``market``), occupation outlooks (``outlook``) and stacks (``pathways``). Each method returns plain
values and notes; when a service is missing or fails, the note says what the plan was made without.

Without the learners service, the credentials this server issued to the learner (active, within their validity)
stand in for the wallet, and a note says so. When the learner is the e-mail address of a person with a wallet
(``accounts`` and ``wallet`` services), the credentials in that wallet count too: those imported from elsewhere are
verified like the rest (and must be issued to the learner).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from credstack.domain.identity import matches_identity
from credstack.errors import CredstackError
from credstack.planner.gap import TargetSpec
from credstack.planner.milestones import Stack
from credstack.planner.profile import Evidence, credential_skill_levels
from credstack.services.planning_data import SkillClaim
from credstack.storage.engine import Database
from credstack.storage.models import Credential

__all__ = ["HeldEvidence", "Sources"]

#: Proficiency names used in catalog result descriptions (credstack.catalog.model.PROFICIENCY_LEVELS).
LEVEL_NAMES = {"foundation": 1, "intermediate": 2, "advanced": 3, "expert": 4}
_CATALOG_URN = "urn:credstack:catalog:"
#: Pathways read per plan (each is a progress evaluation over the learner's credentials); when more are defined,
#: the most relevant are read (:func:`_relevance`).
MAX_PATHWAYS = 12
#: An occupation's own postings weigh its skills when they name at least this many of them (else all postings).
MIN_OCCUPATION_SKILLS = 5
#: Seconds a skill's growth figure is reused (each is a query over the demand tables).
TREND_TTL = 300.0


@dataclass(frozen=True)
class HeldEvidence:
    evidence: tuple[Evidence, ...]
    catalog_ids: frozenset[str]
    summaries: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...]


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _subject(document: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = document.get("credentialSubject") or {}
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    return subject if isinstance(subject, Mapping) else {}


class Sources:
    def __init__(self, db: Database, services: Callable[[str], Any]) -> None:
        self._db = db
        self._services = services
        self._trends: dict[str, tuple[float, float | None]] = {}

    def _service(self, name: str) -> Any:
        try:
            return self._services(name)
        except Exception:
            return None

    # -- credentials ---------------------------------------------------------------------------------------------

    def _wallet_documents(self, learner: str) -> list[Mapping[str, Any]]:
        """The credential documents in the wallet of the person whose e-mail address is ``learner`` (none when there
        is no such person or no wallet; VC-JWT items are left out)."""
        accounts, wallet = self._service("accounts"), self._service("wallet")
        if accounts is None or wallet is None or "@" not in learner or learner.strip().startswith("did:"):
            return []
        try:
            person = accounts.find_person(learner)
            items = wallet.items(person.id) if person is not None else []
        except CredstackError:
            return []
        documents: list[Mapping[str, Any]] = []
        for item in items:
            if getattr(item, "is_jwt", False) or getattr(item, "is_legacy", False):
                continue
            try:
                document = json.loads(item.raw)
            except ValueError:
                continue
            if isinstance(document, dict):
                documents.append(document)
        return documents

    def credentials(self, learner: str, at: datetime) -> HeldEvidence:
        learners = self._service("learners")
        notes: list[str] = []
        items: list[tuple[Mapping[str, Any], datetime | None, datetime | None, str, Sequence[Any]]] = []
        if learners is not None and hasattr(learners, "verified_credentials"):
            try:
                held = learners.verified_credentials(learner, extra=self._wallet_documents(learner), at=at)
            except CredstackError as exc:
                held = []
                notes.append(f"the learner's wallet could not be read: {exc}")
            skipped = 0
            for h in held:
                if not getattr(h, "verified", True):
                    skipped += 1
                    continue
                document = getattr(h, "credential", None) or {}
                items.append(
                    (
                        document,
                        _time(getattr(h, "earned", None)) or _time(getattr(h, "valid_from", None)),
                        _time(getattr(h, "valid_until", None)),
                        str(getattr(h, "credential_id", "") or document.get("id", "")),
                        list(getattr(h, "results", None) or ()),
                    )
                )
            if skipped:
                notes.append(f"{skipped} credential(s) in the wallet did not verify and were not counted")
        else:
            notes.append(
                "the learner wallet service is not available: using the credentials this server issued to the learner"
            )
            with self._db.read() as session:
                rows = session.execute(
                    sa.select(Credential.id, Credential.document, Credential.issued_at).where(
                        Credential.state == "active"
                    )
                ).all()
            for cid, document, issued in rows:
                if not _issued_to(document, learner):
                    continue
                valid_until = _time(document.get("validUntil"))
                if valid_until is not None and valid_until < at:
                    continue
                subject = _subject(document)
                items.append(
                    (
                        document,
                        _time(document.get("validFrom")) or issued,
                        valid_until,
                        cid,
                        subject.get("result") or [],
                    )
                )
        evidence: list[Evidence] = []
        catalog_ids: set[str] = set()
        summaries = []
        for document, valid_from, valid_until, cid, results in items:
            achievement = _subject(document).get("achievement") or {}
            if not isinstance(achievement, Mapping):
                continue
            code = str(achievement.get("humanCode") or "")
            aid = str(achievement.get("id") or "")
            entry = code or (aid[len(_CATALOG_URN) :] if aid.startswith(_CATALOG_URN) else "")
            if entry:
                catalog_ids.add(entry)
            observed = valid_from or at
            levels = credential_skill_levels(achievement, results, LEVEL_NAMES)
            title = str(achievement.get("name") or "")
            for uri, level in levels.items():
                evidence.append(Evidence(uri, level, observed, "credential", cid, title, valid_until))
            summaries.append(
                {
                    "credential": cid,
                    "name": title,
                    "catalogEntry": entry or None,
                    "validFrom": observed.isoformat(),
                    "validUntil": valid_until.isoformat() if valid_until else None,
                    "skills": len(levels),
                }
            )
        return HeldEvidence(tuple(evidence), frozenset(catalog_ids), tuple(summaries), tuple(notes))

    def claim_evidence(self, claims: Sequence[SkillClaim]) -> list[Evidence]:
        return [Evidence(c.skill_uri, c.level, c.claimed_at, c.source, f"{c.source} claim", c.note) for c in claims]

    # -- market --------------------------------------------------------------------------------------------------

    def demand(
        self, uris: Sequence[str], spec: TargetSpec
    ) -> tuple[dict[str, tuple[float | None, float | None]], list[str]]:
        market = self._service("market")
        if market is None or not hasattr(market, "skill_demand"):
            return {}, ["no job-market data service: target skills are weighted by essential/optional status only"]
        wanted = set(uris)
        shares: dict[str, float] = {}
        try:
            if spec.kind == "occupation":  # the occupation's own postings when they name enough of its skills
                rows = market.skill_demand(occupation=spec.ref, limit=1000)
                shares = {r.uri: float(r.share) for r in rows if r.uri in wanted}
            if len(shares) < MIN_OCCUPATION_SKILLS:
                rows = market.skill_demand(limit=5000)
                shares = {r.uri: float(r.share) for r in rows if r.uri in wanted}
        except (CredstackError, TypeError, ValueError) as exc:
            return {}, [f"job-market demand could not be read ({exc}): weights by status only"]
        out: dict[str, tuple[float | None, float | None]] = {}
        growth = getattr(market, "growth", None)
        now = time.monotonic()
        for uri in uris:
            trend = None
            if growth is not None and uri in shares:
                cached = self._trends.get(uri)
                if cached is not None and now - cached[0] < TREND_TTL:
                    trend = cached[1]
                else:
                    try:
                        found = growth(uri)
                    except (CredstackError, TypeError, ValueError):
                        found = None
                    yoy, qoq = getattr(found, "yoy", None), getattr(found, "qoq", None)
                    trend = yoy if yoy is not None else qoq
                    self._trends[uri] = (now, trend)
            if uri in shares or trend is not None:
                out[uri] = (shares.get(uri), trend)
        if not out:
            return {}, ["the job-market data has no postings for the target's skills: weights by status only"]
        return out, [f"weights include job-market demand for {len(out)} of {len(uris)} skills"]

    # -- outlook -------------------------------------------------------------------------------------------------

    def outlooks(self, occupations: Sequence[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
        outlook = self._service("outlook")
        if outlook is None or not hasattr(outlook, "occupation_outlook"):
            return {}, ["no occupation outlook service: suggestions are ranked by closeness only"]
        out: dict[str, dict[str, Any]] = {}
        for occupation in occupations:
            try:
                found = outlook.occupation_outlook(occupation)
            except (CredstackError, TypeError, ValueError):
                found = None
            if found is None:
                continue
            out[occupation] = {
                "soc": getattr(found, "soc", None),
                "title": getattr(found, "title", None),
                "growthPct": getattr(found, "growth_pct", None),
                "openingsPerYear": getattr(found, "openings_per_year", None),
                "medianWage": getattr(found, "median_wage", None),
                "brightOutlook": getattr(found, "bright_outlook", None),
                "momentum": _number(getattr(found, "momentum", None)),
                "blendedOutlook": _number(getattr(found, "blended_outlook", None)),
                "sources": list(getattr(found, "sources", None) or ()),
            }
        return out, [] if out else ["no outlook figures for these occupations: ranked by closeness only"]

    # -- stacks --------------------------------------------------------------------------------------------------

    def stacks(
        self,
        learner: str,
        held: frozenset[str],
        *,
        skills_of: Mapping[str, Collection[str]] | None = None,
        wanted: Mapping[str, float] | None = None,
    ) -> tuple[list[Stack], list[str]]:
        """Stacks from the pathways service: each qualification's catalog entries (``members``), those the learner
        still needs (``remaining``) and its credits. ``skills_of`` (catalog entry -> skill URIs it teaches) and
        ``wanted`` (the target's skill URI -> weight) rank pathways by relevance when there are too many to read."""
        pathways = self._service("pathways")
        if pathways is None:
            return [], ["no pathways service: the plan does not prefer stack-completing credentials"]
        if hasattr(pathways, "progress") and hasattr(pathways, "list"):
            return self._pathway_stacks(pathways, learner, held, skills_of or {}, wanted or {})
        try:
            listing = pathways.stacks() if hasattr(pathways, "stacks") else []
        except (CredstackError, TypeError, ValueError) as exc:
            return [], [f"stacks could not be read ({exc})"]
        out: list[Stack] = []
        for item in listing or ():
            members = _members(item)
            if not members:
                continue
            remaining = frozenset(m for m in members if m not in held)
            credits = getattr(item, "credits", None) or getattr(item, "min_credits", None)
            out.append(
                Stack(
                    id=str(getattr(item, "id", "")),
                    name=str(getattr(item, "name", "") or getattr(item, "id", "")),
                    members=members,
                    remaining=remaining,
                    credits=float(credits) if isinstance(credits, int | float) else None,
                    started=len(remaining) < len(members),
                )
            )
        return out, [] if out else ["no stacks are defined over the catalog"]

    def _pathway_stacks(
        self,
        pathways: Any,
        learner: str,
        held: frozenset[str],
        skills_of: Mapping[str, Collection[str]],
        wanted: Mapping[str, float],
    ) -> tuple[list[Stack], list[str]]:
        """Each pathway (the :data:`MAX_PATHWAYS` most relevant, :func:`_relevance`) with the cheapest set of
        catalog achievements the learner still needs for it (``cs.pathways.progress``, by hours)."""
        try:
            records = list(pathways.list())
        except (CredstackError, TypeError, ValueError) as exc:
            return [], [f"pathways could not be read ({exc})"]
        if not records:
            return [], ["no pathways are defined: the plan does not prefer stack-completing credentials"]
        notes = []
        definitions = {str(getattr(r, "id", "")): getattr(r, "definition", None) for r in records}
        named = {
            id(r): _definition_entries(getattr(r, "definition", None), definitions, {str(getattr(r, "id", ""))})
            for r in records
        }
        if len(records) > MAX_PATHWAYS:
            scores = {id(r): _relevance(named[id(r)], held, skills_of, wanted) for r in records}
            records.sort(key=lambda r: scores[id(r)], reverse=True)  # stable: equals keep the service's order
            notes.append(
                f"{len(records)} pathways defined: the {MAX_PATHWAYS} most relevant are considered (those the learner "
                "has started, by the share of their credentials held, then by the target skills they teach)"
            )
        out: list[Stack] = []
        for record in records[:MAX_PATHWAYS]:
            try:
                progress = pathways.progress(learner, record.id, by="hours")
            except (CredstackError, TypeError, ValueError):
                continue
            if getattr(progress, "satisfied", False):
                continue
            remaining_plan = getattr(progress, "plan", None)
            if remaining_plan is None or not getattr(remaining_plan, "feasible", False):
                continue
            remaining = frozenset(_entry_id(a) for a in remaining_plan.achievement_ids)
            counted = frozenset(_entry_id(getattr(h, "achievement_id", "") or "") for h in progress.held)
            counted = (counted | named[id(record)]) & held  # held catalog entries the pathway names count too
            credits = getattr(record, "credits", None)
            out.append(
                Stack(
                    id=str(record.id),
                    name=str(record.name),
                    members=remaining | counted,
                    remaining=remaining,
                    credits=float(credits) if isinstance(credits, int | float) else None,
                    started=bool(counted),
                )
            )
        return out, notes


def _definition_entries(definition: Any, definitions: Mapping[str, Any], seen: set[str]) -> set[str]:
    """Catalog entry ids a pathway definition names (``achievementId`` of its achievement requirements), through
    the pathways it nests (``qualificationId``); requirements by credits, skills or tags name none."""
    found: set[str] = set()
    stack = [definition]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            kind = node.get("type")
            if kind == "achievement" and isinstance(node.get("achievementId"), str):
                found.add(_entry_id(node["achievementId"]))
            elif kind == "qualification" and isinstance(node.get("qualificationId"), str):
                nested = node["qualificationId"]
                if nested not in seen:
                    seen.add(nested)
                    stack.append(definitions.get(nested))
            stack.extend(v for k, v in node.items() if isinstance(v, Mapping | list) and k != "achievementId")
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _relevance(
    entries: set[str], held: frozenset[str], skills_of: Mapping[str, Collection[str]], wanted: Mapping[str, float]
) -> tuple[bool, float, float]:
    """How relevant a pathway naming the catalog ``entries`` is to this plan: started (the learner holds one of
    them), the share of them held, and the target weight of the skills they teach."""
    have = len(entries & held)
    taught = {u for e in entries for u in skills_of.get(e, ()) if u in wanted}
    return have > 0, have / len(entries) if entries else 0.0, sum(wanted[u] for u in taught)


def _number(value: Any) -> float | None:
    """A plain number, or the ``value`` of a record that carries one (the outlook's Momentum)."""
    value = getattr(value, "value", value)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _entry_id(ref: str) -> str:
    return ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _issued_to(document: Mapping[str, Any], learner: str) -> bool:
    """Whether the credential's subject is ``learner``: its ``id`` (a DID or URL) or a salted e-mail identity."""
    subject = _subject(document)
    if subject.get("id") == learner:
        return True
    for identity in subject.get("identifier") or ():
        if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
            try:
                if matches_identity(learner.lower(), identity):
                    return True
            except CredstackError:
                continue
    return False


def _members(item: Any) -> frozenset[str]:
    """Catalog entry ids a stack counts, from whichever shape the pathways service gives."""
    for name in ("catalog_entries", "entries", "achievements", "members"):
        value = getattr(item, name, None)
        if value:
            ids = []
            for v in value:
                ref = v if isinstance(v, str) else getattr(v, "id", None) or getattr(v, "ref", None)
                if isinstance(ref, str):
                    ids.append(ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
            return frozenset(ids)
    return frozenset()
