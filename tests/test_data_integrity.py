"""Data Integrity sign/verify (proofs/data_integrity.py) across eddsa-rdfc-2022, eddsa-jcs-2022 and
Ed25519Signature2020: round trips, tampering, proof options, presentations' challenge/domain, proof sets and
chains, the JCS @context rule, and the undefined-term guard. Failures are values with readable reasons."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import VECTORS
from credstack.errors import InvalidInputError, KeyMaterialError, UndefinedTermError, UnknownContextError
from credstack.proofs import data_integrity as di
from credstack.proofs import ed25519_signature_2020, eddsa_jcs_2022, eddsa_rdfc_2022, jose, keys, multibase
from credstack.proofs.keys import Ed25519Key, VerificationMethod, resolve_did_key_vm
from proof_samples import VC_V2, ob_credential

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
KEY = Ed25519Key.from_seed(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
OTHER = Ed25519Key.from_seed(b"\x42" * 32)
CREATED = "2025-01-01T12:00:00Z"


def _signed(suite: str = "eddsa-rdfc-2022", **kwargs: Any) -> dict[str, Any]:
    return di.sign(
        ob_credential(KEY), key=KEY, verification_method=KEY.verification_method, cryptosuite=suite, **kwargs
    )


def _verify_one(document: dict[str, Any], **kwargs: Any) -> di.ProofResult:
    [result] = di.verify(document, resolve=resolve_did_key_vm, **kwargs)
    return result


@pytest.mark.parametrize("suite", SUITES)
def test_sign_then_verify(suite: str) -> None:
    credential = ob_credential(KEY)
    before = copy.deepcopy(credential)
    signed = di.sign(
        credential, key=KEY, verification_method=KEY.verification_method, cryptosuite=suite, created=CREATED
    )
    assert credential == before, "sign must not modify its input"
    proof = signed["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["created"]) == ("DataIntegrityProof", suite, CREATED)
    assert proof["verificationMethod"] == KEY.verification_method and proof["proofPurpose"] == "assertionMethod"
    assert proof["proofValue"].startswith("z")
    result = _verify_one(signed)
    assert result.verified, result.reason
    assert (result.cryptosuite, result.bound, result.controller) == (suite, True, credential["issuer"]["id"])
    assert result.reason == "signature verified"


def test_created_accepts_an_aware_datetime_and_is_omitted_when_not_given() -> None:
    moment = datetime(2025, 3, 4, 5, 6, 7, 890000, tzinfo=timezone(timedelta(hours=2)))
    assert _signed(created=moment)["proof"]["created"] == "2025-03-04T03:06:07Z"
    assert "created" not in _signed()["proof"]
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        _signed(created=datetime(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="dateTimeStamp"):
        _signed(created="2025-01-01T00:00:00")


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership"),
        lambda c: c["issuer"].__setitem__("name", "Another University"),
        lambda c: c.__setitem__("validFrom", "2024-01-01T00:00:00Z"),
        lambda c: c["proof"].__setitem__("created", "2025-01-02T00:00:00Z"),
    ],
    ids=["achievement-name", "issuer-name", "validFrom", "proof-created"],
)
def test_any_change_after_signing_is_detected(suite: str, tamper: Any) -> None:
    signed = _signed(suite, created=CREATED)
    tamper(signed)
    result = _verify_one(signed)
    assert not result.verified
    assert "altered after signing, or signed with another key" in result.reason
    assert result.code == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("suite", SUITES)
def test_signature_by_another_key_fails(suite: str) -> None:
    signed = _signed(suite)
    signed["proof"]["verificationMethod"] = OTHER.verification_method
    result = _verify_one(signed)
    assert not result.verified and "signed with another key" in result.reason


def test_signing_refuses_a_key_that_is_not_the_verification_method() -> None:
    with pytest.raises(KeyMaterialError, match="not the key named"):
        di.sign(ob_credential(KEY), key=OTHER, verification_method=KEY.verification_method)
    with pytest.raises(KeyMaterialError):
        di.sign(ob_credential(KEY), key=OTHER, verification_method=f"https://example.edu/i#{KEY.public_multibase}")


def test_signing_refuses_unsupported_suites_and_missing_options() -> None:
    with pytest.raises(InvalidInputError, match="unsupported cryptosuite"):
        _signed("ecdsa-rdfc-2019")
    with pytest.raises(InvalidInputError):
        di.sign(ob_credential(KEY), key=KEY, verification_method="")
    with pytest.raises(InvalidInputError):
        di.sign(ob_credential(KEY), key=KEY, verification_method=KEY.verification_method, proof_purpose="")
    with pytest.raises(InvalidInputError):
        di.sign(["not", "an", "object"], key=KEY, verification_method=KEY.verification_method)  # type: ignore[arg-type]


def test_a_document_without_proof_has_no_results() -> None:
    assert di.verify(ob_credential(KEY), resolve=resolve_did_key_vm) == []


# --- proof options ---------------------------------------------------------------------------------------------


def test_unexpected_proof_purpose_is_refused() -> None:
    result = _verify_one(_signed(), expected_purpose="authentication")
    assert not result.verified
    assert "'assertionMethod'" in result.reason and "'authentication'" in result.reason


@pytest.mark.parametrize("missing", ["type", "cryptosuite", "proofPurpose", "verificationMethod", "proofValue"])
def test_missing_proof_properties_are_reported(missing: str) -> None:
    signed = _signed()
    del signed["proof"][missing]
    result = _verify_one(signed)
    assert not result.verified and missing in result.reason


@pytest.mark.parametrize("created", ["2025-01-01", "2025-01-01T00:00:00", "2025-13-01T00:00:00Z", 1735689600])
def test_malformed_created_is_refused(created: object) -> None:
    signed = _signed(created=CREATED)
    signed["proof"]["created"] = created
    result = _verify_one(signed)
    assert not result.verified and "dateTimeStamp" in result.reason


@pytest.mark.parametrize("proof_value", ["not-multibase", "u" + "A" * 86, "z" + "1" * 10, "z0OIl", 7])
def test_malformed_proof_value_is_refused(proof_value: object) -> None:
    signed = _signed()
    signed["proof"]["proofValue"] = proof_value
    result = _verify_one(signed)
    assert not result.verified


def test_unsupported_suite_and_type_are_reported_by_name() -> None:
    signed = _signed()
    signed["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert "ecdsa-rdfc-2019" in _verify_one(signed).reason
    signed["proof"]["type"] = "BbsBlsSignature2020"
    result = _verify_one(signed)
    assert not result.verified and "BbsBlsSignature2020" in result.reason


def test_proof_that_is_not_an_object() -> None:
    signed = _signed()
    signed["proof"] = "z3abc"
    result = _verify_one(signed)
    assert not result.verified and result.code == "PARSING_ERROR"


def test_expired_proof_is_refused_only_when_now_is_given() -> None:
    expiring = _signed()
    # build a proof carrying 'expires' through the suite directly (sign() has no such option)
    options = {k: v for k, v in expiring["proof"].items() if k != "proofValue"}
    options["expires"] = "2025-06-01T00:00:00Z"
    unsecured = {k: v for k, v in expiring.items() if k != "proof"}
    document = {**unsecured, "proof": eddsa_rdfc_2022.create_proof(unsecured, options, KEY)}
    assert _verify_one(document).verified
    assert _verify_one(document, now=datetime(2025, 5, 31, tzinfo=UTC)).verified
    late = _verify_one(document, now=datetime(2025, 6, 2, tzinfo=UTC))
    assert not late.verified and "expired" in late.reason
    assert not _verify_one(document, now=datetime(2025, 6, 2)).verified  # naive means UTC


def test_resolver_failures_become_results() -> None:
    def refuse(vm_id: str) -> VerificationMethod:
        raise KeyMaterialError(f"{vm_id} is not on the allow-list")

    [result] = di.verify(_signed(), resolve=refuse)
    assert not result.verified
    assert "could not be resolved" in result.reason and "allow-list" in result.reason
    assert result.code == "key_error"


# --- presentations: challenge and domain -----------------------------------------------------------------------


def _presentation() -> dict[str, Any]:
    return {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": KEY.did,
        "verifiableCredential": [_signed()],
    }


@pytest.mark.parametrize("suite", SUITES)
def test_presentation_challenge_and_domain(suite: str) -> None:
    vp = di.sign(
        _presentation(),
        key=KEY,
        verification_method=KEY.verification_method,
        cryptosuite=suite,
        proof_purpose="authentication",
        challenge="n-0S6_WzA2Mj",
        domain="verifier.example",
    )
    ok = _verify_one(vp, expected_purpose="authentication", challenge="n-0S6_WzA2Mj", domain="verifier.example")
    assert ok.verified, ok.reason
    wrong_challenge = _verify_one(
        vp, expected_purpose="authentication", challenge="replayed", domain="verifier.example"
    )
    assert not wrong_challenge.verified and wrong_challenge.code == "INVALID_CHALLENGE_ERROR"
    wrong_domain = _verify_one(vp, expected_purpose="authentication", challenge="n-0S6_WzA2Mj", domain="evil.example")
    assert not wrong_domain.verified and wrong_domain.code == "INVALID_DOMAIN_ERROR"
    assert not _verify_one(vp).verified  # an authentication proof is not an assertion


def test_missing_challenge_is_refused_when_one_is_expected() -> None:
    vp = di.sign(_presentation(), key=KEY, verification_method=KEY.verification_method, proof_purpose="authentication")
    result = _verify_one(vp, expected_purpose="authentication", challenge="abc")
    assert not result.verified and "challenge" in result.reason


# --- proof sets and chains -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_signing_twice_makes_a_proof_set_verified_independently(suite: str) -> None:
    once = _signed(suite, created=CREATED)
    twice = di.sign(once, key=OTHER, verification_method=OTHER.verification_method, cryptosuite=suite)
    assert isinstance(twice["proof"], list) and twice["proof"][0] == once["proof"]
    assert [r.verified for r in di.verify(twice, resolve=resolve_did_key_vm)] == [True, True]
    twice["proof"][1]["proofPurpose"] = "authentication"
    results = di.verify(twice, resolve=resolve_did_key_vm)
    assert [r.verified for r in results] == [True, False]
    assert [r.verification_method for r in results] == [KEY.verification_method, OTHER.verification_method]


@pytest.mark.parametrize("suite", SUITES)
def test_proof_chain_round_trip(suite: str) -> None:
    first = _signed(suite, proof_id="urn:uuid:first")
    chained = di.sign(
        first,
        key=OTHER,
        verification_method=OTHER.verification_method,
        cryptosuite=suite,
        previous_proof="urn:uuid:first",
    )
    assert chained["proof"][1]["previousProof"] == "urn:uuid:first"
    assert [r.verified for r in di.verify(chained, resolve=resolve_did_key_vm)] == [True, True]
    # re-signing the first proof (same key, new created) keeps it valid but breaks the chain that covered it
    replaced = di.sign(
        {k: v for k, v in chained.items() if k != "proof"},
        key=KEY,
        verification_method=KEY.verification_method,
        cryptosuite=suite,
        proof_id="urn:uuid:first",
        created=CREATED,
    )
    replaced["proof"] = [replaced["proof"], chained["proof"][1]]
    assert [r.verified for r in di.verify(replaced, resolve=resolve_did_key_vm)] == [True, False]


def test_chaining_to_an_unknown_proof_or_reusing_a_proof_id_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="urn:uuid:nope"):
        di.sign(_signed(), key=KEY, verification_method=KEY.verification_method, previous_proof="urn:uuid:nope")
    first = _signed(proof_id="urn:uuid:first")
    with pytest.raises(InvalidInputError, match="already has a proof"):
        di.sign(first, key=OTHER, verification_method=OTHER.verification_method, proof_id="urn:uuid:first")


# --- eddsa-jcs-2022 specifics ----------------------------------------------------------------------------------


def test_jcs_document_context_must_start_with_the_proof_context() -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["@context"] = [VC_V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"]
    result = _verify_one(signed)
    assert not result.verified and "@context" in result.reason


def test_jcs_proof_without_context_verifies() -> None:
    """proof.@context is 'strongly advised', not required: a proof hashed without it is still valid."""
    credential = ob_credential(KEY)
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": KEY.verification_method,
        "proofPurpose": "assertionMethod",
    }
    hash_data = eddsa_jcs_2022.hashing(
        eddsa_jcs_2022.transformation(credential), eddsa_jcs_2022.proof_configuration(options)
    )
    signed = {**credential, "proof": {**options, "proofValue": eddsa_jcs_2022.proof_serialization(hash_data, KEY)}}
    assert _verify_one(signed).verified


@pytest.mark.parametrize("suite", SUITES)
def test_member_order_does_not_matter(suite: str) -> None:
    signed = _signed(suite)
    reordered = dict(reversed(list(signed.items())))
    reordered["proof"] = dict(reversed(list(signed["proof"].items())))
    assert _verify_one(reordered).verified


# --- undefined terms and unknown contexts ----------------------------------------------------------------------


@pytest.mark.parametrize("suite", [*SUITES, "Ed25519Signature2020"])
def test_signing_refuses_undefined_terms(suite: str) -> None:
    credential = ob_credential(KEY)
    if suite == "Ed25519Signature2020":
        credential["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    credential["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(UndefinedTermError):
        di.sign(credential, key=KEY, verification_method=KEY.verification_method, cryptosuite=suite)


@pytest.mark.parametrize("suite", SUITES)
def test_an_undefined_term_is_never_reported_as_signed(suite: str) -> None:
    signed = _signed(suite)
    signed["credentialSubject"]["grade"] = "A+"  # not defined by any context: RDFC would silently drop it
    result = _verify_one(signed)
    assert not result.verified
    assert result.code == "undefined_term"


@pytest.mark.parametrize("suite", SUITES)
def test_unknown_contexts_are_refused_not_fetched(suite: str) -> None:
    credential = ob_credential(KEY)
    credential["@context"].append("https://example.com/my-context.json")
    with pytest.raises(UnknownContextError):
        di.sign(credential, key=KEY, verification_method=KEY.verification_method, cryptosuite=suite)
    signed = _signed(suite)
    signed["@context"].append("https://example.com/my-context.json")
    result = _verify_one(signed)
    assert not result.verified and result.code == "unknown_context"


# --- properties ------------------------------------------------------------------------------------------------

NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, issuer=NAMES, suite=st.sampled_from(SUITES))
def test_sign_verify_round_trip_and_tamper_rejection(name: str, issuer: str, suite: str) -> None:
    credential = ob_credential(KEY, achievement_name=name, issuer_name=issuer)
    signed = di.sign(credential, key=KEY, verification_method=KEY.verification_method, cryptosuite=suite)
    assert _verify_one(signed).verified
    signed["credentialSubject"]["achievement"]["name"] = name + "!"
    assert not _verify_one(signed).verified


def _vcdm11_credential(*extra_contexts: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", *extra_contexts],
        "id": "urn:uuid:legacy",
        "type": ["VerifiableCredential"],
        "issuer": KEY.did,
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }


def test_proof_options_the_contexts_do_not_define_are_refused_not_left_unsigned() -> None:
    """Under a VCDM 1.1 context alone, DataIntegrityProof's terms are undefined: JSON-LD would drop
    proofPurpose, challenge, ... from the signed proof configuration. Signing refuses; verifying fails closed."""
    with pytest.raises(UndefinedTermError, match="would not be signed"):
        di.sign(_vcdm11_credential(), key=KEY, verification_method=KEY.verification_method)
    with pytest.raises(UndefinedTermError, match="would not be signed"):
        di.sign(
            ob_credential(KEY), key=KEY, verification_method=KEY.verification_method, cryptosuite="Ed25519Signature2020"
        )
    signed = di.sign(
        _vcdm11_credential("https://w3id.org/security/data-integrity/v2"),
        key=KEY,
        verification_method=KEY.verification_method,
        proof_purpose="authentication",
        challenge="c-1",
    )
    assert _verify_one(signed, expected_purpose="authentication", challenge="c-1").verified
    signed["@context"] = signed["@context"][:1]  # drop the context that defines the proof's terms
    result = _verify_one(signed, expected_purpose="authentication", challenge="c-1")
    assert not result.verified and result.code == "undefined_term"


def test_ed25519_signature_2020_round_trip_on_a_vcdm11_credential() -> None:
    credential = _vcdm11_credential("https://w3id.org/security/suites/ed25519-2020/v1")
    signed = di.sign(
        credential, key=KEY, verification_method=KEY.verification_method, cryptosuite="Ed25519Signature2020"
    )
    assert signed["proof"]["type"] == "Ed25519Signature2020" and "cryptosuite" not in signed["proof"]
    assert _verify_one(signed).verified
    signed["issuanceDate"] = "2021-01-01T00:00:00Z"
    assert not _verify_one(signed).verified


def test_a_proof_may_name_several_domains() -> None:
    vp = di.sign(_presentation(), key=KEY, verification_method=KEY.verification_method, proof_purpose="authentication")
    unsecured = {k: v for k, v in vp.items() if k != "proof"}
    options = {k: v for k, v in vp["proof"].items() if k != "proofValue"}
    options["domain"] = ["a.example", "b.example"]
    vp["proof"] = eddsa_rdfc_2022.create_proof(unsecured, options, KEY)
    assert _verify_one(vp, expected_purpose="authentication", domain="b.example").verified
    assert not _verify_one(vp, expected_purpose="authentication", domain="c.example").verified


def test_public_names_exist() -> None:
    for module in (di, keys, multibase, eddsa_rdfc_2022, eddsa_jcs_2022, ed25519_signature_2020, jose):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == [], (module.__name__, missing)


def test_third_party_presentation_with_challenge_and_domain() -> None:
    """A VP signed by another implementation (Blockcerts' fixture from the VCDM 2.0 test suite)."""
    vp = json.loads((VECTORS / "blockcerts-cert-verifier-js" / "vp-eddsa-rdfc-2022.json").read_text())
    expected = {"challenge": "uFLOeUzjbCkc0K-21LUKrig", "domain": "github.com/w3c/vc-data-model-2.0-test-suite"}
    result = _verify_one(vp, expected_purpose="authentication", **expected)
    assert result.verified, result.reason
    assert not _verify_one(vp, expected_purpose="authentication", challenge="another-nonce").verified
    assert not _verify_one(vp).verified  # not an assertionMethod proof
    vp["proof"]["challenge"] = "another-nonce"  # changing the signed challenge breaks the signature
    assert not _verify_one(vp, expected_purpose="authentication", challenge="another-nonce").verified
