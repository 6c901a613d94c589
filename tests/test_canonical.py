"""RDFC-1.0 canonicalisation: published canonical forms byte for byte, equality with pyld, and fail-closed errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from credstack.contexts import pyld_document_loader
from credstack.errors import CanonicalizationError, CredstackError, UndefinedTermError, UnknownContextError
from credstack.proofs._jsonld_to_rdf import to_quads
from credstack.proofs.canonical import (
    FastPathUnsupported,
    fast_canonical_nquads,
    reference_canonical_nquads,
    to_canonical_nquads,
)

VECTORS = Path(__file__).resolve().parent / "fixtures" / "vectors"
EDDSA = VECTORS / "w3c-vc-di-eddsa"
GUIDE = VECTORS / "1edtech-ob-impl-guide"
PATHS = [to_canonical_nquads, fast_canonical_nquads, reference_canonical_nquads]
PATH_IDS = ["public", "fast", "pyld"]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def pyld_urdna2015(document: Any) -> str:
    """pyld's own URDNA2015 N-Quads (pinned contexts), the reference the fast path must equal."""
    result: str = jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": pyld_document_loader},
    )
    return result


def without_proof(path: Path) -> dict[str, Any]:
    document = load(path)
    document.pop("proof")
    return document


def proof_config(options: Path, document: Path) -> dict[str, Any]:
    config = load(options)
    config.setdefault("@context", load(document)["@context"])
    return config


CANONICAL_VECTORS = {
    "vc-di-eddsa document": (lambda: load(EDDSA / "unsigned.json"), EDDSA / "eddsa-rdfc-2022/canonDocDataInt.txt"),
    "vc-di-eddsa proof config": (
        lambda: load(EDDSA / "eddsa-rdfc-2022/proofConfigDataInt.json"),
        EDDSA / "eddsa-rdfc-2022/proofCanonDataInt.txt",
    ),
    "ob v3p0 document": (
        lambda: load(GUIDE / "obv3p0/credential-unsigned.json"),
        GUIDE / "obv3p0/document-canon.txt",
    ),
    "ob v3p0 proof config": (
        lambda: proof_config(GUIDE / "obv3p0/proof-options.json", GUIDE / "obv3p0/credential-unsigned.json"),
        GUIDE / "obv3p0/proof-canon.txt",
    ),
    "clr v2p0 document": (
        lambda: load(GUIDE / "clrv2p0/credential-unsigned.json"),
        GUIDE / "clrv2p0/document-canon.txt",
    ),
    "clr v2p0 proof config": (
        lambda: proof_config(GUIDE / "clrv2p0/proof-options.json", GUIDE / "clrv2p0/credential-unsigned.json"),
        GUIDE / "clrv2p0/proof-canon.txt",
    ),
    "Ed25519Signature2020 document": (
        lambda: without_proof(EDDSA / "Ed25519Signature2020/signedEdSig.json"),
        EDDSA / "Ed25519Signature2020/canonDocEdSig.txt",
    ),
    "Ed25519Signature2020 proof config": (
        lambda: load(EDDSA / "Ed25519Signature2020/proofConfigEdSig.json"),
        EDDSA / "Ed25519Signature2020/proofCanonEdSig.txt",
    ),
}


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
@pytest.mark.parametrize("name", sorted(CANONICAL_VECTORS))
def test_published_canonical_forms_are_reproduced_byte_for_byte(name: str, canonicalise: Any) -> None:
    build, expected = CANONICAL_VECTORS[name]
    assert canonicalise(build()) == expected.read_text(encoding="utf-8")


def test_guide_credential_takes_the_fast_path_and_the_input_is_left_untouched() -> None:
    document = load(GUIDE / "obv3p0/credential-signed.json")
    before = copy.deepcopy(document)
    nquads = fast_canonical_nquads(document)
    assert document == before
    assert nquads.endswith(" .\n")
    assert nquads.count("\n") == len(set(nquads.splitlines()))
    # The embedded proof is a named graph: its quads carry the graph name, the document's do not.
    assert "<https://w3id.org/security#proof> _:c14n" in nquads
    assert '"z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"' in nquads


# ---- every published JSON file: the fast path equals pyld, or both refuse -------------------------------------

VECTOR_FILES = sorted(p for p in VECTORS.rglob("*.json") if isinstance(load(p), (dict, list)))
# pyld 3.3 crashes (KeyError '@vocab') on `"@vocab": null` when no @vocab is set; the fast path handles it.
PYLD_BUGS = {"credential-type-unmapped-fail.json"}


def outcome(function: Any, document: Any) -> tuple[str, Any]:
    try:
        return "ok", function(document)
    except CredstackError as exc:
        return "error", exc


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[str(p.relative_to(VECTORS)) for p in VECTOR_FILES])
def test_every_vector_file_canonicalises_like_pyld_or_is_refused_by_both_paths(path: Path) -> None:
    document = load(path)
    fast = outcome(fast_canonical_nquads, document)  # FastPathUnsupported would escape: no vector needs pyld
    reference = outcome(reference_canonical_nquads, document)
    if fast[0] == "ok":
        assert reference == fast
        assert fast[1] == pyld_urdna2015(document)
    else:
        assert reference[0] == "error", f"the pyld path accepted what the fast path refused: {fast[1]}"
        if path.name not in PYLD_BUGS:
            assert type(reference[1]) is type(fast[1]), (fast[1], reference[1])


def test_most_vector_files_canonicalise() -> None:
    accepted = sum(1 for path in VECTOR_FILES if outcome(fast_canonical_nquads, load(path))[0] == "ok")
    assert accepted >= 100, accepted


# ---- fail closed ------------------------------------------------------------------------------------------------


def guide_credential() -> dict[str, Any]:
    return load(GUIDE / "obv3p0/credential-unsigned.json")


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_undefined_property_is_refused_with_its_path(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["achievement"]["favouriteColour"] = "blue"
    with pytest.raises(UndefinedTermError) as caught:
        canonicalise(document)
    assert caught.value.where == "credentialSubject.achievement.favouriteColour"
    assert "'favouriteColour'" in str(caught.value)
    assert caught.value.code == "undefined_term"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_undefined_property_inside_an_array_is_refused_with_its_index(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "A", "targetUrl": "https://example.org/a"},
        {"type": ["Alignment"], "targetName": "B", "targetUrl": "https://example.org/b", "weight": 3},
    ]
    with pytest.raises(UndefinedTermError) as caught:
        canonicalise(document)
    assert caught.value.where == "credentialSubject.achievement.alignment[1].weight"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_property_defined_only_in_another_types_scope_is_refused(canonicalise: Any) -> None:
    # `achievement` is defined in the AchievementSubject scope, not at the credential level.
    document = guide_credential()
    document["achievement"] = {"id": "https://example.org/a"}
    with pytest.raises(UndefinedTermError) as caught:
        canonicalise(document)
    assert caught.value.where == "achievement"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_undefined_type_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["type"] = ["AchievementSubject", "GoldStarSubject"]
    with pytest.raises(UndefinedTermError) as caught:
        canonicalise(document)
    assert "'GoldStarSubject'" in str(caught.value)
    assert caught.value.where == "credentialSubject.type"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_unpinned_context_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["@context"].append("https://attacker.example/context.jsonld")
    with pytest.raises(UnknownContextError, match=r"attacker\.example"):
        canonicalise(document)


def test_the_employment_vector_needs_a_context_credstack_does_not_pin() -> None:
    with pytest.raises(UnknownContextError, match="citizenship"):
        to_canonical_nquads(load(EDDSA / "employmentAuth.json"))


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_inline_context_may_define_extra_terms(canonicalise: Any) -> None:
    document = guide_credential()
    document["@context"].append({"favouriteColour": "https://example.org/vocab#favouriteColour"})
    document["credentialSubject"]["favouriteColour"] = "blue"
    nquads = canonicalise(document)
    assert '<https://example.org/vocab#favouriteColour> "blue" .' in nquads
    assert nquads == pyld_urdna2015(document)


def test_an_inline_context_changed_after_use_is_not_served_from_the_cache() -> None:
    document = guide_credential()
    inline = {"favouriteColour": "https://example.org/vocab#favouriteColour"}
    document["@context"].append(inline)
    document["credentialSubject"]["favouriteColour"] = "blue"
    first = to_canonical_nquads(document)
    inline["favouriteColour"] = "https://example.org/other#colour"
    second = to_canonical_nquads(document)
    assert "vocab#favouriteColour" in first
    assert "other#colour" in second
    assert second == pyld_urdna2015(document)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_relative_id_is_refused_rather_than_resolved_or_dropped(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["achievement"]["id"] = "achievements/teamwork"
    with pytest.raises(CanonicalizationError, match="not an absolute IRI") as caught:
        canonicalise(document)
    assert "credentialSubject.achievement" in str(caught.value.where)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_undefined_term_as_a_vocab_value_is_refused(canonicalise: Any) -> None:
    config = proof_config(GUIDE / "obv3p0/proof-options.json", GUIDE / "obv3p0/credential-unsigned.json")
    config["proofPurpose"] = "assertionMethd"
    with pytest.raises(CanonicalizationError, match="assertionMethd") as caught:
        canonicalise(config)
    assert caught.value.where == "proofPurpose"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_iri_with_a_space_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["issuer"]["id"] = "https://example.edu/issuers/5 65"
    with pytest.raises(CanonicalizationError):
        canonicalise(document)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_malformed_language_tag_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["name"] = {"@value": "Teamwork", "@language": "en gb"}
    with pytest.raises(CanonicalizationError, match="language tag"):
        canonicalise(document)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_non_finite_number_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["creditsEarned"] = float("nan")
    with pytest.raises(CanonicalizationError, match="finite"):
        canonicalise(document)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_free_floating_value_is_refused(canonicalise: Any) -> None:
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "@graph": ["just a string"]}
    with pytest.raises(CanonicalizationError, match="dropped"):
        canonicalise(document)


def test_a_document_nested_too_deeply_is_refused() -> None:
    document = guide_credential()
    deep: Any = "bottom"
    for _ in range(150):
        deep = [deep]
    document["credentialSubject"]["achievement"]["criteria"] = {"narrative": deep}
    with pytest.raises(CanonicalizationError, match="nested"):
        to_canonical_nquads(document)


def test_a_document_must_be_an_object() -> None:
    with pytest.raises(CanonicalizationError):
        to_canonical_nquads("https://example.org/credential")  # type: ignore[arg-type]


# ---- JSON-LD features the fast path leaves to pyld ----------------------------------------------------------

FALLBACK_DOCUMENTS = {
    "@reverse": {
        "@context": {"@vocab": "https://example.org/v#", "parentOf": {"@reverse": "https://example.org/v#childOf"}},
        "@id": "https://example.org/alice",
        "parentOf": {"@id": "https://example.org/bob", "name": "Bob"},
    },
    "@nest": {
        "@context": {"@vocab": "https://example.org/v#", "details": "@nest"},
        "@id": "https://example.org/alice",
        "details": {"name": "Alice"},
    },
    "@included": {
        "@context": {"@vocab": "https://example.org/v#"},
        "@id": "https://example.org/alice",
        "@included": [{"@id": "https://example.org/bob", "name": "Bob"}],
    },
    "language map": {
        "@context": {"label": {"@id": "https://example.org/v#label", "@container": "@language"}},
        "@id": "https://example.org/alice",
        "label": {"en": "Alice", "fr": "Alice (fr)"},
    },
}


@pytest.mark.parametrize("name", sorted(FALLBACK_DOCUMENTS))
def test_features_outside_the_fast_path_fall_back_to_pyld(name: str) -> None:
    document = FALLBACK_DOCUMENTS[name]
    with pytest.raises(FastPathUnsupported):
        fast_canonical_nquads(document)
    nquads = to_canonical_nquads(document)
    assert nquads
    assert nquads == pyld_urdna2015(document)


def test_an_undefined_term_behind_a_fallback_feature_is_still_refused() -> None:
    document = copy.deepcopy(FALLBACK_DOCUMENTS["language map"])
    document["@context"] = {"label": document["@context"]["label"]}
    document["nickname"] = "Al"
    with pytest.raises(UndefinedTermError) as caught:
        to_canonical_nquads(document)
    assert caught.value.where == "nickname"


# ---- literal escaping --------------------------------------------------------------------------------------------


def test_control_characters_are_escaped_as_rdfc_1_0_requires() -> None:
    document = guide_credential()
    document["name"] = 'tab\tnl\ncr\rquote"back\\slash bell\x07 bs\x08 ff\x0c del\x7f é'
    line = next(line for line in to_canonical_nquads(document).splitlines() if 'schema.org/name> "tab' in line)
    assert line.endswith('"tab\\tnl\\ncr\\rquote\\"back\\\\slash bell\\u0007 bs\\b ff\\f del\\u007F é" .')
    assert fast_canonical_nquads(document) == reference_canonical_nquads(document)


@pytest.mark.parametrize("text", ["plain", 'tab\tand\nnewline\rand "quotes" and \\ and ünïcödé 😀'])
def test_common_text_is_escaped_exactly_as_pyld_does(text: str) -> None:
    document = guide_credential()
    document["name"] = text
    assert to_canonical_nquads(document) == pyld_urdna2015(document)


# ---- JSON literals (@json, canonicalised with JCS) ----------------------------------------------------------------


def json_schema_credential(schema: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://example.org/schemas/1",
        "type": ["VerifiableCredential", "JsonSchemaCredential"],
        "issuer": "https://example.org/issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.org/schemas/1#schema", "type": "JsonSchema", "jsonSchema": schema},
    }


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["name"]},
        {"b": [1, 2.5, 1e21, 1e-7, True, None, "é\u2028"], "a": {"z": -0.0, "y": 0.1}, "€": "x"},
        [1, "two", {"three": 3}],
        "just a string",
        None,
    ],
    ids=["schema", "numbers and unicode", "array", "string", "null"],
)
def test_json_literals_are_canonicalised_like_pyld(schema: Any) -> None:
    document = json_schema_credential(schema)
    nquads = fast_canonical_nquads(document)
    assert "<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>" in nquads
    assert nquads == pyld_urdna2015(document)


def test_a_json_literal_outside_i_json_is_refused() -> None:
    with pytest.raises(CanonicalizationError, match="8785"):
        to_canonical_nquads(json_schema_credential({"big": 2**60}))


def test_keys_that_are_not_strings_are_refused() -> None:
    document = guide_credential()
    document["credentialSubject"][7] = "seven"  # type: ignore[index]
    with pytest.raises(CanonicalizationError):
        to_canonical_nquads(document)


# ---- lists, presentations, duplicates -------------------------------------------------------------------------


def test_ordered_lists_keep_their_order_and_match_pyld() -> None:
    document = guide_credential()
    document["credentialSubject"]["achievement"]["resultDescription"] = [
        {
            "id": "https://example.org/rd/1",
            "type": ["ResultDescription"],
            "name": "Grade",
            "resultType": "LetterGrade",
            "allowedValue": ["A", "B", "C", "A"],
        }
    ]
    reordered = copy.deepcopy(document)
    reordered["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"] = ["B", "A", "C", "A"]
    nquads = to_canonical_nquads(document)
    assert nquads == pyld_urdna2015(document)
    assert nquads.count("<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>") == 4
    assert to_canonical_nquads(reordered) != nquads


def test_a_presentation_with_an_embedded_signed_credential_matches_pyld() -> None:
    credential = load(GUIDE / "obv3p0/credential-signed.json")
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [credential, copy.deepcopy(credential)],
    }
    nquads = fast_canonical_nquads(presentation)
    assert nquads == pyld_urdna2015(presentation)
    # each embedded credential is its own named graph, and each of their proofs another one
    graphs = {quad[3] for quad in to_quads(presentation)}
    assert len(graphs - {""}) == 4


def test_the_same_value_twice_is_one_quad_like_pyld() -> None:
    document = guide_credential()
    document["credentialSubject"]["achievement"]["tag"] = ["x", "x", "y"]
    nquads = to_canonical_nquads(document)
    assert nquads == pyld_urdna2015(document)
    assert nquads.count('<https://schema.org/keywords> "x"') == 1


def test_caches_do_not_keep_what_a_large_document_sends() -> None:
    from credstack.proofs._jsonld_context import _CACHE_LIMIT, INITIAL, process_context

    context = {"@vocab": "https://example.org/cache-test#"}
    long_key = "k" * 5000
    wide = {f"p{i}": i for i in range(400)}
    for i in range(_CACHE_LIMIT + 50):
        to_canonical_nquads({"@context": context, "@id": f"https://example.org/{i}", f"q{i}": 1, long_key: 2})
    to_canonical_nquads({"@context": context, "@id": "https://example.org/wide", **wide})
    active = process_context(INITIAL, context)
    for cache in (active.plans, active._key_cache, active._vocab_cache):
        assert len(cache) <= _CACHE_LIMIT
        assert all(len(str(key)) < 3000 for key in cache)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_a_base_direction_is_refused_because_it_would_not_be_signed(canonicalise: Any) -> None:
    # RDF canonicalisation (rdfDirection unset) drops @direction; jsonld.js in safe mode refuses it as well.
    document = guide_credential()
    document["name"] = {"@value": "شارة العمل الجماعي", "@language": "ar", "@direction": "rtl"}
    with pytest.raises(CanonicalizationError, match="direction") as caught:
        canonicalise(document)
    assert caught.value.where == "name.@direction" or caught.value.where == "name"
    without = copy.deepcopy(document)
    del without["name"]["@direction"]
    assert '"شارة العمل الجماعي"@ar' in canonicalise(without)


def test_a_base_direction_from_a_term_definition_is_refused() -> None:
    document = guide_credential()
    document["@context"].append({"motto": {"@id": "https://example.org/v#motto", "@direction": "rtl"}})
    document["credentialSubject"]["motto"] = "شعار"
    with pytest.raises(CanonicalizationError, match="direction") as caught:
        to_canonical_nquads(document)
    assert caught.value.where == "credentialSubject.motto"


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
def test_an_integer_javascript_cannot_represent_is_refused(canonicalise: Any) -> None:
    document = guide_credential()
    document["credentialSubject"]["result"] = [{"type": ["Result"], "value": 123456789012345678901}]
    with pytest.raises(CanonicalizationError, match="2\\^53"):
        canonicalise(document)
    document["credentialSubject"]["result"][0]["value"] = 2**53
    assert '"9007199254740992"^^<http://www.w3.org/2001/XMLSchema#integer>' in canonicalise(document)


@pytest.mark.parametrize("canonicalise", PATHS, ids=PATH_IDS)
@pytest.mark.parametrize("value", [1e-7, -3e-9, 2e-300])
def test_a_float_javascript_would_read_as_zero_is_refused(canonicalise: Any, value: float) -> None:
    document = guide_credential()
    document["credentialSubject"]["creditsEarned"] = value
    with pytest.raises(CanonicalizationError, match="JavaScript"):
        canonicalise(document)
    document["credentialSubject"]["creditsEarned"] = value * 1.1
    assert "E-" in canonicalise(document)
