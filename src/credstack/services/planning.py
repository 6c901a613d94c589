"""The planning service (``cs.planner``): a learner's decayed skill profile, targets, the gap, a plan over the
catalog with its schedule, explanations, alternative and what-ifs, target suggestions, the quarterly audit and the
allocation of an organisation's learning budget. The decisions are in :mod:`credstack.planner`; this module gathers
the values (wallet, claims, taxonomy, market, outlook, pathways) and says which sources were missing.

Other services are optional: ``learners`` (verified credentials), ``market`` (demand, growth), ``outlook``
(projections) and ``pathways`` (stacks) are looked up on the composition root when used; when one is not there the
result carries a note saying what was left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from credstack.errors import InvalidInputError, NotFoundError
from credstack.planner import Filters, Learner, Objective, PlanOptions
from credstack.planner import plan as optimise
from credstack.planner.allocate import Allocation, MemberOptions, OptionStep, allocate
from credstack.planner.gap import (
    BASE_WEIGHTS,
    DEFAULT_LEVELS,
    GapReport,
    Requirement,
    TargetSpec,
    gap_analysis,
    market_weight,
)
from credstack.planner.milestones import milestones, stack_adjustments, within_reach
from credstack.planner.problem import build_problem
from credstack.planner.profile import AGED_BELOW, HalfLives, build_profile, credited_level
from credstack.services.planning_data import PlannerData, RoleProfile, SkillClaim
from credstack.services.planning_reports import (
    AuditReport,
    LearnerProfile,
    PlanReport,
    Suggestion,
)
from credstack.services.planning_sources import Sources
from credstack.services.taxonomy import TaxonomyService
from credstack.services.taxonomy_records import OccupationDetail
from credstack.settings import Settings
from credstack.skills import default_linker
from credstack.storage.engine import Database

__all__ = ["AuditReport", "BudgetAllocation", "LearnerProfile", "PlanReport", "PlanningService", "Suggestion"]

BudgetAllocation = Allocation
DEFAULT_COVERAGE = 0.9
_POSTING_LEVEL = 2.0
_QUARTER = timedelta(days=91)


class PlanningService:
    """``cs.planner``: see the module docstring."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        taxonomy: TaxonomyService,
        clock: Callable[[], datetime],
        services: Callable[[str], Any] = lambda name: None,
    ) -> None:
        self._settings = settings
        self._taxonomy = taxonomy
        self._clock = clock
        self.data = PlannerData(db, clock)
        #: builds the skill linker for job postings; the CLI swaps in its disk-cached loader
        self.linker: Callable[[], Any] = default_linker
        self.sources = Sources(db, services)
        self.half_lives = HalfLives(
            settings.skill_half_life_technology,
            settings.skill_half_life_knowledge,
            settings.skill_half_life_transversal,
        )

    # -- claims and role profiles --------------------------------------------------------------------------------

    def declare_skill(
        self, learner: str, skill: str, level: float, *, source: str = "self", note: str = ""
    ) -> SkillClaim:
        """Record a self-declared skill (or an assessment result) for ``learner``; ``skill`` as taxonomy show."""
        return self.data.put_claim(_learner(learner), self._taxonomy.skill(skill).uri, level, source, note)

    def claims(self, learner: str) -> list[SkillClaim]:
        return self.data.claims(_learner(learner))

    def remove_claim(self, learner: str, skill: str, *, source: str = "self") -> None:
        self.data.delete_claim(_learner(learner), self._taxonomy.skill(skill).uri, source)

    def create_role_profile(
        self,
        org_id: str,
        name: str,
        skills: Sequence[Mapping[str, Any]],
        *,
        description: str = "",
        profile_id: str | None = None,
    ) -> RoleProfile:
        """A role profile: skills ``[{"uri", "level" (1-4, default 3), "weight" (default 1)}]``."""
        return self.data.create_profile(org_id, name, skills, description, profile_id)

    def role_profile(self, profile_id: str) -> RoleProfile:
        return self.data.profile(profile_id)

    def role_profiles(self, org_id: str | None = None) -> list[RoleProfile]:
        return self.data.profiles(org_id)

    def update_role_profile(
        self,
        profile_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        skills: Sequence[Mapping[str, Any]] | None = None,
    ) -> RoleProfile:
        return self.data.update_profile(profile_id, name=name, description=description, skills=skills)

    def delete_role_profile(self, profile_id: str) -> None:
        self.data.delete_profile(profile_id)

    # -- profile -------------------------------------------------------------------------------------------------

    def profile(self, learner: str, *, at: datetime | None = None) -> LearnerProfile:
        """The learner's skills from verified credentials, assessments and self-declared claims, decayed to ``at``."""
        learner = _learner(learner)
        at = at or self._clock()
        held = self.sources.credentials(learner, at)
        evidence = list(held.evidence)
        evidence += self.sources.claim_evidence(self.data.claims(learner))
        uris = sorted({e.skill_uri for e in evidence})
        kinds = self.data.skill_kinds(uris)
        profile = build_profile(evidence, kinds, self.half_lives, at)
        labels = self._labels(uris)
        notes = held.notes
        if not evidence and not held.summaries:
            notes += (
                f"nothing is known about {learner}: no credential issued here or in their wallet, no assessment and "
                "no declared skill (check the address; the gap is the whole target)",
            )
        return LearnerProfile(learner, profile, labels, held.catalog_ids, held.summaries, notes)

    # -- targets -------------------------------------------------------------------------------------------------

    def target(self, ref: str, *, posting: str | None = None) -> TargetSpec:
        """``role:ID``, an ESCO occupation (URI, id, code or label) or, with ``posting``, a job posting's text."""
        notes: list[str] = []
        if posting is not None:
            spec = self._posting_target(posting, ref or "job posting")
        elif (ref or "").startswith("role:"):
            role = self.data.profile(ref[5:])
            labels = self._labels([s.uri for s in role.skills])
            reqs = tuple(
                Requirement(s.uri, labels.get(s.uri, s.uri), s.level, s.weight, "profile", s.weight)
                for s in role.skills
            )
            spec = TargetSpec("role", role.id, role.name, reqs)
        else:
            spec = self._occupation_target(ref)
        demand, market_notes = self.sources.demand([r.uri for r in spec.requirements], spec)
        notes += market_notes
        if demand:
            spec = replace(spec, requirements=market_weight(spec.requirements, demand))
        return replace(spec, notes=spec.notes + tuple(notes))

    def _occupation_target(self, ref: str) -> TargetSpec:
        ref = (ref or "").strip()
        if not ref:
            raise InvalidInputError("give a target: an ESCO occupation (URI, id, code or label), role:ID or a posting")
        try:
            found = self._taxonomy.occupation(ref)
        except NotFoundError:
            hits = self._taxonomy.search(ref, kind="occupation", limit=1)
            if not hits:
                raise NotFoundError(f"no occupation matches {ref!r} (`credstack taxonomy search` finds them)") from None
            found = self._taxonomy.occupation(hits[0].uri or hits[0].id)
        if not isinstance(found, OccupationDetail) or found.kind != "occupation":
            esco = getattr(found, "esco", None)
            if esco:
                found = self._taxonomy.occupation(esco[0].uri or esco[0].id)
            if not isinstance(found, OccupationDetail) or found.kind != "occupation":
                raise InvalidInputError(f"{ref!r} is not an ESCO occupation with skills")
        reqs = []
        for relation, links in (("essential", found.essential_skills), ("optional", found.optional_skills)):
            for link in links:
                if link.uri:
                    base = BASE_WEIGHTS[relation]
                    reqs.append(
                        Requirement(link.uri, link.label or link.id, DEFAULT_LEVELS[relation], base, relation, base)
                    )
        if not reqs:
            raise NotFoundError(f"occupation {found.preferred_label!r} lists no skills")
        return TargetSpec("occupation", found.uri, found.preferred_label, tuple(reqs))

    def _posting_target(self, text: str, name: str) -> TargetSpec:
        if not text.strip():
            raise InvalidInputError("the job posting is empty")
        if len(text) > 100_000:
            raise InvalidInputError("a job posting is at most 100,000 characters")
        from credstack.skills.posting import posting_skills

        found = posting_skills(self.linker(), text)
        if not found:
            raise InvalidInputError("no ESCO skills were found in the job posting")
        reqs = tuple(
            Requirement(s.uri, s.label, _POSTING_LEVEL, round(1 + 2 * s.score, 4), "posting", round(1 + 2 * s.score, 4))
            for s in found
        )
        return TargetSpec("posting", "posting", name, reqs, (f"{len(reqs)} skills extracted from the posting",))

    # -- gap and plan --------------------------------------------------------------------------------------------

    def gap(self, learner: str, target: str, *, posting: str | None = None, at: datetime | None = None) -> GapReport:
        profile = self.profile(learner, at=at)
        return gap_analysis(profile.profile, self.target(target, posting=posting))

    def plan(
        self,
        learner: str,
        target: str,
        *,
        posting: str | None = None,
        minimize: str = "time",
        budget: float | None = None,
        hours_per_week: float | None = None,
        max_weeks: float | None = None,
        coverage: float = DEFAULT_COVERAGE,
        languages: Sequence[str] = (),
        formats: Sequence[str] = (),
        providers: Sequence[str] = (),
        time_limit: float = 2.0,
        what_ifs: bool = True,
        reachable_fallback: bool = True,
        at: datetime | None = None,
    ) -> PlanReport:
        """The plan closing ``learner``'s gap to ``target`` over the catalog (docs/planner.md)."""
        if minimize not in ("time", "cost"):
            raise InvalidInputError(f"minimize must be 'time' or 'cost', got {minimize!r}")
        who = self.profile(learner, at=at)
        spec = self.target(target, posting=posting)
        gap = gap_analysis(who.profile, spec)
        facts = self.data.catalog()
        stacks, stack_notes = self.sources.stacks(
            who.learner,
            who.held,
            skills_of={a.id: tuple(a.skills) for a in facts.catalog.achievements},
            wanted={r.uri: r.weight for r in spec.requirements},
        )
        levels = who.profile.credited_levels()
        excluded = {a for a, needs in facts.skill_prerequisites.items() if any(levels.get(s, 0) <= 0 for s in needs)}
        filters = Filters(
            languages=frozenset(languages) or None,
            formats=frozenset(formats) or None,
            providers=frozenset(providers) or None,
            exclude=frozenset(excluded),
        )
        base = Learner(
            skills=levels,
            held=frozenset(h for h in who.held if h in facts.catalog.by_id),
            budget=budget,
            hours_per_week=hours_per_week,
            max_weeks=max_weeks,
            held_skills=False,  # the profile's credited levels already stand for the held credentials
        )
        objective: Objective = "cost" if minimize == "cost" else "time"
        adjustments = (
            stack_adjustments(facts.catalog.achievements, stacks, frozenset(facts.credits), objective)
            if stacks or facts.credits
            else {}
        )
        options = PlanOptions(minimize=objective, filters=filters, adjustments=adjustments, time_limit=time_limit)
        goal = spec.optimiser_target(coverage)
        result = optimise(facts.catalog, base, goal, options)
        notes = list(who.notes) + list(spec.notes) + stack_notes
        used = coverage
        if result.infeasible is not None and result.infeasible.constraint == "coverage" and reachable_fallback:
            problem = build_problem(facts.catalog, base, goal, options)
            reachable = (problem.learner_weight + problem.covered_weight(problem.reachable_mask)) / problem.total_weight
            used = math.floor(reachable * coverage * 1000) / 1000
            if used > 0:
                notes.append(
                    f"{result.infeasible.message}; this plan aims at {used:.1%} instead: {coverage:.0%} of what the "
                    "catalog can teach"
                )
                goal = spec.optimiser_target(used)
                result = optimise(facts.catalog, base, goal, options)
        if facts.left_out:
            notes.append(f"{facts.left_out} catalog entries lack effort or price (or a prerequisite) and were left out")
        currencies = sorted({facts.currency[a.id] for a in facts.catalog.achievements if a.id in facts.currency})
        if len(currencies) > 1:
            notes.append(
                f"prices are in {', '.join(currencies)}: totals are shown per currency (no exchange rates are applied)"
                + (
                    f"; the budget of {budget:,.2f} is checked against their sum as written, so filter by provider "
                    "to keep one currency"
                    if budget is not None
                    else ""
                )
            )
        prices = {a.id: (a.cost, facts.currency.get(a.id) or "") for a in facts.catalog.achievements}
        report = PlanReport(
            learner=who.learner,
            target=spec,
            gap=gap,
            result=result,
            options={
                "minimize": objective,
                "budget": budget,
                "hoursPerWeek": hours_per_week,
                "maxWeeks": max_weeks,
                "coverage": coverage,
                "coverageUsed": used,
                "languages": list(languages),
                "formats": list(formats),
                "providers": list(providers),
            },
            notes=tuple(notes),
            names=facts.names,
            prices=prices,
        )
        plan = result.plan
        if plan is None:
            return report
        labels = {r.uri: r.label for r in spec.requirements}
        shares = {r.uri: r.share for r in spec.requirements}
        stack_of: dict[str, list[str]] = {}
        for stack in stacks:
            for member in stack.remaining:
                stack_of.setdefault(member, []).append(stack.name)
        in_plan = set(plan.achievements)
        needed_by: dict[str, list[str]] = {}
        for step in plan.steps:
            for p in facts.catalog.by_id[step.achievement_id].prerequisites:
                if p in in_plan:
                    needed_by.setdefault(p, []).append(facts.names.get(step.achievement_id, step.achievement_id))
        explanations = tuple(
            {
                "achievement": s.achievement_id,
                "name": facts.names.get(s.achievement_id, s.achievement_id),
                "closes": [{"uri": u, "label": labels.get(u, u), "demandShare": shares.get(u)} for u in s.covers],
                "stacks": stack_of.get(s.achievement_id, []),
                "credits": facts.credits.get(s.achievement_id),
                "why": _why(s.covers, labels, stack_of.get(s.achievement_id, []), needed_by.get(s.achievement_id, [])),
            }
            for s in plan.steps
        )
        report = replace(
            report,
            explanations=explanations,
            milestones=tuple(milestones(plan.steps, stacks, base.held)),
            in_reach=tuple(within_reach(plan.steps, stacks, base.held, facts.catalog.by_id)[:3]),
        )
        if not what_ifs:
            return report
        alternative = self._alternative(facts, base, goal, options, plan.achievements, objective)
        ifs = self._what_ifs(facts, base, goal, options, plan)
        return replace(report, alternative=alternative, what_ifs=ifs)

    def _alternative(
        self, facts: Any, base: Learner, goal: Any, options: PlanOptions, chosen: Sequence[str], objective: str
    ) -> dict[str, Any] | None:
        """The next-best plan: the best plan without one of the chosen achievements (the costliest first, 3 tries)."""
        by_id = facts.catalog.by_id
        ranked = sorted(chosen, key=lambda i: -(by_id[i].hours if objective == "time" else by_id[i].cost))
        best = None
        for drop in ranked[:3]:
            filters = replace(options.filters, exclude=options.filters.exclude | {drop})
            other = optimise(facts.catalog, base, goal, replace(options, filters=filters, time_limit=0.5)).plan
            if other is None:
                continue
            key = other.total_hours if objective == "time" else other.total_cost
            if best is None or key < best[0]:
                best = (key, drop, other)
        if best is None:
            return None
        _, drop, other = best
        return {
            "without": drop,
            "withoutName": facts.names.get(drop, drop),
            "achievements": list(other.achievements),
            "totalHours": other.total_hours,
            "totalCost": other.total_cost,
            "coverage": other.coverage,
            "weeks": other.weeks,
            "optimal": other.optimal,
        }

    def _what_ifs(
        self, facts: Any, base: Learner, goal: Any, options: PlanOptions, plan: Any
    ) -> tuple[dict[str, Any], ...]:
        out: list[dict[str, Any]] = []
        pace = base.hours_per_week
        if pace is not None:  # without a pace there are no weeks to save: that what-if would say nothing
            more = pace + 5
            faster = replace_learner(base, hours_per_week=more)
            if base.max_weeks is not None:
                other = optimise(facts.catalog, faster, goal, replace(options, time_limit=0.5)).plan
            else:
                other = plan
            weeks = None if other is None else other.total_hours / more
            out.append(
                {
                    "what": "5 more hours a week",
                    "hoursPerWeek": more,
                    "weeks": None if weeks is None else round(weeks, 2),
                    "weeksNow": None if plan.weeks is None else round(plan.weeks, 2),
                    "weeksSaved": None if weeks is None or plan.weeks is None else round(plan.weeks - weeks, 2),
                    "totalHours": None if other is None else other.total_hours,
                    "totalCost": None if other is None else other.total_cost,
                    "achievements": None if other is None else list(other.achievements),
                }
            )
        if base.budget is not None:
            bigger = round(base.budget * 1.5, 2)
            other = optimise(
                facts.catalog, replace_learner(base, budget=bigger), goal, replace(options, time_limit=0.5)
            ).plan
            out.append(
                {
                    "what": "a 50% larger budget",
                    "budget": bigger,
                    "totalHours": None if other is None else other.total_hours,
                    "totalCost": None if other is None else other.total_cost,
                    "coverage": None if other is None else other.coverage,
                    "achievements": None if other is None else list(other.achievements),
                }
            )
        return tuple(out)

    # -- suggestions ---------------------------------------------------------------------------------------------

    def suggest(
        self, learner: str, *, limit: int = 10, at: datetime | None = None
    ) -> tuple[list[Suggestion], list[str]]:
        """Occupations close to the learner's verified profile, ranked by closeness and outlook, with their gap."""
        if not 1 <= limit <= 50:
            raise InvalidInputError("limit must be between 1 and 50")
        who = self.profile(learner, at=at)
        levels = {u: s.meets_level for u, s in who.profile.skills.items() if not s.self_declared}
        notes = list(who.notes)
        if not levels:
            return [], [*notes, "no verified skills yet: suggestions start from verified credentials"]
        index = self.data.occupation_index()
        scored = []
        for occupation, skills in index.items():
            total = met = 0.0
            touched = False
            for uri, relation in skills:
                weight = BASE_WEIGHTS.get(relation, 1.0)
                total += weight
                level = levels.get(uri)
                if level:
                    touched = True
                    met += weight * min(1.0, level / DEFAULT_LEVELS.get(relation, 2.0))
            if touched and total:
                scored.append((met / total, occupation))
        scored.sort(reverse=True)
        top = scored[: max(30, limit * 3)]
        outlooks, outlook_notes = self.sources.outlooks([o for _, o in top])
        notes += outlook_notes
        labels = self.data.occupation_labels([o for _, o in top])
        growth = [float(v.get("growthPct") or 0) for v in outlooks.values()]
        wages = [float(v.get("medianWage") or 0) for v in outlooks.values()]
        openings = [float(v.get("openingsPerYear") or 0) for v in outlooks.values()]
        out = []
        for closeness, occupation in top:
            look = outlooks.get(occupation)
            boost = 0.0
            if look:
                boost += 0.5 * _norm(look.get("growthPct"), growth) + 0.25 * _norm(
                    look.get("openingsPerYear"), openings
                )
                boost += 0.25 * _norm(look.get("medianWage"), wages) + 0.25 * max(
                    -1.0, min(1.0, float(look.get("momentum") or 0))
                )
            out.append(
                Suggestion(
                    occupation,
                    labels.get(occupation, (occupation, "", None))[0],
                    closeness,
                    1 - closeness,
                    closeness * (1 + boost),
                    look,
                )
            )
        out.sort(key=lambda s: (-s.score, s.label))
        return out[:limit], notes

    # -- audit ---------------------------------------------------------------------------------------------------

    def audit(self, learner: str, *, target: str | None = None, at: datetime | None = None) -> AuditReport:
        """The quarterly skills audit: skills decaying below the target's level within the quarter, credentials
        expiring within two quarters, target skills newly in demand, and refresher credentials."""
        at = at or self._clock()
        who = self.profile(learner, at=at)
        notes = list(who.notes)
        spec = self.target(target) if target else None
        required = {r.uri: r for r in spec.requirements} if spec else {}
        facts = self.data.catalog()
        decaying = []
        for uri, skill in who.profile.skills.items():
            need = required[uri].level if uri in required else skill.shown * AGED_BELOW
            now = skill.meets_level  # evidence counts at its own level until it is aged (planner/profile.py)
            later = credited_level(skill.evidence, self.half_lives.of(skill.kind), at + _QUARTER)
            if now < need or later < need:
                decaying.append(
                    {
                        "uri": uri,
                        "label": who.labels.get(uri, uri),
                        "kind": skill.kind,
                        "level": round(skill.level, 3),
                        "credited": round(now, 3),
                        "nextQuarter": round(later, 3),
                        "required": need if uri in required else None,
                        "status": "below" if now < need else "falls below this quarter",
                        "selfDeclared": skill.self_declared,
                    }
                )
        decaying.sort(key=lambda d: (d["status"] != "below", d["label"]))
        expiring = [
            c for c in who.credentials if c.get("validUntil") and c["validUntil"] <= (at + 2 * _QUARTER).isoformat()
        ]
        in_demand: list[dict[str, Any]] = []
        if spec:
            for r in spec.requirements:
                if r.yoy is not None and r.yoy >= 0.2:
                    have = who.profile.skills.get(r.uri)
                    in_demand.append(
                        {
                            "uri": r.uri,
                            "label": r.label,
                            "yoy": r.yoy,
                            "share": r.share,
                            "have": bool(have and have.meets_level >= r.level),
                        }
                    )
            if all(r.yoy is None for r in spec.requirements):
                notes.append("no market growth figures for the target's skills: newly in-demand skills not assessed")
        else:
            notes.append("no target given: decay is checked against three quarters of each skill's shown level")
        refreshers = []
        for item in decaying + [{"uri": u["uri"], "label": u["label"]} for u in in_demand if not u["have"]]:
            uri = item["uri"]
            need = required[uri].level if uri in required else 1.0
            options = [facts.catalog.by_id[a] for a, level in facts.catalog.teaching.get(uri, ()) if level >= need]
            if options:
                best = min(options, key=lambda a: (a.hours, a.cost, a.id))
                refreshers.append(
                    {
                        "skill": uri,
                        "label": item["label"],
                        "achievement": best.id,
                        "name": facts.names.get(best.id, best.id),
                        "hours": best.hours,
                        "cost": best.cost,
                    }
                )
        return AuditReport(
            who.learner, at, spec, tuple(decaying), tuple(expiring), tuple(in_demand), tuple(refreshers), tuple(notes)
        )

    # -- budget allocation ---------------------------------------------------------------------------------------

    def allocate_budget(self, members: Sequence[tuple[str, str]], budget: float) -> BudgetAllocation:
        """Recommend how an organisation's learning ``budget`` is spent across ``members`` ((learner, role profile
        id) pairs): each member's cheapest plan toward their role, funded step by step where it closes the most
        role weight per unit of cost (exact search when small). See :mod:`credstack.planner.allocate`."""
        if not members:
            raise InvalidInputError("give at least one (learner, role profile id) pair")
        options = []
        for learner, role_id in members:
            report = self.plan(learner, f"role:{role_id}", minimize="cost", what_ifs=False, time_limit=1.0)
            total = sum(r.weight for r in report.target.requirements) or 1.0
            weight = {r.uri: r.weight for r in report.target.requirements}
            plan = report.result.plan
            if plan is None:
                reason = report.result.infeasible
                options.append(MemberOptions(learner, role_id, (), f"no plan: {reason.message if reason else ''}"))
                continue
            steps = tuple(
                OptionStep(s.achievement_id, s.cost, sum(weight.get(u, 0.0) for u in s.covers) / total)
                for s in plan.steps
            )
            options.append(
                MemberOptions(
                    learner,
                    role_id,
                    steps,
                    f"{1 - report.gap.met_share:.0%} of the role's skill weight missing before training",
                )
            )
        return allocate(options, budget)

    # -- helpers -------------------------------------------------------------------------------------------------

    def _labels(self, uris: Sequence[str]) -> dict[str, str]:
        if not uris:
            return {}
        try:
            links = self._taxonomy.links(uris)
        except Exception:
            return {}
        return {u: (links[u].label or u) for u in uris if u in links}


def replace_learner(learner: Learner, **changes: float | None) -> Learner:
    """``learner`` with a different budget, pace or deadline."""
    return Learner(
        skills=learner.skills,
        held=learner.held,
        budget=changes.get("budget", learner.budget),
        hours_per_week=changes.get("hours_per_week", learner.hours_per_week),
        max_weeks=changes.get("max_weeks", learner.max_weeks),
        held_skills=learner.held_skills,
    )


def _learner(learner: str) -> str:
    learner = (learner or "").strip()
    if not learner or len(learner) > 500:
        raise InvalidInputError("give a learner: their e-mail address or DID (1-500 characters)")
    return learner


def _norm(value: Any, values: Sequence[float]) -> float:
    if value is None or not values:
        return 0.0
    low, high = min(values), max(values)
    return 0.0 if high <= low else (float(value) - low) / (high - low)


def _why(covers: Sequence[str], labels: Mapping[str, str], stacks: Sequence[str], needed_by: Sequence[str]) -> str:
    parts = []
    if covers:
        named = ", ".join(labels.get(u, u) for u in covers[:4])
        parts.append(f"brings {named}{f' and {len(covers) - 4} more' if len(covers) > 4 else ''} to the level needed")
    if needed_by:
        parts.append("required before " + ", ".join(needed_by[:2]) + (" and more" if len(needed_by) > 2 else ""))
    if stacks:
        parts.append("advances " + ", ".join(stacks))
    return "; ".join(parts) or "part of the plan"
