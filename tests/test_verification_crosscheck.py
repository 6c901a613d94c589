"""credstack's verdicts agree with the independent reference verifier (../shared/tools/crosscheck, the Digital
Bazaar stack) on the same files: signed, tampered (several ways), the 1EdTech fragment-key form, status lists."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import VECTORS
from credstack.domain.verification import verify_bytes
from verification_support import LIST_URL, VC_V2, options, sign, signed_credential, status_list, with_status

pytestmark = pytest.mark.crosscheck


def _crosscheck(tool: Path, files: list[Path], *extra: str) -> dict[str, bool]:
    done = subprocess.run([str(tool), "verify", *extra, *map(str, files)], capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(r["file"]).name: bool(r["verified"]) for r in rows}


def _ours(files: list[Path], **kwargs: Any) -> dict[str, bool]:
    return {f.name: verify_bytes(f.read_bytes(), options(**kwargs)).verified for f in files}


def _write(folder: Path, name: str, doc: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_verdicts_agree(crosscheck: Path, tmp_path: Path) -> None:
    good = signed_credential(name="Zoë's badge — ünïcödé")
    changed_value = json.loads(json.dumps(good))
    changed_value["credentialSubject"]["achievement"]["description"] += " "
    removed = json.loads(json.dumps(good))
    del removed["name"]
    other_subject = json.loads(json.dumps(good))
    other_subject["credentialSubject"]["id"] = "did:example:someone-else"
    jcs = sign(json.loads(json.dumps({k: v for k, v in good.items() if k != "proof"})), cryptosuite="eddsa-jcs-2022")
    jcs_tampered = json.loads(json.dumps(jcs))
    jcs_tampered["validFrom"] = "2025-01-02T00:00:00Z"
    presentation_like = {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": "did:example:x"}
    files = [
        _write(tmp_path, "good.json", good),
        _write(tmp_path, "changed-value.json", changed_value),
        _write(tmp_path, "removed.json", removed),
        _write(tmp_path, "other-subject.json", other_subject),
        _write(tmp_path, "jcs.json", jcs),
        _write(tmp_path, "jcs-tampered.json", jcs_tampered),
        _write(tmp_path, "unsigned.json", presentation_like),
    ]
    theirs = _crosscheck(crosscheck, files)
    assert theirs == _ours(files)
    assert theirs == {
        "good.json": True,
        "changed-value.json": False,
        "removed.json": False,
        "other-subject.json": False,
        "jcs.json": True,
        "jcs-tampered.json": False,
        "unsigned.json": False,
    }


def test_fragment_keys_agree_with_allow_unbound_keys(crosscheck: Path) -> None:
    guide = [VECTORS / "1edtech-ob-impl-guide" / "obv3p0" / "credential-signed.json"]
    assert _crosscheck(crosscheck, guide) == _ours(guide) == {"credential-signed.json": False}
    unbound = _crosscheck(crosscheck, guide, "--fragment-keys")
    assert unbound == _ours(guide, allow_unbound_keys=True) == {"credential-signed.json": True}


def test_status_verdicts_agree(crosscheck: Path, tmp_path: Path) -> None:
    listing = _write(tmp_path, "list.json", status_list((11,)))
    files = [_write(tmp_path, "clear.json", with_status(10)), _write(tmp_path, "revoked.json", with_status(11))]
    theirs = _crosscheck(crosscheck, files, "--document", f"{LIST_URL}={listing}")
    documents = {LIST_URL: json.loads(listing.read_text())}
    assert theirs == _ours(files, documents=documents) == {"clear.json": True, "revoked.json": False}
