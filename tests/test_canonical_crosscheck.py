"""The canonical forms behind credstack's eddsa-rdfc-2022 proofs agree with the JavaScript reference stack
(jsonld.js + rdf-canonize, run through ../shared/tools/crosscheck) on the shapes where canonicalisers differ:
blank nodes that only N-degree hashing tells apart, a blank node that refers to itself (where pyld 3.3
departs from RDFC-1.0), ordered lists, language-tagged values, floats and control characters; and
numbers jsonld.js reads differently, which credstack refuses."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from conftest import crosscheck_path
from credstack.contexts import pyld_document_loader
from credstack.errors import CanonicalizationError
from credstack.proofs import data_integrity as di
from credstack.proofs.canonical import to_canonical_nquads
from credstack.proofs.keys import Ed25519Key
from proof_samples import ob_credential

pytestmark = pytest.mark.crosscheck

KEY = Ed25519Key.from_seed(bytes.fromhex("c3" * 32))


def self_reference() -> dict[str, Any]:
    credential = ob_credential(KEY, number=11)
    achievement = credential["credentialSubject"]["achievement"]
    achievement["creator"] = {"id": "_:c", "type": ["Profile"], "name": "Self-made", "parentOrg": "_:c"}
    achievement["alignment"] = [{"type": ["Alignment"], "targetName": "T1", "targetUrl": "https://example.org/t"}]
    return credential


def twins() -> dict[str, Any]:
    credential = ob_credential(KEY, number=12)
    alignment = {"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://example.org/same"}
    result = {"type": ["Result"], "value": "A", "alignment": [alignment]}
    credential["credentialSubject"]["result"] = [result, copy.deepcopy(result), copy.deepcopy(result)]
    credential["evidence"] = [{"type": ["Evidence"], "narrative": "same"}, {"type": ["Evidence"], "narrative": "same"}]
    return credential


def lists_and_literals() -> dict[str, Any]:
    credential = ob_credential(KEY, number=13)
    credential["name"] = [{"@value": "Badge", "@language": "en"}, {"@value": "Insigne", "@language": "fr-CA"}]
    achievement = credential["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = 2.5
    achievement["resultDescription"] = [
        {
            "id": "https://example.org/rd/1",
            "type": ["ResultDescription"],
            "name": "Grade",
            "resultType": "LetterGrade",
            "allowedValue": ["C", "B", "A", "B"],
        }
    ]
    credential["credentialSubject"]["creditsEarned"] = 1.5e-7
    credential["description"] = "bell\x07 backspace\x08 formfeed\x0c vertical\x0b tab\t"
    return credential


CASES = {"self-reference": self_reference, "twins": twins, "lists-and-literals": lists_and_literals}


def test_credstack_proofs_on_tricky_shapes_verify_with_the_javascript_stack(tmp_path: Path) -> None:
    tool = crosscheck_path()
    files = []
    for name, build in CASES.items():
        signed = di.sign(build(), key=KEY, verification_method=KEY.verification_method, created="2025-01-01T00:00:00Z")
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    run = subprocess.run([str(tool), "verify", *map(str, files)], capture_output=True, text=True, timeout=120)
    results = {Path(line["file"]).stem: line for line in map(json.loads, run.stdout.splitlines()) if line}
    assert set(results) == set(CASES), run.stdout + run.stderr
    for name, result in results.items():
        assert result["verified"], (name, result["errors"])


def test_pyld_would_have_canonicalised_the_self_reference_differently() -> None:
    """Why credstack does not follow pyld there: the JavaScript stack above agrees with credstack, not pyld."""
    credential = self_reference()
    by_pyld = jsonld.normalize(
        copy.deepcopy(credential),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": pyld_document_loader},
    )
    assert by_pyld != to_canonical_nquads(credential)


def test_numbers_javascript_reads_differently_are_refused_not_signed(tmp_path: Path) -> None:
    """jsonld.js decides "double" by looking for a '.' in String(value), so 1e-7 becomes "0"^^xsd:float there
    (JSON-LD 1.1 §8.1.2 and pyld say "1.0E-7"); and it reads integers beyond 2^53 as other numbers. A proof over
    either would not verify in the JavaScript stack, so credstack refuses to canonicalise them. The JavaScript
    stack itself does verify its reading of 1.5e-7 and 2^53 like credstack (checked above and here)."""
    tool = crosscheck_path()
    for value in (1e-7, 5e-324, 123456789012345678901):
        credential = ob_credential(KEY, number=14)
        credential["credentialSubject"]["result"] = [{"type": ["Result"], "value": value}]
        with pytest.raises(CanonicalizationError, match="JavaScript"):
            to_canonical_nquads(credential)
    credential = ob_credential(KEY, number=15)
    credential["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": 2**53},
        {"type": ["Result"], "value": 1.5e-7},
    ]
    signed = di.sign(credential, key=KEY, verification_method=KEY.verification_method, created="2025-01-01T00:00:00Z")
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    run = subprocess.run([str(tool), "verify", str(path)], capture_output=True, text=True, timeout=120)
    assert json.loads(run.stdout)["verified"], run.stdout
