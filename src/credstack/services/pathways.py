"""Pathways (stacks, qualifications) stored in the database, and learners' progress toward them.

A pathway is the stacking JSON form of docs/stacking.md plus the issuer that awards it. ``create`` validates it
against the current catalog and every other stored pathway (nested references, cycles) and refuses it with every
problem and where it is. ``progress`` evaluates a learner's **verified** credentials (``cs.learners``) and adds the
cheapest remaining set of catalog achievements. A learner's credentials are those issued here plus, for an e-mail
address, the credentials in the wallet of the person with that address (``wallet_documents``, set by the composition
root), each re-verified when read. Awards (issued exactly once, reviewed on revocation) live in
:mod:`credstack.services.pathway_awards`, their review in :mod:`credstack.services.pathway_review`; this service
delegates to them.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from credstack.errors import ConflictError, InvalidInputError, InvalidQualificationError, NotFoundError
from credstack.services.issuers import IssuerRecord, IssuerService
from credstack.services.issuing import IssuedCredential, IssuingService
from credstack.services.learners import HeldCredential, LearnerService
from credstack.services.pathway_awards import AwardRecord, AwardService, SweepReport, find_award
from credstack.services.pathway_catalog import EntryFacts, StackingContext, StackingContextBuilder, facts_of
from credstack.services.pathway_edit import edit_group
from credstack.services.pathway_words import PathwayWords, pathway_words
from credstack.services.status import CredentialStatus, StatusService
from credstack.services.wallet import item_document
from credstack.settings import Settings
from credstack.stacking import (
    Catalog,
    CredentialFact,
    Evaluator,
    Progress,
    Qualification,
    RemainingPlan,
    cheapest_remaining,
    ensure_valid,
)
from credstack.storage.engine import Database
from credstack.storage.pathway_tables import PathwayAward, PathwayRow

__all__ = ["LearnerProgress", "PathwayRecord", "PathwayService", "PathwayStanding", "PlannedAchievement"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
PLAN_TIME_LIMIT = 2.0  # seconds CP-SAT may take for the cheapest remaining set of a large tree


@dataclass(frozen=True)
class PathwayRecord:
    """A stored pathway: its qualification, the issuer of its award, and its JSON definition."""

    id: str
    name: str
    qualification: Qualification
    definition: dict[str, Any]
    issuer: IssuerRecord
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def description(self) -> str | None:
        return self.qualification.description

    @property
    def credits(self) -> float | None:
        return self.qualification.credits

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "credits": self.credits,
            "awardAchievementId": self.qualification.award_achievement_id,
            "issuer": {"id": self.issuer.did, "name": self.issuer.name, "slug": self.issuer.slug},
            "version": self.version,
            "createdAt": self.created_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
            "definition": self.definition,
        }


@dataclass(frozen=True)
class PlannedAchievement:
    """One achievement of a cheapest remaining set, as a page shows it."""

    id: str
    name: str
    provider: str | None
    price: float | None
    currency: str | None
    hours: float | None
    credits: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "provider": self.provider,
            "price": None if self.price is None else {"amount": self.price, "currency": self.currency},
            "hours": self.hours,
            "credits": self.credits,
        }


@dataclass(frozen=True)
class LearnerProgress:
    """A learner's progress toward a pathway at ``at``: the engine's :class:`~credstack.stacking.Progress`, the
    credentials read (verified or not), the cheapest remaining set and the award, if any."""

    pathway: PathwayRecord
    learner: str
    base_url: str
    at: datetime
    progress: Progress
    held: tuple[HeldCredential, ...]
    plan: RemainingPlan | None
    planned: tuple[PlannedAchievement, ...]
    names: Mapping[str, str]
    award: AwardRecord | None = None
    #: the tree in words (labels, issuer names), for pages and JSON
    words: PathwayWords | None = None

    @property
    def satisfied(self) -> bool:
        return self.progress.satisfied

    def name(self, ref: str | None) -> str:
        return "" if ref is None else self.names.get(ref, ref)

    def labels(self) -> list[str]:
        """A label in words for each of ``progress.nodes`` (the engine's short title where the trees disagree)."""
        nodes = self.progress.nodes
        if self.words is None:
            return [n.title for n in nodes]
        worded = self.words.tree(self.pathway.qualification)
        if len(worded) != len(nodes) or any(w.kind != n.kind for w, n in zip(worded, nodes, strict=True)):
            return [n.title for n in nodes]  # pragma: no cover - the engine and the words walk the same tree
        return [w.label for w in worded]

    def missing_labels(self) -> list[str]:
        """What is still to do, in words: one label per ``progress.missing`` node (an achievement's name, a credit
        rule as "At least 3 credits tagged …", with the credits already earned toward it), never a raw node id."""
        nodes = self.progress.nodes
        labels = self.labels()
        index = {n.path: i for i, n in enumerate(nodes)}
        out = []
        for node in self.progress.missing:
            i = index.get(node.path)
            label = labels[i].rstrip(":") if i is not None else self.name(node.ref) or node.title
            if node.kind == "credits" and node.credits_earned and node.credits_needed:
                label += f" ({node.credits_earned:g} of {node.credits_needed:g} so far)"
            out.append(label)
        return out

    def reasons(self) -> list[str]:
        """Why each of ``progress.nodes`` is met or not, in words: the engine's reasons with labels for node titles,
        achievement names for ids and credential names for credential ids."""
        nodes = self.progress.nodes
        labels = self.labels()
        held = {h.credential_id: h.achievement_name or str(h.credential.get("name") or "") for h in self.held}
        out = []
        for i, node in enumerate(nodes):
            reason = node.reason
            if node.kind == "all-of" and not node.satisfied:
                children, j = [], i + 1
                while j < len(nodes) and nodes[j].depth > node.depth:
                    if nodes[j].depth == node.depth + 1:
                        children.append(j)
                    j += 1
                unmet = [labels[j].rstrip(":") for j in children if not nodes[j].satisfied]
                reason = f"{len(children) - len(unmet)} of {len(children)} met; still needed: {'; '.join(unmet)}"
            elif node.kind in ("achievement", "alignment") and not node.satisfied and node.ref:
                base = (
                    f"needs a credential for {self.name(node.ref)} ({node.ref})"
                    if node.kind == "achievement"
                    else f"needs a credential aligned to {node.ref}"
                )
                if reason == base:
                    reason = "not earned yet"
                elif reason.startswith(base + "; not counted: "):
                    reason = "not met: " + reason[len(base + "; not counted: ") :]
            for credential_id, name in held.items():
                if name and credential_id in reason:
                    reason = reason.replace(f"credential {credential_id}", name).replace(credential_id, name)
            out.append(reason)
        return out

    def to_json(self) -> dict[str, Any]:
        progress = self.progress.to_json()
        for node, label, reason in zip(progress["nodes"], self.labels(), self.reasons(), strict=False):
            if "ref" in node:
                node["name"] = self.name(node["ref"])
            node["label"] = label
            node["reasonText"] = reason
        missing = [
            {"path": n.path, "kind": n.kind, "ref": n.ref, "name": self.name(n.ref), "label": label, "reason": n.reason}
            for n, label in zip(self.progress.missing, self.missing_labels(), strict=True)
        ]
        counting = self.progress.satisfied_by()
        return {
            "pathway": {"id": self.pathway.id, "name": self.pathway.name},
            "learner": self.learner,
            **progress,
            "missing": missing,
            "credentials": [
                {
                    "id": h.credential_id,
                    "achievement": h.achievement_name,
                    "source": h.source,
                    "verified": h.verified,
                    "state": h.state,
                    "reason": h.status_reason,
                    "countsToward": list(counting.get(h.credential_id, ())),
                }
                for h in self.held
            ],
            "remaining": None
            if self.plan is None
            else {
                "by": self.plan.by,
                "feasible": self.plan.feasible,
                "exact": self.plan.exact,
                "method": self.plan.method,
                "total": self.plan.total,
                "totalUnit": "EUR (approximate)" if self.plan.by == "price" else "hours",
                "reason": self.plan.reason,
                "achievements": [p.to_json() for p in self.planned],
            },
            "award": None if self.award is None else self.award.to_json(self.base_url),
        }


@dataclass(frozen=True)
class PathwayStanding:
    """A learner on one pathway: met or not, percent, and the award if held."""

    pathway: PathwayRecord
    satisfied: bool
    percent: float
    award: AwardRecord | None

    def to_json(self, base_url: str | None = None) -> dict[str, Any]:
        return {
            "id": self.pathway.id,
            "name": self.pathway.name,
            "satisfied": self.satisfied,
            "percent": self.percent,
            "award": None if self.award is None else self.award.to_json(base_url),
        }


class PathwayService:
    """Create, list, get and delete pathways; learners' progress; awards (``awards``, ``evaluate_learner``)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        issuers: IssuerService,
        issuing: IssuingService,
        learners: LearnerService,
        clock: Callable[[], datetime],
        status: StatusService | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._issuers = issuers
        self._learners = learners
        self._clock = clock
        self.contexts = StackingContextBuilder(db, settings.base_url)
        self._evaluators: dict[tuple[Any, str], Evaluator] = {}
        self._words: dict[tuple[str, Any], PathwayWords] = {}
        #: the awards of pathways (exactly once per learner; reviewed on revocation)
        self.awards = AwardService(db, self, issuers, issuing, clock, status)
        #: the credential documents in a learner's wallet (``WalletService.learner_documents``); they count too
        self.wallet_documents: Callable[[str], Sequence[Mapping[str, Any]]] | None = None

    # -- awards and the listeners the composition root registers ------------------------------------------------
    def evaluate_learner(self, learner: str, *, extra: Sequence[Mapping[str, Any]] = ()) -> list[AwardRecord]:
        """Award every pathway ``learner`` now meets and does not hold yet; returns the new awards."""
        return self.awards.evaluate_learner(learner, extra=extra)

    def on_issued(self, issued: IssuedCredential, recipient: str | None) -> None:
        """Issuing listener: award what the recipient of a new credential now meets."""
        self.awards.on_issued(issued, recipient)

    def on_status(self, status: CredentialStatus, action: str) -> None:
        """Status listener: flag for review the awards resting on a revoked or suspended credential."""
        self.awards.reviews.on_status(status, action)

    def on_imported(self, item: Any, holder: str) -> None:
        """Wallet import listener: award what the holder (their e-mail address; and the DID the credential was issued
        to, which counts when it is the holder's own wallet DID) now meets with the imported credential."""
        self.awards.evaluate_learner(holder)
        document = item_document(item) if not getattr(item, "is_legacy", False) else None
        subject = document.get("credentialSubject") if document is not None else None
        subject_id = subject.get("id") if isinstance(subject, Mapping) else None
        if isinstance(subject_id, str) and subject_id.startswith("did:"):
            self.awards.evaluate_learner(subject_id)

    def sweep(self, *, pathway_id: str | None = None, learner: str | None = None, verify: bool = True) -> SweepReport:
        """Re-check awards whose components expired or no longer verify (``credstack pathway review``)."""
        if pathway_id is not None:
            self.get(pathway_id)  # NotFoundError for an unknown pathway
        return self.awards.reviews.sweep(pathway_id=pathway_id, learner=learner, verify=verify)

    @property
    def base_url(self) -> str:
        return self._settings.base_url.rstrip("/")

    # -- definitions -------------------------------------------------------------------------------------------
    def create(
        self, data: Mapping[str, Any], *, issuer_ref: str | int | None = None, replace: bool = False
    ) -> PathwayRecord:
        """Store a pathway from its JSON form (docs/stacking.md); ``replace`` overwrites one with the same id.
        Raises InvalidQualificationError with every problem and its path, ConflictError if it exists."""
        if not isinstance(data, Mapping):
            raise InvalidQualificationError("a pathway must be a JSON object (docs/stacking.md)", where="$")
        definition = dict(data)
        identifier = definition.get("id")
        if isinstance(identifier, str) and not _ID.fullmatch(identifier):
            raise InvalidQualificationError(
                f"$.id: a pathway id is 1-200 letters, digits, '.', '_' or '-', starting with a letter or digit; "
                f"got {identifier!r}",
                where="$.id",
            )
        if isinstance(identifier, str) and "achievementId" not in definition:
            definition["achievementId"] = f"{self.base_url}/pathways/{identifier}"
        qualification = Qualification.from_json(definition)
        definition = qualification.to_json()
        issuer = self._issuers.default() if issuer_ref is None else self._issuers.get(issuer_ref)
        context = self.contexts.context()
        others = {k: v for k, v in context.qualifications.items() if k != qualification.id}
        catalog = Catalog(context.catalog.achievements, others).with_qualification(qualification)
        ensure_valid(qualification, catalog)
        for other in others.values():  # a replacement must not break (or loop through) a pathway that nests it
            if _nests(other, qualification.id, catalog):
                ensure_valid(other, catalog)
        now = self._clock()
        with self._db.write() as session:
            row = session.get(PathwayRow, qualification.id, with_for_update=True)
            if row is not None and not replace:
                raise ConflictError(f"pathway {qualification.id} exists; replace it with --replace (replace=True)")
            if row is None:
                row = PathwayRow(
                    id=qualification.id,
                    name=qualification.name[:300],
                    issuer_id=issuer.id,
                    definition=definition,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                row.name = qualification.name[:300]
                row.issuer_id = issuer.id
                row.definition = definition
                row.version = row.version + 1
                row.updated_at = now
            session.flush()
            record = self._record(row, issuer)
        self.contexts.invalidate()
        return record

    def edit_group(
        self,
        pathway_id: str,
        group: int,
        *,
        add: str | None = None,
        remove: str | None = None,
        version: int | None = None,
        issuer_id: int | None = None,
    ) -> PathwayRecord:
        """Add an achievement to (or remove one from) group ``group`` of a pathway (``pathway_edit.editable_groups``)
        and store it as the next version, validated like ``create``. ``issuer_id``: only a pathway that issuer awards
        (NotFoundError otherwise); ``version``: the version the editor saw (ConflictError when it changed since)."""
        record = self.get(pathway_id)
        if issuer_id is not None and record.issuer.id != issuer_id:
            raise NotFoundError(f"no pathway {pathway_id!r} of this issuer")
        if version is not None and record.version != version:
            raise ConflictError(
                f"pathway {record.id} changed since you opened it (now version {record.version}); reload and retry"
            )
        definition = edit_group(record.definition, group, add=add, remove=remove)
        return self.create(definition, issuer_ref=record.issuer.id, replace=True)

    def list(self) -> list[PathwayRecord]:
        with self._db.read() as session:
            rows = list(session.scalars(sa.select(PathwayRow).order_by(PathwayRow.name, PathwayRow.id)))
        issuers = {i.id: i for i in self._issuers.list()}
        return [self._record(row, issuers[row.issuer_id]) for row in rows]

    def get(self, pathway_id: str) -> PathwayRecord:
        """A pathway by id; NotFoundError otherwise."""
        with self._db.read() as session:
            row = session.get(PathwayRow, str(pathway_id))
        if row is None:
            raise NotFoundError(f"no pathway {pathway_id!r} (`credstack pathway list` lists them)")
        return self._record(row, self._issuers.get(row.issuer_id))

    def delete(self, pathway_id: str) -> None:
        """Delete a pathway nobody holds an award of and no other pathway nests (ConflictError otherwise)."""
        record = self.get(pathway_id)
        context = self.contexts.context()
        nesting = [q.id for q in context.qualifications.values() if q.id != record.id and _nests(q, record.id, None)]
        if nesting:
            raise ConflictError(f"pathway {record.id} is nested in {', '.join(sorted(nesting))}; change those first")
        with self._db.write() as session:
            held = session.scalar(
                sa.select(sa.func.count()).select_from(PathwayAward).where(PathwayAward.pathway_id == record.id)
            )
            if held:
                raise ConflictError(f"pathway {record.id} has been awarded {held} time(s); awards are kept")
            session.execute(sa.delete(PathwayRow).where(PathwayRow.id == record.id))
        self.contexts.invalidate()

    def _record(self, row: PathwayRow, issuer: IssuerRecord) -> PathwayRecord:
        return PathwayRecord(
            id=row.id,
            name=row.name,
            qualification=Qualification.from_json(row.definition),
            definition=dict(row.definition),
            issuer=issuer,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def words(self, context: StackingContext | None = None) -> PathwayWords:
        """Names and sentences for every stored pathway's requirements (docs/stacking.md, "In words")."""
        context = context or self.contexts.context()
        key = ("words", context.generation)
        cached = self._words.get(key)
        if cached is None:
            self._words.clear()
            cached = pathway_words(self._db, context.names, context.qualifications, context.entries)
            self._words[key] = cached
        return cached

    # -- evaluation --------------------------------------------------------------------------------------------
    def evaluator(self, pathway_id: str, context: StackingContext | None = None) -> Evaluator:
        """The compiled evaluator of a pathway against the current catalog (cached per catalog generation)."""
        context = context or self.contexts.context()
        qualification = context.qualifications.get(pathway_id)
        if qualification is None:
            self.get(pathway_id)  # NotFoundError with the usual message
            raise NotFoundError(f"no pathway {pathway_id!r}")  # pragma: no cover - a race with delete
        key = (context.generation, pathway_id)
        found = self._evaluators.get(key)
        if found is None:
            if len(self._evaluators) > 256:
                self._evaluators.clear()
            found = Evaluator(qualification, context.catalog)
            self._evaluators[key] = found
        return found

    def facts(
        self,
        learner: str,
        *,
        extra: Sequence[Mapping[str, Any]] = (),
        at: datetime | None = None,
        bundles: bool = True,
    ) -> tuple[builtins.list[HeldCredential], builtins.list[CredentialFact], StackingContext]:
        """The learner's credentials (issued here, in their wallet, and ``extra``; re-verified) and their facts.
        ``bundles=False`` skips CLR bundles (never facts; for deciding and reviewing awards, not for showing)."""
        context = self.contexts.context()
        wallet = self.wallet_documents(learner) if self.wallet_documents is not None else ()
        held = self._learners.verified_credentials(learner, extra=extra, at=at, wallet=wallet, bundles=bundles)
        return held, facts_of(held, context), context

    def progress(
        self,
        learner: str,
        pathway_id: str,
        *,
        extra: Sequence[Mapping[str, Any]] = (),
        at: datetime | None = None,
        by: str = "price",
        plan: bool = True,
    ) -> LearnerProgress:
        """A learner's progress toward a pathway, from verified credentials only, with the cheapest remaining set
        of catalog achievements (``by`` ``price`` or ``hours``) when not yet met."""
        if by not in ("price", "hours"):
            raise InvalidInputError(f"plan by 'price' or 'hours', not {by!r}")
        record = self.get(pathway_id)
        when = at or self._clock()
        held, facts, context = self.facts(learner, extra=extra, at=when)
        evaluator = self.evaluator(record.id, context)
        progress = evaluator.progress(facts, at=when)
        remaining: RemainingPlan | None = None
        planned: tuple[PlannedAchievement, ...] = ()
        if plan and not progress.satisfied:
            remaining = cheapest_remaining(evaluator, facts, at=when, by=by, time_limit=PLAN_TIME_LIMIT)
            planned = tuple(_planned(aid, context.entries.get(aid), context) for aid in remaining.achievement_ids)
        award = find_award(self._db, record.id, learner)
        if award is not None and at is None and not extra:  # read now: the award as it stands (nothing written)
            award = self.awards.reviews.assess(award, held, facts, when)
        return LearnerProgress(
            pathway=record,
            learner=learner.strip(),
            base_url=self.base_url,
            at=when,
            progress=progress,
            held=tuple(held),
            plan=remaining,
            planned=planned,
            names=context.names,
            award=award,
            words=self.words(context),
        )

    def overview(self, learner: str, *, at: datetime | None = None) -> builtins.list[PathwayStanding]:
        """The learner's standing on every pathway (one verification of their credentials for all of them)."""
        when = at or self._clock()
        _, facts, context = self.facts(learner, at=when)
        awards = {a.pathway_id: a for a in self.awards.list(learner=learner)}
        out = []
        for record in self.list():
            if record.id not in context.qualifications:
                continue  # pragma: no cover - created after the context was read
            satisfied, fraction = self.evaluator(record.id, context).status(facts, at=when)
            out.append(PathwayStanding(record, satisfied, round(100 * fraction, 1), awards.get(record.id)))
        return out

    def containing(self, achievement_key: str) -> builtins.list[PathwayRecord]:
        """The pathways a credential for this achievement (catalog entry id or URL) would count toward."""
        context = self.contexts.context()
        info = context.catalog.achievements.get(achievement_key)
        if info is None:
            return []
        at = self._clock()
        probe = CredentialFact(
            credential_id="probe",
            achievement_id=info.id,
            issuer_id=info.issuer_id or "probe",
            earned=at - timedelta(seconds=1),
            credits=info.credits,
            level=info.level,
            alignments=info.alignments,
            skill_areas=info.skill_areas,
            tags=info.tags,
        )
        found = []
        for pathway_id in sorted(context.qualifications):
            evaluator = self.evaluator(pathway_id, context)
            if evaluator.node_states([probe], at=at) != evaluator.node_states([], at=at):
                found.append(pathway_id)
        by_id = {p.id: p for p in self.list()}
        return [by_id[i] for i in found if i in by_id]


def _planned(key: str, entry: EntryFacts | None, context: StackingContext) -> PlannedAchievement:
    if entry is None:
        info = context.catalog.achievements.get(key)
        return PlannedAchievement(key, context.name(key), None, info.price if info else None, "EUR", None, None)
    return PlannedAchievement(key, entry.name, entry.provider, entry.price, entry.currency, entry.hours, entry.credits)


def _nests(qualification: Qualification, target: str, catalog: Catalog | None) -> bool:
    """Whether ``qualification``'s tree refers to ``target`` (directly; through the catalog when given)."""
    from credstack.stacking import AllOf, NOf, RequireQualification

    stack = [qualification.requirement]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (AllOf, NOf)):
            stack.extend(node.children)
        elif isinstance(node, RequireQualification):
            if node.qualification_id == target:
                return True
            nested = catalog.qualifications.get(node.qualification_id) if catalog else None
            if nested is not None and nested.id not in seen:
                seen.add(nested.id)
                stack.append(nested.requirement)
    return False
