"""Demo accounts for the wallet and employer journeys (``credstack demo``): organisations, people who can sign in
(also the demo stacks' learners, whose pathway progress is private to them), a claimed credential in Ada's wallet and
a claim link for one she has not claimed yet (no other demo step puts that one in her wallet), and, once the demo
stacks are seeded, the stack learners' wallets: each claims their own credentials, as they would from their claim
links. Idempotent.

The demo password is printed by ``credstack demo``; it is for a local demo only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from credstack.app import Credstack
from credstack.errors import ConflictError, NotFoundError

__all__ = ["DEMO_PASSWORD", "WalletDemo", "claim_link_credential", "seed_learner_wallets", "seed_wallet"]

DEMO_PASSWORD = "credstack-demo"
LEARNER = "ada.learner@example.org"
#: (e-mail, name, organisation, role)
PEOPLE = (
    (LEARNER, "Ada Learner", "demo-provider", "learner"),
    ("admin@provider.example", "Pat Admin", "demo-provider", "issuer_admin"),
    ("hr@acme.example", "Robin Reviewer", "acme", "employer_reviewer"),
)


@dataclass(frozen=True)
class WalletDemo:
    learner: str
    password: str
    people: tuple[tuple[str, str], ...]
    claim_url: str | None


def _org(cs: Credstack, slug: str, name: str, issuer_id: int | None) -> None:
    try:
        cs.accounts.get_org(slug)
    except NotFoundError:
        cs.accounts.create_org(name, slug=slug, issuer_id=issuer_id)


def _demo_learner_accounts(cs: Credstack) -> None:
    """The demo stacks' learners can sign in (demo password) to see their own pathway progress and plans, which are
    private to them."""
    from credstack.cli._demo_learners import DEMO_LEARNERS

    for email, name, _ in DEMO_LEARNERS:
        person = cs.accounts.find_person(email)
        if person is None:
            org = "demo-provider"
            cs.accounts.create_person(email, name=name, password=DEMO_PASSWORD, org_id=org, roles=["learner"])
        else:  # made without a password by an earlier demo step
            cs.accounts.set_password(person.id, DEMO_PASSWORD)


def seed_wallet(cs: Credstack) -> WalletDemo:
    """Organisations, people and Ada's wallet (her first demo credential claimed, the second one's link kept)."""
    _org(cs, "demo-provider", "Demo Training Provider", cs.issuers.default().id)
    _org(cs, "acme", "Acme Hiring", None)
    for email, name, org, role in PEOPLE:
        person = cs.accounts.find_person(email)
        if person is None:
            person = cs.accounts.create_person(email, name=name, password=DEMO_PASSWORD, org_id=org, roles=[role])
        else:
            cs.accounts.add_role(person.id, org, role)
    _demo_learner_accounts(cs)
    ada = cs.accounts.find_person(LEARNER)
    if ada is None:  # pragma: no cover - created just above
        raise NotFoundError(LEARNER)
    ids = _ada_documents(cs)
    claim_url = None
    for n, document_id in enumerate(ids[:2]):
        record = cs.issuing.get(document_id)
        if n == 0:
            with contextlib.suppress(ConflictError):  # claimed on an earlier run
                cs.wallet.claim(ada.id, cs.wallet.claim_token(record.id))
        else:
            claim_url = cs.wallet.claim_link(record.id)
    people = tuple((email, role) for email, _, _, role in PEOPLE)
    return WalletDemo(LEARNER, DEMO_PASSWORD, people, claim_url)


def _ada_documents(cs: Credstack) -> list[str]:
    return [str(d.get("id")) for d in cs.learners.issued_documents(LEARNER)]


def claim_link_credential(cs: Credstack) -> str | None:
    """The ``id`` of Ada's credential whose claim link ``credstack demo`` prints: no demo step may put it in her
    wallet, or the link would answer "already in your wallet"."""
    ids = _ada_documents(cs)
    return ids[1] if len(ids) > 1 else None


def seed_learner_wallets(cs: Credstack) -> int:
    """The demo stacks' learners claim every credential issued to them (suspended and revoked ones too: they were
    claimed when issued), so their wallets and portfolios show their stacks. Returns how many were claimed now."""
    from credstack.cli._demo_learners import DEMO_LEARNERS

    _org(cs, "demo-provider", "Demo Training Provider", cs.issuers.default().id)
    claimed = 0
    for email, name, _ in DEMO_LEARNERS:
        person = cs.accounts.find_person(email)
        if person is None:
            person = cs.accounts.create_person(
                email, name=name, password=DEMO_PASSWORD, org_id="demo-provider", roles=["learner"]
            )
        held = {i.credential_id for i in cs.wallet.items(person.id)}
        for document in cs.learners.issued_documents(email):
            record = cs.issuing.get(str(document.get("id")))
            if record.id in held:
                continue
            token = cs.wallet.claim_link(record.id).rsplit("/", 1)[1]
            with contextlib.suppress(ConflictError):  # claimed by hand since
                cs.wallet.claim(person.id, token, revoked_ok=True)  # as if claimed before the revocation
                claimed += 1
    return claimed
