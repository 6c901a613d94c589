"""cs.wallet, cs.portfolio and cs.sharing without HTTP: VC-JWT and OB 2.0 hosted imports (the hosted copy fetched
through the allow-list), the holder key sealed at rest, the portfolio grouped by pathway with progress and credits,
share expiry, and the exports (LinkedIn link, PDF)."""

from __future__ import annotations

import copy
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from credstack.app import Credstack
from credstack.catalog.model import CatalogEntry, SkillAlignment
from credstack.errors import CredentialRejectedError, FetchError, NotFoundError
from credstack.proofs.jose import sign_vc_jwt
from credstack.services.wallet_exports import certificate_pdf, linkedin_url
from credstack.settings import Settings
from credstack.storage.account_tables import PersonRow
from issuer_support import Clock
from verification_support import KEY, ob_credential

LEARNER = "ada@example.org"
HOSTED_URL = "https://badges.example.org/assertions/42"
OB2: dict[str, Any] = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": HOSTED_URL,
    "recipient": {"type": "email", "hashed": False, "identity": LEARNER},
    "badge": {
        "id": "https://badges.example.org/badges/5",
        "type": "BadgeClass",
        "name": "First Aid at Work",
        "issuer": {"id": "https://badges.example.org/issuer", "type": "Profile", "name": "Red Cross Training"},
    },
    "verification": {"type": "hosted"},
    "issuedOn": "2024-05-01T00:00:00Z",
}


OB3_URL = "https://badges.example.org/credentials/7.json"


def signed_ob3() -> dict[str, Any]:
    from datetime import UTC, datetime

    from credstack.proofs.data_integrity import sign

    return sign(
        ob_credential(), key=KEY, verification_method=KEY.verification_method, created=datetime(2025, 1, 2, tzinfo=UTC)
    )


@pytest.fixture
def hosted() -> dict[str, Any]:
    """What badges.example.org serves at HOSTED_URL (tests change it)."""
    return copy.deepcopy(OB2)


@pytest.fixture
def cs(sqlite_url: str, hosted: dict[str, Any]) -> Iterator[Credstack]:
    settings = Settings(
        database_url=sqlite_url,
        master_secret="test-master-secret-0123456789",
        base_url="https://creds.example.edu",
        fetch_allowlist=("badges.example.org",),
    )
    app = Credstack.from_settings(settings, clock=Clock())
    app.init("Example University")

    def serve(request: httpx.Request) -> httpx.Response:
        if str(request.url) == HOSTED_URL:
            return httpx.Response(200, json=hosted)
        if str(request.url) == OB3_URL:
            return httpx.Response(200, json=signed_ob3())
        return httpx.Response(404)

    app.verifier.http_transport = httpx.MockTransport(serve)
    try:
        yield app
    finally:
        app.close()


def test_ob2_hosted_assertions_are_read_as_legacy(cs: Credstack, hosted: dict[str, Any]) -> None:
    person = cs.accounts.create_person(LEARNER)
    item = cs.wallet.import_bytes(person.id, json.dumps(OB2).encode())
    assert (item.fmt, item.title, item.issuer_name) == ("ob2", "First Aid at Work", "Red Cross Training")
    report = cs.wallet.verify_raw(item.raw, item.fmt)
    assert [c.name for c in report.checks] == ["parse", "shape", "hosted", "validity", "status"]
    assert report.verified
    # revoked at the source: shown as failing from then on
    hosted["revoked"] = True
    hosted["revocationReason"] = "issued in error"
    assert cs.wallet.verify_raw(item.raw, item.fmt).check("status") is not None
    assert not cs.wallet.verify_raw(item.raw, item.fmt).verified
    # a copy that differs from the hosted one is refused, and nothing is stored
    forged = {**OB2, "id": HOSTED_URL, "badge": {**OB2["badge"], "name": "Brain Surgery"}}
    with pytest.raises(CredentialRejectedError) as refused:
        cs.wallet.import_bytes(person.id, json.dumps(forged).encode())
    assert any(r.startswith("hosted:") and "differs" in r for r in refused.value.reasons)
    elsewhere = {**OB2, "id": "https://evil.example/assertions/42"}
    with pytest.raises(CredentialRejectedError) as refused:
        cs.wallet.import_bytes(person.id, json.dumps(elsewhere).encode())
    assert any("allow-list" in r for r in refused.value.reasons)
    assert [i.id for i in cs.wallet.items(person.id)] == [item.id]
    with pytest.raises(Exception, match="cannot be presented"):
        cs.wallet.presentation(person.id, [item.id])


def test_vc_jwt_imports_and_presents_enveloped(cs: Credstack) -> None:
    person = cs.accounts.create_person(LEARNER)
    token = sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    item = cs.wallet.import_bytes(person.id, token.encode())
    assert item.fmt == "vc-jwt" and item.raw == token and item.title == "Welding Basics"
    vp = cs.wallet.presentation(person.id, [item.id], challenge="n-1", domain="hr.example")
    assert vp["verifiableCredential"][0]["type"] == "EnvelopedVerifiableCredential"
    report = cs.verifier.verify(vp, challenge="n-1", domain="hr.example")
    assert report.verified, report.failures
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(CredentialRejectedError, match="proof"):
        cs.wallet.import_bytes(person.id, tampered.encode())


def test_the_holder_key_is_sealed_and_stable(cs: Credstack) -> None:
    person = cs.accounts.create_person(LEARNER)
    first = cs.wallet.holder_key(person.id)
    assert cs.wallet.holder_key(person.id).did == first.did
    with cs.db.read() as session:
        row = session.get(PersonRow, person.id)
        assert row is not None and row.holder_key is not None and first.seed not in row.holder_key


def test_portfolio_groups_by_pathway_with_progress_and_credits(cs: Credstack) -> None:
    entries = [
        CatalogEntry(
            id=f"u{i}",
            source="local",
            name=f"Unit {i}",
            description=f"Unit {i}.",
            provider="Test Polytechnic",
            skills=(SkillAlignment(f"http://data.europa.eu/esco/skill/s{i}", f"skill {i}", 2),),
            eqf_level=5,
            ects=5,
            effort_hours=40,
        )
        for i in range(1, 4)
    ]
    cs.catalog.replace_source("local", entries)
    units = {e.id: cs.catalog.publish(e.id).id for e in entries}
    cs.pathways.create(
        {
            "id": "cert",
            "name": "Test certificate",
            "credits": 10,
            "requirement": {
                "type": "all-of",
                "requirements": [
                    {"type": "achievement", "achievementId": "u1"},
                    {"type": "achievement", "achievementId": "u2"},
                ],
            },
        }
    )
    person = cs.accounts.create_person(LEARNER)
    for unit in ("u1", "u3"):
        issued = cs.issuing.issue(units[unit], recipient=LEARNER)
        cs.wallet.claim(person.id, cs.wallet.claim_token(issued.id))
    portfolio = cs.portfolio.portfolio(person.id)
    assert [g.name for g in portfolio.groups] == ["Test certificate", "Other credentials"]
    cert, other = portfolio.groups
    assert [i.title for i, _ in cert.items] == ["Unit 1"] and [i.title for i, _ in other.items] == ["Unit 3"]
    assert cert.percent is not None and 0 < cert.percent < 100 and not cert.satisfied
    assert portfolio.credits == 10 and (portfolio.verified, portfolio.total) == (2, 2)


def test_shares_expire_and_exports_name_the_credential(cs: Credstack) -> None:
    person = cs.accounts.create_person(LEARNER, name="Ada Lovelace")
    achievement = cs.achievements.create(
        None, name="Café Management", description="Runs a café.", criteria_narrative="Ran one for a term."
    )
    issued = cs.issuing.issue(achievement.id, recipient=LEARNER)
    item = cs.wallet.claim(person.id, cs.wallet.claim_token(issued.id))
    clock = cs.clock
    assert isinstance(clock, Clock)
    share = cs.sharing.create(person.id, [item.id], kind="credential", expires_at=clock.now.replace(year=2026, day=2))
    assert cs.sharing.open(share.id).share.state == "active"
    clock.advance(days=2)
    expired = cs.sharing.open(share.id, viewer="hr@acme.example")
    assert expired.share.state == "expired" and expired.items == ()
    assert [(v.viewer, v.outcome) for v in cs.sharing.views(person.id, share.id)] == [
        ("hr@acme.example", "expired"),
        ("anonymous", "shown"),
    ]
    with pytest.raises(NotFoundError):
        cs.sharing.open("no-such-link")
    facts = cs.wallet.certificate_facts(person.id, item.id)
    assert (
        facts.verify_url
        == f"https://creds.example.edu/verify?credential=https%3A%2F%2Fcreds.example.edu%2Fcredentials%2F{issued.id}"
    )
    url = linkedin_url(facts)
    assert "name=Caf%C3%A9+Management" in url and "issueYear=2026&issueMonth=3" in url
    pdf = certificate_pdf(facts)
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf  # the QR code
    # the first content stream; the bytes before "endstream" may end in \r or \n that belong to the data, so the
    # stream is read up to "endstream" and the decompressor stops where the compressed data ends
    first = re.search(rb"stream\r?\n(.*?)endstream", pdf, re.S)
    assert first is not None
    text = zlib.decompressobj().decompress(first.group(1))
    assert b"(Caf\xe9 Management)" in text and b"(Ada Lovelace)" in text


def test_the_demo_seeds_accounts_a_claimed_credential_and_a_claim_link(cs: Credstack) -> None:
    from credstack.cli._demo import seed_demo
    from credstack.cli._demo_wallet import DEMO_PASSWORD, seed_wallet
    from credstack.cli._employer_demo import seed_employer_demo

    seeded = seed_demo(cs)
    first = seed_wallet(cs)
    again = seed_wallet(cs)  # idempotent
    assert again == first and first.claim_url is not None
    seed_employer_demo(cs, seeded)  # shares the demo learners' wallets: not the credential whose link is printed
    seed_employer_demo(cs, seed_demo(cs))
    ada = cs.accounts.authenticate("ada.learner@example.org", DEMO_PASSWORD)
    assert [i.source for i in cs.wallet.items(ada.id)] == ["claimed"]
    cs.wallet.claim(ada.id, first.claim_url.rsplit("/", 1)[1])  # the printed link is claimable (no 409)
    assert len(cs.wallet.items(ada.id)) == 2
    assert cs.accounts.find_person("hr@acme.example") is not None
    # the demo stacks' learners sign in to see their own (private) pathway progress
    assert cs.accounts.authenticate("maya.okafor@example.org", DEMO_PASSWORD).email == "maya.okafor@example.org"


def test_a_credential_is_imported_from_an_allow_listed_url(cs: Credstack) -> None:
    person = cs.accounts.create_person(LEARNER)
    item = cs.wallet.import_url(person.id, OB3_URL)
    assert (item.source, item.title, item.document_id) == ("imported", "Welding Basics", signed_ob3()["id"])
    assert cs.wallet.verify_raw(item.raw, item.fmt).verified
    with pytest.raises(FetchError, match="allow-list"):
        cs.wallet.import_url(person.id, "https://elsewhere.example/credentials/7.json")
