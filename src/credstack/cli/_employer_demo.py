"""Demo data for journey 3 (the employer), added by ``credstack demo`` after the issuer's and the wallet's demo data:
the demo learners' wallets hold their credentials, shared with the default organisation (anonymous visitors of
/employer) and with ``acme`` (Robin Reviewer, when the wallet demo made it); an industry body's endorsement of the
Python achievement; and a job in each to rank candidates for. Idempotent: everything is looked up before it is
made."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from credstack.cli._demo import _AWARDS, DemoSeed
from credstack.errors import CredstackError, NotFoundError
from credstack.services.employer import DEFAULT_ORG

if TYPE_CHECKING:
    from credstack.app import Credstack

__all__ = ["DEMO_ENDORSER", "DEMO_JOB", "seed_employer_demo"]

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
    awarded = [(url, award[1]) for url, award in zip(seed.credential_ids, _AWARDS, strict=True)]
    _share(cs, awarded, orgs)
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
