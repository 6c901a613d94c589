"""Shape rules against the W3C VCDM 2.0 test suite inputs (every -ok accepted, every -fail rejected), plus the
Open Badges 3.0 rules (STANDARDS §1.2-1.3) and legacy VCDM 1.1 read as a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import VECTORS
from credstack.domain.shape import check_shape, parse_datetime
from verification_support import ob_credential

SUITE = VECTORS / "w3c-vc-data-model-2.0-test-suite" / "input"
OK = sorted(SUITE.rglob("*-ok.json"))
FAIL = sorted(SUITE.rglob("*-fail.json"))
FAIL_OR_INJECT = sorted(SUITE.rglob("*-fail-or-inject.json"))


def _load(path: Path) -> dict[str, Any]:
    # The suite's harness replaces these placeholders with real dates before sending a credential.
    text = path.read_text(encoding="utf-8")
    text = text.replace('"PAST DATE"', '"2020-01-01T00:00:00Z"').replace('"FUTURE DATE"', '"2999-01-01T00:00:00Z"')
    value: dict[str, Any] = json.loads(text)
    return value


def _failures(doc: Any, **kwargs: Any) -> list[str]:
    return [c.reason for c in check_shape(doc, **kwargs) if c.status == "fail"]


def test_the_suite_is_all_there() -> None:
    assert len(OK) >= 50 and len(FAIL) >= 40


@pytest.mark.parametrize("path", OK, ids=lambda p: p.name)
def test_ok_inputs_are_accepted(path: Path) -> None:
    checks = check_shape(_load(path))
    assert checks[0].status == "pass", [c.reason for c in checks]
    assert _failures(_load(path)) == []


@pytest.mark.parametrize("path", FAIL, ids=lambda p: p.name)
def test_fail_inputs_are_rejected(path: Path) -> None:
    assert _failures(_load(path)), f"{path.name} should be rejected"


@pytest.mark.parametrize("path", FAIL_OR_INJECT, ids=lambda p: p.name)
def test_fail_or_inject_inputs_are_rejected_since_we_never_inject(path: Path) -> None:
    assert _failures(_load(path))


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("credential-issuer-no-url-fail.json", "issuer must be a URL"),
        ("credential-redef-type-fail.json", "protected term 'VerifiableCredential'"),
        ("credential-type-unmapped-fail.json", "'ExampleTestCredential' is neither a URL nor a term"),
        ("credential-subject-no-claims-fail.json", "makes no claims"),
        ("credential-validfrom-invalid-fail.json", "not an XML Schema dateTimeStamp"),
        ("presentation-vc-as-string-fail.json", "a string is not a credential"),
    ],
)
def test_failures_name_the_rule_broken(name: str, needle: str) -> None:
    [path] = [p for p in FAIL if p.name == name]
    assert any(needle in reason for reason in _failures(_load(path))), _failures(_load(path))


def test_secured_documents_need_an_issuer() -> None:
    doc = _load(SUITE / "credential-ok.json")
    assert _failures(doc) == []
    assert any("issuer is missing" in r for r in _failures(doc, secured=True))
    assert any("no id" in r for r in _failures({**doc, "issuer": {}}, secured=True))


def test_an_ob_credential_passes_and_says_so() -> None:
    checks = check_shape(ob_credential(), secured=True)
    assert [c.status for c in checks] == ["pass"]
    assert "Open Badges 3.0" in checks[0].reason


def _without(doc: dict[str, Any], *path: str) -> dict[str, Any]:
    node = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return doc


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (
            lambda d: d["@context"].__setitem__(1, "https://purl.imsglobal.org/spec/ob/v3p0/context.jsonld"),
            "@context[1]",
        ),
        (lambda d: _without(d, "id"), "id is required"),
        (lambda d: _without(d, "validFrom"), "validFrom is required"),
        (lambda d: d["issuer"].__setitem__("type", ["Organization"]), "issuer.type must include 'Profile'"),
        (lambda d: d["credentialSubject"].__setitem__("type", ["Person"]), "'AchievementSubject'"),
        (lambda d: _without(d, "credentialSubject", "id"), "id or at least one identifier"),
        (lambda d: _without(d, "credentialSubject", "achievement", "criteria"), "criteria is required"),
        (lambda d: _without(d, "credentialSubject", "achievement", "name"), "achievement.name is required"),
        (lambda d: _without(d, "credentialSubject", "achievement", "description"), "description is required"),
        (lambda d: d["credentialSubject"]["achievement"].__setitem__("type", ["Badge"]), "include 'Achievement'"),
        (lambda d: d["credentialSubject"].__setitem__("identifier", [{"type": "IdentityObject"}]), "hashed must be"),
        (
            lambda d: d["credentialSubject"].__setitem__(
                "identifier",
                [{"type": "IdentityObject", "hashed": True, "identityHash": "abc", "identityType": "emailAddress"}],
            ),
            "sha256$",
        ),
    ],
)
def test_open_badges_rules(mutate: Any, needle: str) -> None:
    doc = ob_credential()
    mutate(doc)
    reasons = _failures(doc, secured=True)
    assert any(needle in r for r in reasons), reasons


def test_an_identifier_can_stand_in_for_the_subject_id() -> None:
    doc = ob_credential()
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
            "identityType": "emailAddress",
            "salt": "Kosher",
        }
    ]
    assert _failures(doc, secured=True) == []


def test_legacy_vcdm_1_1_is_a_warning_not_a_failure() -> None:
    doc = ob_credential()
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    doc["issuanceDate"] = doc.pop("validFrom")
    checks = check_shape(doc, secured=True)
    assert [c.status for c in checks] == ["pass", "warning"], checks
    assert "VCDM 1.1" in checks[0].reason and "legacy" in checks[1].reason
    del doc["issuanceDate"]
    assert any("issuanceDate is required" in r for r in _failures(doc, secured=True))


def test_non_objects_fail_without_raising() -> None:
    assert _failures([1, 2]) == ["expected a JSON object, got list"]
    assert _failures("text")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-02-29T23:59:59Z", True),
        ("2023-02-26T01:02:58.447Z", True),
        ("2023-02-25T19:10:39-06:00", True),
        ("4023-02-26T01:02:58Z", True),
        ("12023-02-26T01:02:58Z", True),
        ("2023-02-30T00:00:00Z", False),
        ("2023-02-26T01:02:58", False),
        ("2023-02-26", False),
        ("Sat 25 Feb 2023 07:16:31 PM CST", False),
        ("2023-02-26T25:00:00Z", False),
    ],
)
def test_date_time_stamps(text: str, ok: bool) -> None:
    assert (parse_datetime(text) is not None) is ok
