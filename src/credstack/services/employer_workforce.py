"""Internal credentialing and the workforce skills audit of an organisation.

- Team: the people the organisation audits (an e-mail address each, a name, a role profile from the planner's role
  profiles, ``cs.planner.create_role_profile``). Their skills are the planner's learner profiles (verified
  credentials issued to or held by that address, decayed by half-life).
- Internal credentials: the organisation issues with its own issuer (``cs.accounts`` organisation's issuer, else
  this server's default issuer) to a team member; the credential then counts in the matrix and the audit.
- The matrix, and the quarterly audit (:mod:`credstack.employer.workforce`): coverage by role, skills expiring
  within the quarter, gaps against market demand (``cs.market.skill_demand``), and the recommended learning-budget
  allocation (``cs.planner.allocate_budget``). Exported as CSV and as PDF (fpdf2).
- :meth:`WorkforceService.allocate_budget`: the same allocation over learners the caller names, but only the
  organisation's own team members and learners sharing a portfolio with it (a learner's gaps are private).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.employer.workforce import Member, MemberSkill, Role, audit, matrix
from credstack.errors import ConfigurationError, ForbiddenError, InvalidInputError, NotFoundError
from credstack.services.issuing import IssuedCredential
from credstack.settings import Settings
from credstack.storage.account_tables import PersonRow, ShareRow
from credstack.storage.employer_tables import TeamMemberRow
from credstack.storage.engine import Database

__all__ = ["TeamMember", "WorkforceService"]


@dataclass(frozen=True)
class TeamMember:
    org_id: str
    person: str
    name: str
    role_profile_id: str | None
    added_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "name": self.name,
            "role_profile_id": self.role_profile_id,
            "added_at": self.added_at.isoformat(),
        }


def _member(row: TeamMemberRow) -> TeamMember:
    return TeamMember(row.org_id, row.person, row.name, row.role_profile_id, row.added_at)


class WorkforceService:
    """Team, internal credentials, skills matrix, audit and exports for one organisation at a time."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        issuing: Any,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any],
    ) -> None:
        self._db = db
        self._settings = settings
        self._issuing = issuing
        self._clock = clock
        self._peer = peer

    def _planner(self) -> Any:
        planner = self._peer("planner")
        if planner is None:
            raise ConfigurationError("this server has no planner service (role profiles, skill profiles)")
        return planner

    # -- team ----------------------------------------------------------------------------------------------------
    def add_member(self, org_id: str, person: str, name: str = "", role_profile_id: str | None = None) -> TeamMember:
        """Add or update a team member (an e-mail address or DID) with a role profile of this organisation."""
        person = (person or "").strip().lower()
        if not person or len(person) > 500 or ("@" not in person and not person.startswith("did:")):
            raise InvalidInputError("a team member is an e-mail address or a DID")
        if role_profile_id:
            role = self._planner().role_profile(role_profile_id)
            if role.org_id != org_id:
                raise NotFoundError(f"no role profile {role_profile_id} in this organisation")
        with self._db.write() as session:
            row = session.get(TeamMemberRow, (org_id, person))
            if row is None:
                row = TeamMemberRow(org_id=org_id, person=person, name="", added_at=self._clock())
                session.add(row)
            row.name, row.role_profile_id = (name or "").strip()[:200] or row.name, role_profile_id or None
            session.flush()
            return _member(row)

    def members(self, org_id: str) -> list[TeamMember]:
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(TeamMemberRow).where(TeamMemberRow.org_id == org_id).order_by(TeamMemberRow.person)
            )
            return [_member(r) for r in rows]

    def remove_member(self, org_id: str, person: str) -> None:
        with self._db.write() as session:
            row = session.get(TeamMemberRow, (org_id, person.strip().lower()))
            if row is None:
                raise NotFoundError(f"{person} is not in the team")
            session.delete(row)

    def create_role(self, org_id: str, name: str, lines: str) -> Any:
        """A role profile from lines ``skill [| level 1-4]``: a skill is an ESCO URI or a name (best match)."""
        taxonomy = self._peer("taxonomy")
        skills = []
        for number, line in enumerate((lines or "").splitlines(), 1):
            text, _, level_text = line.partition("|")
            text = text.strip()
            if not text:
                continue
            try:
                level = float(level_text.strip() or 2)
            except ValueError as exc:
                raise InvalidInputError(f"line {number}: the level after '|' must be 1 to 4") from exc
            uri = text
            if not text.startswith("http"):
                hits = taxonomy.search(text, kind="skill", limit=1) if taxonomy is not None else []
                if not hits:
                    raise InvalidInputError(f"line {number}: no skill matches {text[:60]!r}")
                uri = hits[0].uri
            skills.append({"uri": uri, "level": level, "weight": 1.0})
        if not skills:
            raise InvalidInputError("a role needs at least one skill (one per line)")
        return self._planner().create_role_profile(org_id, name, skills)

    # -- internal credentials ------------------------------------------------------------------------------------
    def issuer_id(self, org_id: str) -> int | None:
        """The organisation's own issuer (from its account), or None for this server's default issuer."""
        accounts = self._peer("accounts")
        try:
            org = accounts.get_org(org_id) if accounts is not None else None
        except NotFoundError:
            return None
        return getattr(org, "issuer_id", None)

    def issue_internal(self, org_id: str, achievement_id: str, person: str) -> IssuedCredential:
        """Issue an achievement to a team member (the achievement must be the organisation's issuer's)."""
        member = next((m for m in self.members(org_id) if m.person == person.strip().lower()), None)
        if member is None:
            raise NotFoundError(f"{person} is not in the team; add them first")
        achievements = self._peer("achievements")
        achievement = achievements.get(achievement_id)
        own = self.issuer_id(org_id)
        if own is not None and achievement.issuer_id != own:
            raise InvalidInputError("internal credentials are issued with the organisation's own achievements")
        return self._issuing.issue(achievement.id, recipient=member.person, recipient_name=member.name or None)

    # -- matrix and audit ----------------------------------------------------------------------------------------
    def _values(self, org_id: str) -> tuple[list[Member], list[Role], dict[str, str]]:
        planner = self._planner()
        now = self._clock()
        labels: dict[str, str] = {}
        members = []
        for m in self.members(org_id):
            profile = planner.profile(m.person, at=now)
            labels.update(profile.labels)
            skills = {
                uri: MemberSkill(s.level, s.shown, s.age_years, self._half_life(s.kind), s.meets_level)
                for uri, s in profile.profile.skills.items()
                if not s.self_declared
            }
            members.append(Member(m.person, m.name or m.person, m.role_profile_id, skills))
        roles = [
            Role(r.id, r.name, {s.uri: (s.level, s.weight) for s in r.skills}) for r in planner.role_profiles(org_id)
        ]
        missing = [u for r in roles for u in r.skills if u not in labels]
        taxonomy = self._peer("taxonomy")
        if missing and taxonomy is not None:
            try:
                found = taxonomy.links(missing)
            except Exception:  # no taxonomy: URIs stand for themselves
                found = {}
            labels.update({uri: link.label for uri, link in found.items()})
        return members, roles, labels

    def _half_life(self, kind: str) -> float:
        return float(getattr(self._settings, f"skill_half_life_{kind}", self._settings.skill_half_life_knowledge))

    def team_matrix(self, org_id: str) -> dict[str, Any]:
        """Members x skills (the role profiles' skills, then other skills the team holds), current levels 0-4."""
        members, roles, labels = self._values(org_id)
        columns = list(dict.fromkeys(u for r in roles for u in r.skills))
        extra = sorted({u for m in members for u in m.skills} - set(columns), key=lambda u: labels.get(u, u))
        columns += extra[: max(0, 30 - len(columns))]
        return {
            "skills": [{"uri": u, "label": labels.get(u, u)} for u in columns],
            "members": [{"person": m.id, "name": m.name, "role": m.role_id} for m in members],
            "levels": matrix(members, columns),
        }

    def run_audit(self, org_id: str, *, budget: float | None = None) -> dict[str, Any]:
        """The quarterly audit; with ``budget``, the planner's recommended allocation across members with a role."""
        members, roles, labels = self._values(org_id)
        market = self._peer("market")
        demand: dict[str, tuple[str, float]] = {}
        if market is not None:
            try:
                demand = {d.uri: (d.label, d.share) for d in market.skill_demand(limit=200)}
            except Exception:  # no postings ingested: no market gaps
                demand = {}
        result = audit(members, roles, labels, demand).to_json()
        result["at"] = self._clock().isoformat()
        result["members"] = len(members)
        result["allocation"] = None
        assigned = [(m.id, m.role_id) for m in members if m.role_id]
        if budget is not None:
            if budget < 0:
                raise InvalidInputError("the learning budget must not be negative")
            if assigned:
                allocation = self._planner().allocate_budget(assigned, budget)
                result["allocation"] = allocation.to_json() if hasattr(allocation, "to_json") else allocation
        return result

    def visible_learners(self, org_id: str) -> frozenset[str]:
        """The learners whose skill gaps this organisation may see: its team members, and the people with an active
        portfolio share link addressed to it (their e-mail address and holder DID)."""
        now = self._clock()
        with self._db.read() as session:
            team = set(session.scalars(sa.select(TeamMemberRow.person).where(TeamMemberRow.org_id == org_id)))
            sharing = session.execute(
                sa.select(PersonRow.email, PersonRow.holder_did)
                .join(ShareRow, ShareRow.person_id == PersonRow.id)
                .where(ShareRow.org_id == org_id, ShareRow.kind == "portfolio", ShareRow.revoked_at.is_(None))
                .where(sa.or_(ShareRow.expires_at.is_(None), ShareRow.expires_at > now))
            )
            for email, did in sharing:
                team.update(value for value in (email.lower(), did) if value)
        return frozenset(team)

    def allocate_budget(
        self, org_id: str, members: Sequence[tuple[str, str]], budget: float, *, any_learner: bool = False
    ) -> Any:
        """The planner's learning-budget allocation for ``members`` ((learner, role profile id) pairs) on behalf of
        ``org_id``: every learner must be one of :meth:`visible_learners` (ForbiddenError otherwise, before any
        plan is made), unless ``any_learner`` (a platform admin)."""
        if not any_learner:
            visible = self.visible_learners(org_id)
            for learner, _ in members:
                value = (learner or "").strip()
                key = value if value.startswith("did:") else value.lower()
                if key not in visible:
                    raise ForbiddenError(
                        f"{value[:200]!r} is neither on this organisation's team nor sharing a portfolio with it: "
                        "a learner's skill gaps are private"
                    )
        return self._planner().allocate_budget(list(members), budget)

    # -- exports -------------------------------------------------------------------------------------------------
    @staticmethod
    def audit_csv(report: Mapping[str, Any]) -> str:
        """The audit as one CSV: a ``section`` column (coverage, short, expiring, market_gap) and its fields."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "role_or_member", "skill", "value", "detail"])
        for row in report["coverage"]:
            cov = "" if row["coverage"] is None else f"{row['coverage']:.2%}"
            writer.writerow(["coverage", row["name"], "", cov, f"{row['members']} member(s)"])
            for short in row["short"]:
                writer.writerow(["short", row["name"], short["label"], short["members_short"], "member(s) below"])
        for row in report["expiring"]:
            writer.writerow(
                [
                    "expiring",
                    row["name"],
                    row["label"],
                    row["level_at_horizon"],
                    f"now {row['level_now']}, required {row['required']}",
                ]
            )
        for row in report["market_gaps"]:
            writer.writerow(["market_gap", "", row["label"], row["share"], "share of postings; nobody holds it"])
        return buffer.getvalue()

    @staticmethod
    def audit_pdf(report: Mapping[str, Any], org_name: str) -> bytes:
        """The audit as a PDF (fpdf2, core fonts: text is reduced to Latin-1)."""
        from fpdf import FPDF

        def text(value: Any) -> str:
            return str(value).encode("latin-1", "replace").decode("latin-1")

        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, text(f"Workforce skills audit: {org_name}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 6, text(f"{report['at'][:10]} - {report['members']} member(s)"), new_x="LMARGIN", new_y="NEXT")
        sections = [
            (
                "Coverage by role",
                [
                    f"{r['name']}: "
                    + (
                        "no members"
                        if r["coverage"] is None
                        else f"{r['coverage']:.0%} of required skill levels met by {r['members']} member(s)"
                    )
                    + ("; short: " + ", ".join(s["label"] for s in r["short"][:6]) if r["short"] else "")
                    for r in report["coverage"]
                ],
            ),
            (
                "Skills expiring this quarter",
                [
                    f"{r['name']}: {r['label']} ({r['level_now']} -> {r['level_at_horizon']})"
                    for r in report["expiring"]
                ],
            ),
            (
                "Gaps against market demand",
                [f"{r['label']} ({r['share']:.1%} of postings)" for r in report["market_gaps"]],
            ),
        ]
        allocation = report.get("allocation")
        if isinstance(allocation, Mapping):
            shares = allocation.get("members") or allocation.get("shares") or []
            lines = [
                ", ".join(f"{k}: {v}" for k, v in s.items() if not isinstance(v, list | dict))
                for s in shares
                if isinstance(s, Mapping)
            ]
            sections.append(("Recommended learning budget", lines or [text(allocation)]))
        for title, lines in sections:
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 9, text(title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            for line in lines or ["(none)"]:
                pdf.multi_cell(0, 5, text("- " + line), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
