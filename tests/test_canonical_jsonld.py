"""Differential test of the fast JSON-LD walker against pyld on generated JSON-LD 1.1 documents.

Beyond the OB shapes, the documents carry their own inline contexts with the features the fast path
implements: @vocab, default @language, protected terms, type-scoped contexts (which do not propagate),
property-scoped contexts, @propagate, keyword aliases, compact IRIs and prefixes, @type coercion (@id,
@vocab, datatypes, @json), @list/@set/@graph containers, value objects, list and set objects, nested
@context (also null and non-propagating), @graph and blank node identifiers. Whatever the fast path
accepts must equal pyld's URDNA2015 output; whatever it refuses, the guarded pyld path must refuse too.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credstack.contexts import pyld_document_loader
from credstack.errors import CredstackError
from credstack.proofs._jsonld_to_rdf import to_quads
from credstack.proofs.canonical import FastPathUnsupported, fast_canonical_nquads, reference_canonical_nquads
from test_canonical_properties import repeats_a_blank_node

V = "https://ex.org/v#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = ["a", "b", "c", "d", "e"]
TYPES = ["T1", "T2", "T3"]

# pyld 3.3 leaves control characters other than \t \n \r unescaped (RDFC-1.0 escapes them); see test_canonical.
TEXT = st.text(
    st.characters(
        exclude_categories=("Cs",), exclude_characters=[chr(c) for c in range(0x20) if c not in (9, 10, 13)] + ["\x7f"]
    ),
    max_size=5,
)
IRI_VALUE = st.sampled_from(["https://ex.org/x", "https://ex.org/y", "ex:z", "_:b1", "_:b2", "urn:q"])
TERM_DEFINITION = st.one_of(
    st.sampled_from([V + "a", V + "b", "ex:c", "https://ex.org/other#d"]),
    st.fixed_dictionaries(
        {"@id": st.sampled_from([V + "p", V + "q", "ex:r"])},
        optional={
            "@type": st.sampled_from(["@id", "@vocab", XSD + "integer", XSD + "dateTime", "@json", "@none"]),
            "@container": st.sampled_from(["@list", "@set", "@graph", ["@graph", "@set"]]),
            "@language": st.sampled_from(["en", None]),
            "@protected": st.booleans(),
        },
    ),
)
SCOPED = st.dictionaries(st.sampled_from(TERMS), TERM_DEFINITION, max_size=2)


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    context: dict[str, Any] = {"ex": "https://ex.org/p/", "id": "@id", "type": "@type"}
    if draw(st.booleans()):
        context["@vocab"] = V
    if draw(st.booleans()):
        context["@language"] = draw(st.sampled_from(["en", "de-AT"]))
    if draw(st.booleans()):
        context["@protected"] = True
    for term in TERMS:
        if draw(st.integers(0, 3)):
            context[term] = draw(TERM_DEFINITION)
    for type_ in TYPES:
        if draw(st.booleans()):
            definition: dict[str, Any] = {"@id": V + type_}
            if draw(st.booleans()):
                scoped = draw(SCOPED)
                if draw(st.booleans()):
                    scoped["@propagate"] = draw(st.booleans())
                definition["@context"] = scoped
            context[type_] = definition
    if draw(st.booleans()):
        context["f"] = {"@id": V + "f", "@context": draw(st.one_of(SCOPED, st.none()))}
    if draw(st.booleans()):
        context["@version"] = 1.1
    return context


SCALAR = st.one_of(
    TEXT,
    st.integers(-3, 3),
    st.sampled_from([2.5, 1e21, True, False, "https://ex.org/x", "ex:z", "T1", "a"]),
    IRI_VALUE,
)
VALUE_OBJECT = st.one_of(
    st.fixed_dictionaries({"@value": st.one_of(TEXT, st.integers(0, 9))}),
    st.fixed_dictionaries({"@value": TEXT, "@language": st.sampled_from(["en", "FR"])}),
    st.fixed_dictionaries({"@value": TEXT, "@type": st.sampled_from([XSD + "date", "ex:dt"])}),
)


def node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(
        children, st.lists(children, max_size=3), st.fixed_dictionaries({"@list": st.lists(children, max_size=3)})
    )
    return st.dictionaries(st.sampled_from([*TERMS, "f", "ex:k", "g"]), value, max_size=4).flatmap(
        lambda properties: st.fixed_dictionaries(
            {},
            optional={
                "id": IRI_VALUE,
                "type": st.one_of(st.sampled_from(TYPES), st.lists(st.sampled_from(TYPES), max_size=2)),
                "@context": st.one_of(SCOPED, st.none(), st.just({"@propagate": False, "c": V + "local"})),
                "@graph": st.lists(children, max_size=2),
            },
        ).map(lambda extra: {**extra, **properties})
    )


VALUES = st.recursive(st.one_of(SCALAR, VALUE_OBJECT), node, max_leaves=8)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    document = draw(node(VALUES))
    document["@context"] = draw(contexts())
    if draw(st.integers(0, 4)) == 0:
        document["@context"] = ["https://www.w3.org/ns/credentials/v2", document["@context"]]
    return document


def pyld_urdna2015(document: Any) -> str:
    result: str = jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": pyld_document_loader},
    )
    return result


def outcome(function: Any, document: Any) -> tuple[str, Any]:
    try:
        return "ok", function(document)
    except FastPathUnsupported:
        return "unsupported", None
    except CredstackError as exc:
        return "error", exc


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(documents())
def test_generated_json_ld_canonicalises_like_pyld_or_is_refused_by_both(document: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # pyld warns about reserved "@" forms
        fast = outcome(fast_canonical_nquads, document)
        if fast[0] == "unsupported":
            return
        reference = outcome(reference_canonical_nquads, document)
        if fast[0] == "ok":
            assert reference[0] == "ok", reference[1]
            assert reference[1] == fast[1]
            if not repeats_a_blank_node(to_quads(document)):
                assert fast[1] == pyld_urdna2015(document)
        else:
            # With several faults in one document the two paths may report different ones first.
            assert reference[0] == "error", f"pyld accepted what the fast path refused: {fast[1]}"


SAMPLES = {
    "vocab": ({"@context": {"@vocab": V}, "a": "x", "b": {"c": [1, 2.5, True]}}, "ok"),
    "type-scoped": (
        {
            "@context": {"@vocab": V, "T1": {"@id": V + "T1", "@context": {"a": {"@id": V + "p", "@type": "@id"}}}},
            "type": "T1",
            "a": "https://ex.org/x",
            "b": {"a": "plain, the type-scoped context does not propagate"},
        },
        "ok",
    ),
    "undefined": ({"@context": {"a": V + "a"}, "a": "x", "zzz": 1}, "error"),
    "lists of lists": (
        {"@context": {"a": {"@id": V + "a", "@container": "@list"}}, "a": [1, [2, 3], {"@list": []}]},
        "ok",
    ),
    "protected": (
        {"@context": [{"@protected": True, "a": V + "a"}, {"a": V + "other"}], "a": "x"},
        "error",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_hand_written_documents(name: str) -> None:
    document, expected = SAMPLES[name]
    fast = outcome(fast_canonical_nquads, document)
    assert fast[0] == expected, fast[1]
    if expected == "ok":
        assert fast[1] == pyld_urdna2015(document)
    else:
        assert outcome(reference_canonical_nquads, document)[0] == "error"
