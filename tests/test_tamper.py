"""Property-based tampering: an OB credential signed by credstack (did:key, eddsa-rdfc-2022 and eddsa-jcs-2022)
must fail verification after any change to its signed meaning, and must still verify after changes that keep the
meaning (member order, JSON whitespace outside strings, order inside unordered sets)."""

from __future__ import annotations

import copy
import json
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.domain.verification import verify_bytes, verify_document
from verification_support import ob_credential, options, sign

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
PROFILE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DEFINED_TERMS = ["description", "name"]


def _credential() -> dict[str, Any]:
    doc = ob_credential(name="Café Zoë: Łukasz's welding badge")
    achievement = doc["credentialSubject"]["achievement"]
    achievement["description"] = "Soudure à l'arc, niveau intermédiaire — crème brûlée optional."
    achievement["resultDescription"] = [
        {
            "id": "urn:uuid:6a5a3c5e-6c1d-4d39-9e1e-0a6e7d1c2b3a",
            "type": ["ResultDescription"],
            "name": "Grade",
            "resultType": "LetterGrade",
            "allowedValue": ["A", "B", "C", "D"],
        }
    ]
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:uuid:6a5a3c5e-6c1d-4d39-9e1e-0a6e7d1c2b3a", "value": "B"}
    ]
    return doc


SIGNED = {suite: sign(_credential(), cryptosuite=suite) for suite in SUITES}


def _verified(doc: dict[str, Any]) -> bool:
    return verify_document(doc, options()).verified


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every node below the root, except the proof and the @context."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        if path == () and key in ("proof", "@context"):
            continue
        found.append(((*path, key), value))
        found.extend(_paths(value, (*path, key)))
    return found


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


def _string_leaves(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [p for p, v in _paths(doc) if isinstance(v, str)]


@pytest.mark.parametrize("suite", SUITES)
def test_the_untouched_credential_verifies(suite: str) -> None:
    assert _verified(SIGNED[suite])


@pytest.mark.parametrize("suite", SUITES)
@PROFILE
@given(data=st.data())
def test_changing_any_value_fails(suite: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    path = data.draw(st.sampled_from(_string_leaves(doc)))
    old = _get(doc, path)
    new = data.draw(
        st.one_of(st.text(min_size=1, max_size=20), st.integers(), st.booleans(), st.none()).filter(lambda v: v != old)
    )
    _set(doc, path, new)
    assert not _verified(doc), f"changing {path} from {old!r} to {new!r} still verified"


@pytest.mark.parametrize("suite", SUITES)
@PROFILE
@given(data=st.data())
def test_removing_any_member_fails(suite: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    members = [p for p, _ in _paths(doc) if isinstance(_get(doc, p[:-1]), dict)]
    path = data.draw(st.sampled_from(members))
    del _get(doc, path[:-1])[path[-1]]
    assert not _verified(doc), f"removing {path} still verified"


@pytest.mark.parametrize("suite", SUITES)
@PROFILE
@given(data=st.data())
def test_adding_a_member_fails_defined_or_not(suite: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    objects = [()] + [p for p, v in _paths(doc) if isinstance(v, dict)]
    path = data.draw(st.sampled_from(objects))
    node = _get(doc, path)
    name = data.draw(st.one_of(st.sampled_from(DEFINED_TERMS), st.from_regex(r"[a-z][a-zA-Z]{2,12}", fullmatch=True)))
    value = data.draw(st.text(min_size=1, max_size=20).filter(lambda v: v != node.get(name)))
    node[name] = value
    assert not _verified(doc), f"adding {name}={value!r} at {path} still verified"


@pytest.mark.parametrize("suite", SUITES)
@PROFILE
@given(data=st.data())
def test_whitespace_inside_strings_fails(suite: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    path = data.draw(st.sampled_from(_string_leaves(doc)))
    old = _get(doc, path)
    at = data.draw(st.integers(0, len(old)))
    space = data.draw(st.sampled_from([" ", "\t", "\n", "\u00a0", "  "]))
    _set(doc, path, old[:at] + space + old[at:])
    assert not _verified(doc)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("form", ["NFD", "NFKD"])
def test_unicode_normalisation_of_strings_fails(suite: str, form: str) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    changed = 0
    for path in _string_leaves(doc):
        value = _get(doc, path)
        normalised = unicodedata.normalize(form, value)
        if normalised != value:
            single = copy.deepcopy(SIGNED[suite])
            _set(single, path, normalised)
            assert not _verified(single), f"{form} of {path} still verified"
            changed += 1
    assert changed >= 2, "the sample credential must carry composed characters"


@pytest.mark.parametrize("suite", SUITES)
def test_reordering_an_ordered_list_fails(suite: str) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    values = doc["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"]
    values[0], values[1] = values[1], values[0]  # allowedValue is an @list: order is meaning
    assert not _verified(doc)


@pytest.mark.parametrize("suite", SUITES)
def test_reordering_contexts_fails(suite: str) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    doc["@context"].reverse()
    assert not _verified(doc)


def _shuffle(node: Any, draw: Any) -> Any:
    if isinstance(node, dict):
        keys = draw(st.permutations(list(node)))
        return {k: _shuffle(node[k], draw) for k in keys}
    if isinstance(node, list):
        return [_shuffle(v, draw) for v in node]
    return node


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022"])
@PROFILE
@given(data=st.data())
def test_member_order_and_json_whitespace_do_not_matter(suite: str, data: st.DataObject) -> None:
    shuffled = _shuffle(SIGNED[suite], data.draw)
    indent = data.draw(st.sampled_from([None, 0, 2, "\t"]))
    separators = data.draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :  ")]))
    text = json.dumps(shuffled, indent=indent, separators=separators, ensure_ascii=data.draw(st.booleans()))
    report = verify_bytes(("\n  " + text + "\r\n").encode(), options())
    assert report.verified, report.failures


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022"])
@PROFILE
@given(data=st.data())
def test_order_inside_unordered_sets_does_not_matter(suite: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SIGNED[suite])
    doc["type"] = data.draw(st.permutations(doc["type"]))
    achievement = doc["credentialSubject"]["achievement"]
    achievement["tag"] = data.draw(st.permutations(achievement["tag"]))
    assert _verified(doc)
