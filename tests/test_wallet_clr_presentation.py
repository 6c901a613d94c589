"""A pathway award's CLR presented from the wallet: the presentation is signed (eddsa-jcs-2022, so no RDF
canonicalisation of the whole presentation), verifies with each embedded credential's own proof, and answers an
employer's presentation request. Before, every CLR failed with "N-degree hashing exceeded its work limit"."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.errors import CanonicalizationError
from credstack.proofs.canonical import to_canonical_nquads
from credstack.proofs.data_integrity import sign
from credstack.web.session import SESSION_COOKIE
from issuer_support import open_app
from test_services_pathways import CERT, LEARNER, _catalog


def _award_in_wallet(cs: Credstack) -> tuple[str, str, str]:
    """Units u1, u3, u5 issued and claimed; the award and its CLR claimed too. Returns person, CLR item, unit item."""
    units = _catalog(cs)
    cs.pathways.create(CERT)
    person = cs.accounts.create_person(LEARNER)
    unit_item = ""
    for unit in ("u1", "u3", "u5"):
        issued = cs.issuing.issue(units[unit], recipient=LEARNER)
        unit_item = cs.wallet.claim(person.id, cs.wallet.claim_token(issued.id)).id
    award = cs.pathways.awards.list()[0]
    assert award.award_credential_id is not None and award.clr_credential_id is not None
    clr_item = ""
    for credential_id in (award.award_credential_id, award.clr_credential_id):
        item = cs.wallet.claim(person.id, cs.wallet.claim_link(credential_id).rsplit("/", 1)[1])
        if credential_id == award.clr_credential_id:
            clr_item = item.id
    return person.id, clr_item, unit_item


def test_a_clr_is_presented_from_the_wallet_and_verifies(database_url: str) -> None:
    with open_app(database_url) as cs:
        person, clr_item, unit_item = _award_in_wallet(cs)
        vp = cs.wallet.presentation(person, [clr_item, unit_item], challenge="nonce-1", domain="hr.example")

        assert vp["proof"]["cryptosuite"] == "eddsa-jcs-2022" and vp["proof"]["proofPurpose"] == "authentication"
        clr = vp["verifiableCredential"][0]
        assert "ClrCredential" in clr["type"] and clr["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        report = cs.verifier.verify(vp, challenge="nonce-1", domain="hr.example")
        assert report.verified, [(c.name, c.reason) for c in report.failures]
        assert [r.verified for r in report.credentials] == [True, True]
        assert not cs.verifier.verify(vp, challenge="another", domain="hr.example").verified

        # the embedded CLR is still checked by its own proof: a changed CLR fails though the holder re-signs it
        forged = copy.deepcopy(clr)
        forged["name"] = "Brain surgery: comprehensive learner record"
        key = cs.wallet.holder_key(person)
        unsigned: dict[str, Any] = {k: v for k, v in vp.items() if k != "proof"}
        unsigned["verifiableCredential"] = [forged]
        resigned = sign(
            unsigned,
            key=key,
            verification_method=key.verification_method,
            cryptosuite="eddsa-jcs-2022",
            proof_purpose="authentication",
            challenge="nonce-1",
            domain="hr.example",
        )
        tampered = cs.verifier.verify(resigned, challenge="nonce-1", domain="hr.example")
        assert not tampered.verified and not tampered.credentials[0].verified


def test_an_employer_request_is_answered_with_a_clr(database_url: str) -> None:
    with open_app(database_url) as cs:
        person, clr_item, _unit = _award_in_wallet(cs)
        request = cs.employer.requests.create("acme", "Your certificate record")
        outcome = cs.employer.requests.answer_from_wallet(request.id, person, [clr_item])
        assert outcome.accepted, [(c.name, c.reason) for c in outcome.report.failures]
        seen = cs.employer.requests.get(request.id, "acme")
        assert seen.result is not None and seen.result["verified"]
        assert "ClrCredential" in seen.result["credentials"][0]["credential"]["type"]


def test_rdfc_of_such_a_presentation_is_what_hits_the_poisoning_limit(database_url: str) -> None:
    """Why presentations are JCS-signed: the CLR alone canonicalises, the presentation holding it does not."""
    with open_app(database_url) as cs:
        person, clr_item, _unit = _award_in_wallet(cs)
        vp = cs.wallet.presentation(person, [clr_item])
        clr = {k: v for k, v in vp["verifiableCredential"][0].items() if k != "proof"}
        assert to_canonical_nquads(json.loads(json.dumps(clr)))
        unsigned = {k: v for k, v in vp.items() if k != "proof"}
        with pytest.raises(CanonicalizationError, match="work limit"):
            to_canonical_nquads(unsigned)


def test_the_wallet_page_download_and_the_employer_pages_accept_a_clr(sqlite_url: str) -> None:
    """What a person does: download the presentation of a CLR from the wallet, upload it to /verify, and answer an
    employer's request at /present/{id} with the CLR (each was a 422 canonicalization_failed)."""
    with open_app(sqlite_url) as cs:
        person, clr_item, _unit = _award_in_wallet(cs)
        request = cs.employer.requests.create("acme", "Your certificate record")
        with TestClient(create_app(cs)) as http:
            http.cookies.set(SESSION_COOKIE, cs.accounts.start_session(person)[0])
            download = http.get(f"/wallet/items/{clr_item}/presentation.json")
            assert download.status_code == 200, download.text
            vp = download.json()
            assert "ClrCredential" in vp["verifiableCredential"][0]["type"]
            checked = http.post("/verify", data={"credential": json.dumps(vp)})
            assert checked.status_code == 200 and 'data-testid="verdict">✔ Verified' in checked.text
            assert cs.verifier.verify(vp).verified
            form = http.get(f"/present/{request.id}").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert csrf is not None
            answered = http.post(f"/present/{request.id}", data={"item": [clr_item], "csrf_token": csrf.group(1)})
            assert answered.status_code == 200, answered.text
        assert cs.employer.requests.get(request.id, "acme").state == "answered"
