"""Skills-based hiring: jobs with required skills, and the ranking of the candidates who shared their portfolio with
the organisation (``cs.sharing.shared_with_org``) by verified skill coverage, freshness and strength of evidence.

- A job's skills come from its posting text (the skills linker: each skill mention's best ESCO link; the whole
  text's best links when no mention is found), or an ESCO occupation (essential skills weigh 1, optional 0.5), or
  are given explicitly.
- Ranking: every shared credential is verified (a credential that does not verify gives no evidence); each verified
  credential's ESCO alignments are evidence at the level the credential shows (the planner's
  ``credential_skill_levels``), aged by the skill's half-life (by kind when the planner knows it), with the
  strength of its assessment and evidence; :func:`credstack.employer.ranking.rank` does the rest.
- No demographic data is read or stored: only skill alignments, dates and assessment facts of the credentials; a
  candidate is shown by the share's title and holder e-mail (a contact, which the learner chose to share).
- Every ranking is logged (``employer_rankings`` and the audit log): when, which job, how many candidates, and the
  ranked order (share ids and scores).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.domain.shape import as_list, parse_datetime
from credstack.employer.ranking import JobSkills, Ranked, evidence_arrays, rank
from credstack.employer.trust import achievement_of, evidence_strength
from credstack.errors import InvalidInputError, NotFoundError
from credstack.planner.profile import credential_skill_levels
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from credstack.storage.employer_tables import JobRow, RankingRow
from credstack.storage.engine import Database
from credstack.storage.repositories import add_audit

__all__ = ["Candidate", "HiringService", "Job", "RankingResult"]

_LEVELS = {"foundation": 1, "intermediate": 2, "advanced": 3, "expert": 4}
_YEAR = 365.25 * 24 * 3600
_MAX_SKILLS = 40


@dataclass(frozen=True)
class Job:
    id: str
    org_id: str
    title: str
    source: str
    text: str
    occupation: str | None
    skills: list[dict[str, Any]]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "occupation": self.occupation,
            "skills": self.skills,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Candidate:
    """A ranked candidate: the share it came from, how it is named (the share's title, the holder's contact)."""

    share_id: str
    title: str
    contact: str | None
    ranked: Ranked
    credentials: int
    verified_credentials: int

    def to_json(self) -> dict[str, Any]:
        return {
            "share_id": self.share_id,
            "title": self.title,
            "contact": self.contact,
            "credentials": self.credentials,
            "verified_credentials": self.verified_credentials,
            **self.ranked.to_json(),
        }


@dataclass(frozen=True)
class RankingResult:
    job: Job
    candidates: list[Candidate]
    total: int
    ranked_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job.to_json(),
            "total": self.total,
            "ranked_at": self.ranked_at.isoformat(),
            "candidates": [c.to_json() for c in self.candidates],
        }


def _job(row: JobRow) -> Job:
    return Job(row.id, row.org_id, row.title, row.source, row.text, row.occupation, list(row.skills), row.created_at)


class HiringService:
    """Jobs and candidate rankings for an organisation."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        verifier: VerificationService,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any],
    ) -> None:
        self._db = db
        self._settings = settings
        self._verifier = verifier
        self._clock = clock
        self._peer = peer

    # -- jobs ----------------------------------------------------------------------------------------------------
    def skills_from_text(self, text: str) -> list[dict[str, Any]]:
        """The ESCO skills a posting asks for (:func:`credstack.skills.posting.posting_skills`: each mention's ESCO
        skill, O*NET technologies through their commodity class; the text's best links when it names none)."""
        from credstack.skills.linker import default_linker
        from credstack.skills.posting import posting_skills

        linker = default_linker()
        found: dict[str, dict[str, Any]] = {
            s.uri: {"uri": s.uri, "label": s.label, "weight": 1.0, "essential": True}
            for s in posting_skills(linker, text)
        }
        if not found:
            for link in linker.link(text, top=10):
                if link.scheme == "esco":
                    found.setdefault(link.uri, {"uri": link.uri, "label": link.label, "weight": 1.0, "essential": True})
        return list(found.values())[:_MAX_SKILLS]

    def skills_from_occupation(self, ref: str) -> tuple[str, list[dict[str, Any]]]:
        """An ESCO occupation's label and skills: essential (weight 1) and optional (weight 0.5)."""
        taxonomy = self._peer("taxonomy")
        detail = taxonomy.occupation(ref)
        essential = getattr(detail, "essential_skills", None)
        if essential is None:
            raise InvalidInputError(f"{ref!r} is not an ESCO occupation (O*NET occupations have no skill list here)")
        skills = [{"uri": s.uri, "label": s.label, "weight": 1.0, "essential": True} for s in essential]
        optional = [{"uri": s.uri, "label": s.label, "weight": 0.5, "essential": False} for s in detail.optional_skills]
        return str(detail.preferred_label), (skills + optional)[:_MAX_SKILLS]

    def create_job(
        self,
        org_id: str,
        title: str = "",
        *,
        text: str = "",
        occupation: str | None = None,
        skills: Sequence[Mapping[str, Any]] | None = None,
    ) -> Job:
        """A job from posting ``text``, an ESCO ``occupation``, or explicit ``skills`` ({uri, label, weight?,
        essential?})."""
        source, found = "skills", []
        if skills:
            for s in skills:
                if not isinstance(s, Mapping) or not isinstance(s.get("uri"), str):
                    raise InvalidInputError("each skill needs a 'uri'")
                found.append(
                    {
                        "uri": s["uri"],
                        "label": str(s.get("label") or s["uri"]),
                        "weight": float(s.get("weight", 1.0)),
                        "essential": bool(s.get("essential", True)),
                    }
                )
        elif occupation:
            label, found = self.skills_from_occupation(occupation)
            title, source = title or label, "occupation"
        elif text.strip():
            found, source = self.skills_from_text(text), "text"
        else:
            raise InvalidInputError("describe the job: paste the posting text, or pick an ESCO occupation")
        if not found:
            raise InvalidInputError("no skills were found in the posting text; add more detail or pick an occupation")
        if any(s["weight"] <= 0 for s in found):
            raise InvalidInputError("skill weights must be positive")
        title = (title or text.strip().splitlines()[0] if text.strip() else title or "Job").strip()[:300] or "Job"
        with self._db.write() as session:
            row = JobRow(
                id=uuid.uuid4().hex,
                org_id=org_id,
                title=title,
                source=source,
                text=text[:20_000],
                occupation=occupation,
                skills=found[:_MAX_SKILLS],
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return _job(row)

    def job(self, job_id: str, org_id: str | None = None) -> Job:
        with self._db.read() as session:
            row = session.get(JobRow, job_id)
            if row is None or (org_id is not None and row.org_id != org_id):
                raise NotFoundError(f"no job {job_id}")
            return _job(row)

    def jobs(self, org_id: str) -> list[Job]:
        with self._db.read() as session:
            rows = session.scalars(sa.select(JobRow).where(JobRow.org_id == org_id).order_by(JobRow.created_at.desc()))
            return [_job(r) for r in rows]

    # -- ranking -------------------------------------------------------------------------------------------------
    def half_lives(self, uris: Sequence[str]) -> list[float]:
        default = self._settings.skill_half_life_knowledge
        kinds_of = getattr(getattr(self._peer("planner"), "data", None), "skill_kinds", None)
        kinds: Mapping[str, str] = {}
        if kinds_of is not None:
            try:
                kinds = kinds_of(list(uris))
            except Exception:  # no taxonomy: the default half-life for every skill
                kinds = {}
        return [float(getattr(self._settings, f"skill_half_life_{kinds.get(u, 'knowledge')}", default)) for u in uris]

    def rank(self, job_id: str, org_id: str, *, top: int = 50) -> RankingResult:
        """Rank the candidates who shared a portfolio with ``org_id`` for the job, and log the ranking."""
        job = self.job(job_id, org_id)
        sharing = self._peer("sharing")
        shares = sharing.shared_with_org(org_id) if sharing is not None else []
        spec = JobSkills(
            tuple(s["uri"] for s in job.skills),
            tuple(s["label"] for s in job.skills),
            tuple(float(s["weight"]) for s in job.skills),
            tuple(bool(s["essential"]) for s in job.skills),
            tuple(self.half_lives([s["uri"] for s in job.skills])),
        )
        index = {uri: i for i, uri in enumerate(spec.uris)}
        now = self._clock()
        options = self._verifier.options(at=now)
        rows: list[tuple[int, int, float, float, float]] = []
        counts: list[tuple[int, int]] = []
        for c, share in enumerate(shares):
            verified = 0
            for held in share.credentials:
                report = self._verifier.verify_with(held, options)
                if not report.verified or not isinstance(report.credential, dict):
                    continue
                verified += 1
                rows += _evidence(c, report.credential, index, now)
            counts.append((len(share.credentials), verified))
        ranked = rank(len(shares), spec, evidence_arrays(rows), top=top)
        candidates = [
            Candidate(
                shares[r.candidate].id,
                shares[r.candidate].title,
                shares[r.candidate].holder_email,
                r,
                *counts[r.candidate],
            )
            for r in ranked
        ]
        self._log(job, org_id, now, candidates, len(shares))
        return RankingResult(job, candidates, len(shares), now)

    def _log(self, job: Job, org_id: str, now: datetime, candidates: list[Candidate], total: int) -> None:
        order = [{"share": c.share_id, "score": round(c.ranked.score, 4)} for c in candidates]
        with self._db.write() as session:
            session.add(RankingRow(job_id=job.id, org_id=org_id, ranked_at=now, candidates=total, ranking=order))
            add_audit(
                session,
                "candidates.ranked",
                job.id,
                at=now,
                actor="employer",
                org_id=org_id,
                detail={"candidates": total},
            )

    def rankings(self, job_id: str, org_id: str) -> list[dict[str, Any]]:
        """The ranking log of a job, newest first."""
        self.job(job_id, org_id)
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(RankingRow).where(RankingRow.job_id == job_id).order_by(RankingRow.id.desc()).limit(100)
            ).all()
            return [
                {"ranked_at": r.ranked_at.isoformat(), "candidates": r.candidates, "ranking": r.ranking} for r in rows
            ]


def _evidence(
    candidate: int, credential: dict[str, Any], index: Mapping[str, int], now: datetime
) -> list[tuple[int, int, float, float, float]]:
    achievement = achievement_of(credential)
    results = [
        r for s in as_list(credential.get("credentialSubject")) if isinstance(s, dict) for r in as_list(s.get("result"))
    ]
    levels = credential_skill_levels(achievement, results, _LEVELS)
    if not levels:  # non-ESCO alignments: any aligned URL counts at level 2
        levels = {str(a.get("targetUrl")): 2.0 for a in as_list(achievement.get("alignment")) if isinstance(a, dict)}
    issued = parse_datetime(credential.get("awardedDate")) or parse_datetime(credential.get("validFrom")) or now
    age = max((now - issued).total_seconds() / _YEAR, 0.0)
    strength = evidence_strength(credential)
    return [(candidate, index[uri], float(level), age, strength) for uri, level in levels.items() if uri in index]
