"""Demo data for journey 3 (the employer), added by ``credstack demo`` after the issuer's and the wallet's demo data:
the demo learners' wallets hold their credentials (except the one whose claim link the demo prints), shared with the
default organisation (anonymous visitors of /employer) and with ``acme`` (Robin Reviewer, when the wallet demo made
it); an industry body's endorsement of the Python achievement; and a job in each to rank candidates for.

After the demo stacks (:func:`seed_workforce`): ``acme``'s trusted-issuer registry lists the demo issuers, and its
workforce has role profiles built from real ESCO occupations (the occupation's essential skills that the demo
catalog's track teaches) and team members who hold demo credentials. Idempotent: everything is looked up before it
is made."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from credstack.cli._demo import _AWARDS, DemoSeed
from credstack.errors import CredstackError, NotFoundError
from credstack.services.employer import DEFAULT_ORG

if TYPE_CHECKING:
    from credstack.app import Credstack

__all__ = [
    "DEMO_ENDORSER",
    "DEMO_JOB",
    "DEMO_ROLES",
    "DEMO_TEAM",
    "WorkforceDemo",
    "seed_employer_demo",
    "seed_workforce",
]

EMPLOYER = "acme"
#: (role profile name, ESCO v1.1.1 occupation (preferred label) it is built from)
DEMO_ROLES = (
    ("Data analyst", "data analyst"),
    ("Database administrator", "database administrator"),
    ("Software developer", "software developer"),
)
#: acme's team: (e-mail, name, role profile name); each holds demo credentials
DEMO_TEAM = (
    ("maya.okafor@example.org", "Maya Okafor", "Data analyst"),
    ("ada.learner@example.org", "Ada Learner", "Data analyst"),
    ("jonas.weber@example.org", "Jonas Weber", "Database administrator"),
    ("priya.raman@example.org", "Priya Raman", "Database administrator"),
    ("lucas.silva@example.org", "Lucas Silva", "Software developer"),
)
#: at most this many skills per demo role profile, each required at this level (1-4)
ROLE_SKILLS = 6
ROLE_LEVEL = 2
#: a team member's older credential (of the demo issuer, days ago): its SQL skill has aged (expiring this quarter)
AGED = ("jonas.weber@example.org", "Jonas Weber", "SQL for Analysts", 900)

DEMO_ENDORSER = "Data Skills Industry Council"
DEMO_JOB = "Junior data analyst"
_POSTING = (
    "Junior data analyst. You will clean and analyse data with Python, query our databases with SQL, and present "
    "reports to the product team."
)


def seed_employer_demo(cs: Credstack, seed: DemoSeed) -> None:
    """After :func:`~credstack.cli._demo.seed_demo` (``seed``) and the wallet demo."""
    try:
        cs.accounts.get_org(DEFAULT_ORG)
    except NotFoundError:
        cs.accounts.create_org("Demo employer", slug=DEFAULT_ORG)
    orgs = [DEFAULT_ORG]
    with contextlib.suppress(NotFoundError):
        orgs.append(cs.accounts.get_org("acme").id)
    from credstack.cli._demo_wallet import claim_link_credential

    awarded = [(url, award[1]) for url, award in zip(seed.credential_ids, _AWARDS, strict=True)]
    keep = claim_link_credential(cs)  # its claim link is printed: it must stay claimable
    _share(cs, [(url, email) for url, email in awarded if url != keep], orgs)
    python = next((a for a in cs.achievements.list() if a.name == "Data Analysis with Python"), None)
    if python is not None and not cs.employer.endorsements.list(python.url):
        endorser = next((i for i in cs.issuers.list() if i.name == DEMO_ENDORSER), None)
        if endorser is None:
            endorser = cs.issuers.create(DEMO_ENDORSER, method="key")
        comment = "Graduates of this micro-credential are ready for junior analyst roles."
        cs.employer.endorsements.endorse(python.id, endorser=endorser.slug, comment=comment)
    for org in orgs:
        if not any(j.title == DEMO_JOB for j in cs.employer.hiring.jobs(org)):
            cs.employer.hiring.create_job(org, DEMO_JOB, text=_POSTING)


def _share(cs: Credstack, awarded: Sequence[tuple[str, str]], orgs: Sequence[str]) -> None:
    """Each learner's demo credentials in their wallet, shared with each organisation once."""
    shared = {(org, s.person_id) for org in orgs for s in cs.sharing.shared_with_org(org)}
    for email in dict.fromkeys(e for _, e in awarded):
        person = cs.accounts.find_person(email) or cs.accounts.create_person(email)
        held = {i.document_id for i in cs.wallet.items(person.id)}
        for url, recipient in awarded:
            if recipient != email or url in held:
                continue
            try:
                cs.wallet.import_bytes(person.id, json.dumps(cs.issuing.get(url).credential).encode("utf-8"))
            except CredstackError:  # a suspended or revoked credential does not verify, so it is not imported
                continue
        items = [i.id for i in cs.wallet.items(person.id) if not i.is_legacy]
        for org in orgs:
            if items and (org, person.id) not in shared:
                expires = cs.clock() + timedelta(days=180)
                cs.sharing.create(person.id, items, title=f"Portfolio of {email}", org_id=org, expires_at=expires)


@dataclass(frozen=True)
class WorkforceDemo:
    """What :func:`seed_workforce` left in place: the organisation, its roles, team and trusted issuers."""

    org: str
    roles: tuple[str, ...]
    members: int
    trusted: int


def seed_workforce(cs: Credstack) -> WorkforceDemo:
    """After the demo stacks: ``acme``'s trusted issuers, role profiles and team (see the module docstring)."""
    from credstack.catalog.demo import DEMO_PROVIDERS
    from credstack.cli._demo_stacks import _tracks

    try:
        cs.accounts.get_org(EMPLOYER)
    except NotFoundError:
        cs.accounts.create_org("Acme Hiring", slug=EMPLOYER)
    registry = cs.employer.registry
    listed = {t.value for t in registry.trusted(EMPLOYER)}
    issuers = [cs.issuers.default()]
    for provider in DEMO_PROVIDERS:
        with contextlib.suppress(NotFoundError):
            issuers.append(cs.issuers.get(f"demo-{provider.slug}"))
    for issuer in issuers:
        if issuer.did not in listed:
            registry.add(EMPLOYER, issuer.did, issuer.name)
    _aged_credential(cs)
    tracks = _tracks(cs)
    roles = {r.name: r for r in cs.planner.role_profiles(EMPLOYER)}
    for name, occupation in DEMO_ROLES:
        if name in roles or occupation not in tracks:
            continue
        skills = _role_skills(cs, occupation, tracks[occupation])
        if skills:
            description = f"The essential skills of the ESCO occupation '{occupation}' that the demo catalog teaches."
            roles[name] = cs.planner.create_role_profile(EMPLOYER, name, skills, description=description)
    workforce = cs.employer.workforce
    members = {m.person: m for m in workforce.members(EMPLOYER)}
    for email, person_name, role in DEMO_TEAM:
        wanted = roles[role].id if role in roles else None
        if email not in members or members[email].role_profile_id != wanted:
            workforce.add_member(EMPLOYER, email, person_name, wanted)
    return WorkforceDemo(EMPLOYER, tuple(roles), len(workforce.members(EMPLOYER)), len(registry.trusted(EMPLOYER)))


def _aged_credential(cs: Credstack) -> None:
    email, name, achievement, days = AGED
    found = next((a for a in cs.achievements.list(issuer_ref=cs.issuers.default().id) if a.name == achievement), None)
    if found is not None:
        cs.issuing.issue(
            found.id,
            recipient=email,
            recipient_name=name,
            valid_from=cs.clock() - timedelta(days=days),
            idempotency_key=f"credstack-demo-workforce:{email}:{found.id}",
        )


def _role_skills(cs: Credstack, occupation: str, track: Any) -> list[dict[str, Any]]:
    """The occupation's essential ESCO skills that the track's foundation and first advanced units teach (what the
    team's credentials show, and what a plan can close), each at :data:`ROLE_LEVEL`."""
    hits = [h for h in cs.taxonomy.search(occupation, kind="occupation", limit=5) if h.label == occupation]
    if not hits or not hits[0].uri:
        return []
    detail = cs.taxonomy.occupation(hits[0].uri)
    essential = {link.uri for link in getattr(detail, "essential_skills", ())}
    skills: dict[str, int] = {}
    for entry in [*track.foundations[:3], *track.advanced[:2]]:
        for skill in entry.skills:
            if skill.uri in essential and len(skills) < ROLE_SKILLS:
                skills.setdefault(skill.uri, ROLE_LEVEL)
    return [{"uri": uri, "level": level, "weight": 1.0} for uri, level in skills.items()]
