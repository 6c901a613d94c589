"""Demo data for ``credstack demo``: an issuer, three achievements (a MicroCredential aligned to real ESCO skills),
credentials for a few learners, one suspended and one revoked. Idempotent: achievements are matched by name and
credentials by idempotency key, so running the demo again reuses what is there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credstack.app import Credstack

__all__ = ["DEMO_ACHIEVEMENTS", "DEMO_ISSUER", "DemoSeed", "seed_demo"]

DEMO_ISSUER = "Credstack Demo Academy"
ESCO = "ESCO v1.1.1"


def _esco(uuid: str, label: str) -> dict[str, str]:
    return {
        "targetName": label,
        "targetUrl": f"http://data.europa.eu/esco/skill/{uuid}",
        "targetFramework": ESCO,
        "targetType": "ext:ESCOSkill",
    }


#: Real ESCO v1.1.1 skill URIs and labels (from the ESCO classification).
DEMO_ACHIEVEMENTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Data Analysis with Python",
        "description": "Clean, analyse and visualise real data sets with Python and pandas.",
        "criteria_narrative": "Passed a proctored practical assessment: a data-cleaning task and an analysis report.",
        "achievement_type": "MicroCredential",
        "credits_available": 5,
        "alignments": (
            _esco("ccd0a1d9-afda-43d9-b901-96344886e14d", "Python (computer programming)"),
            _esco("2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f", "perform data analysis"),
            _esco("50b100ea-74fd-4706-99db-3e4ca55e51b8", "perform data cleansing"),
            _esco("348b74cd-49ce-4844-8bdf-ec188b497213", "visual presentation techniques"),
        ),
    },
    {
        "name": "SQL for Analysts",
        "description": "Query, join and model relational data with SQL.",
        "criteria_narrative": "Completed eight graded query exercises and a data-modelling project.",
        "achievement_type": "MicroCredential",
        "credits_available": 3,
        "alignments": (
            _esco("598de5b0-5b58-4ea7-8058-a4bc4d18c742", "SQL"),
            _esco("fbafa41f-cd05-4109-a649-8b44d306d779", "create data models"),
            _esco("9ff9db9d-d14b-426e-83f3-e7449af6c79f", "manage data"),
        ),
    },
    {
        "name": "Presenting Data Insights",
        "description": "Turn an analysis into a clear report and presentation for decision makers.",
        "criteria_narrative": "Presented a report to a panel and answered questions.",
        "achievement_type": "Badge",
        "alignments": (
            _esco("d0f2f8a7-d935-4a6d-8e54-dcc3e5e2cbeb", "present reports"),
            _esco("7ee4c2ea-b349-4bd2-81a3-ec31475d4833", "statistics"),
        ),
    },
)

#: (achievement index, recipient e-mail, recipient name, final state)
_AWARDS = (
    (0, "ada.learner@example.org", "Ada Learner", "active"),
    (1, "ada.learner@example.org", "Ada Learner", "active"),
    (0, "grace.student@example.org", "Grace Student", "active"),
    (2, "grace.student@example.org", "Grace Student", "suspended"),
    (1, "linus.trainee@example.org", "Linus Trainee", "revoked"),
)


@dataclass(frozen=True)
class DemoSeed:
    issuer_name: str
    issuer_did: str
    base_url: str
    credential_ids: tuple[str, ...]
    suspended_id: str
    revoked_id: str


def seed_demo(cs: Credstack) -> DemoSeed:
    """Create (or find) the demo data; returns the credential URLs to show."""
    result = cs.init(DEMO_ISSUER)
    issuer = result.issuer
    existing = {a.name: a for a in cs.achievements.list(issuer_ref=issuer.id)}
    achievement_ids: list[str] = []
    for spec in DEMO_ACHIEVEMENTS:
        found = existing.get(spec["name"])
        if found is None:
            found = cs.achievements.create(issuer.id, **spec)
        achievement_ids.append(found.id)
    ids: list[str] = []
    suspended = revoked = ""
    for n, (index, email, name, state) in enumerate(_AWARDS):
        issued = cs.issuing.issue(
            achievement_ids[index],
            recipient=email,
            recipient_name=name,
            idempotency_key=f"credstack-demo:{n}:{email}:{achievement_ids[index]}",
        )
        url = str(issued.credential["id"])
        ids.append(url)
        if state == "suspended":
            cs.status.suspend(issued.id)
            suspended = url
        elif state == "revoked":
            cs.status.revoke(issued.id)
            revoked = url
    return DemoSeed(issuer.name, issuer.did, cs.settings.base_url.rstrip("/"), tuple(ids), suspended, revoked)
