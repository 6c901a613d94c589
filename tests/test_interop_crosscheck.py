"""Interoperability with an independent implementation, both ways: ../shared/tools/crosscheck (the Digital Bazaar
JavaScript stack behind the W3C test suites) verifies what credstack signs, and credstack verifies what crosscheck
signs, for eddsa-rdfc-2022 and eddsa-jcs-2022 Open Badges 3.0 credentials, including Unicode-heavy ones.

Files are batched into one crosscheck call per direction and suite (each call costs a Node start-up).
"""

from __future__ import annotations

import copy
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conftest import VECTORS, crosscheck_path
from credstack.proofs import data_integrity as di
from credstack.proofs.keys import Ed25519Key, resolve_did_key_vm, unbound_fragment_vm
from proof_samples import ob_credential

pytestmark = pytest.mark.crosscheck

SEED = bytes.fromhex("5a" * 32)
KEY = Ed25519Key.from_seed(SEED)
SUITES = {"rdfc": "eddsa-rdfc-2022", "jcs": "eddsa-jcs-2022"}
UNICODE = {
    "issuer_name": "Université de Montréal — 東京大学 — جامعة القاهرة 🎓",
    "achievement_name": 'Cafe\u0301 \u00e9conomie "quoted" \\ back\nslash\ttab \u2028 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
}


def _credentials() -> dict[str, dict[str, Any]]:
    """Unsigned OB 3.0 credentials issued by KEY's did:key: plain, Unicode-heavy, with numbers, with controls."""
    plain = ob_credential(KEY, number=1)
    unicode = ob_credential(KEY, number=2, **UNICODE)
    credits = ob_credential(KEY, number=3, achievement_name="Data Analysis 101")
    credits["credentialSubject"]["achievement"]["creditsAvailable"] = 3.0
    credits["credentialSubject"]["achievement"]["humanCode"] = "DA-101"
    credits["credentialSubject"]["creditsEarned"] = 2.5
    controls = ob_credential(
        KEY,
        number=5,
        issuer_name="".join(chr(i) for i in range(32)) + "\x7f\x80\x85\u00a0",  # every C0 control, DEL, C1
        achievement_name="l\u2028m\u2029n\ufeffo\ufffep\uffff \U0001f600 \U0010fffd <a>&amp;",
    )
    return {"plain": plain, "unicode": unicode, "credits": credits, "controls": controls}


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _crosscheck_verify(tool: Path, files: list[Path], *extra: str) -> dict[str, dict[str, Any]]:
    run = subprocess.run([str(tool), "verify", *extra, *map(str, files)], capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(files), run.stdout + run.stderr
    return {line["file"]: line for line in lines}


def test_credstack_signed_credentials_verify_with_crosscheck(tmp_path: Path) -> None:
    tool = crosscheck_path()
    files: list[Path] = []
    expected: dict[str, bool] = {}
    for short, suite in SUITES.items():
        for name, credential in _credentials().items():
            signed = di.sign(
                credential,
                key=KEY,
                verification_method=KEY.verification_method,
                cryptosuite=suite,
                created="2025-01-01T00:00:00Z",
            )
            assert signed["issuer"]["id"] == resolve_did_key_vm(signed["proof"]["verificationMethod"]).controller
            files.append(_write(tmp_path / f"{short}-{name}.json", signed))
            expected[f"{short}-{name}.json"] = True
            tampered = copy.deepcopy(signed)
            tampered["credentialSubject"]["achievement"]["name"] += " (edited)"
            files.append(_write(tmp_path / f"{short}-{name}-tampered.json", tampered))
            expected[f"{short}-{name}-tampered.json"] = False
    # the 1EdTech "controller#multikey" form, which crosscheck accepts only with --fragment-keys
    issuer = "https://example.edu/issuers/565049"
    fragment_credential = ob_credential(KEY, number=4)
    fragment_credential["issuer"]["id"] = issuer
    fragment_signed = di.sign(fragment_credential, key=KEY, verification_method=f"{issuer}#{KEY.public_multibase}")
    files.append(_write(tmp_path / "rdfc-fragment.json", fragment_signed))
    expected["rdfc-fragment.json"] = True

    results = {Path(file).name: line for file, line in _crosscheck_verify(tool, files, "--fragment-keys").items()}
    outcome = {name: line["verified"] for name, line in results.items()}
    assert outcome == expected, {name: results[name]["errors"] for name in results if outcome[name] != expected[name]}


def _crosscheck_sign(tool: Path, suite: str, source: Path) -> dict[str, Any]:
    run = subprocess.run(
        [str(tool), "sign", "--suite", suite, "--seed", SEED.hex(), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    signed: dict[str, Any] = json.loads(run.stdout)
    return signed


def test_crosscheck_signed_credentials_verify_with_credstack(tmp_path: Path) -> None:
    tool = crosscheck_path()
    credentials = _credentials()
    jobs = [("rdfc", "unicode"), ("rdfc", "credits"), ("rdfc", "controls"), ("jcs", "unicode"), ("jcs", "controls")]
    names = ("unicode", "credits", "controls")
    sources = {name: _write(tmp_path / f"{name}.json", credentials[name]) for name in names}
    with ThreadPoolExecutor(max_workers=2) as pool:
        signed = dict(zip(jobs, pool.map(lambda job: _crosscheck_sign(tool, job[0], sources[job[1]]), jobs)))
    for (short, name), document in signed.items():
        proof = document["proof"]
        assert proof["cryptosuite"] == SUITES[short]
        assert proof["verificationMethod"] == KEY.verification_method  # same seed, same did:key
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        assert unsecured == json.loads(sources[name].read_text(encoding="utf-8"))
        [result] = di.verify(document, resolve=resolve_did_key_vm)
        assert result.verified, (short, name, result.reason)
        assert result.controller == document["issuer"]["id"]
        tampered = copy.deepcopy(document)
        tampered["issuer"]["name"] = "Another issuer"
        [tampered_result] = di.verify(tampered, resolve=resolve_did_key_vm)
        assert not tampered_result.verified


def test_crosscheck_and_credstack_agree_on_the_1edtech_vectors() -> None:
    """Sanity check of the reference itself: the 1EdTech signed examples verify in both (fragment keys)."""
    tool = crosscheck_path()
    files = [VECTORS / "1edtech-ob-impl-guide" / case / "credential-signed.json" for case in ("obv3p0", "clrv2p0")]
    results = _crosscheck_verify(tool, files, "--fragment-keys")
    assert [results[str(file)]["verified"] for file in files] == [True, True], results
    for file in files:
        [result] = di.verify(json.loads(file.read_text()), resolve=unbound_fragment_vm)
        assert result.verified and not result.bound
