"""StatusService: revoke/suspend/unsuspend reflected in signed Bitstring Status Lists; list allocation; lookups."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from credstack.app import Credstack
from credstack.domain.status_list import MIN_ENTRIES, decode_list, read_status
from credstack.errors import ConflictError, NotFoundError
from credstack.proofs.data_integrity import verify
from credstack.proofs.keys import resolve_did_key_vm
from credstack.storage.account_tables import AuditEventRow
from credstack.storage.models import StatusList
from issuer_support import BASE_URL, Clock, micro_achievement, open_app, unsigned_ob


def _entry(credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(s for s in credential["credentialStatus"] if s["statusPurpose"] == purpose)


def _bit(app: Credstack, credential: dict[str, Any], purpose: str) -> int | None:
    """The credential's bit as a verifier sees it: fetch the signed list by URL, check its proof, read the bit."""
    entry = _entry(credential, purpose)
    listed = app.status.document_for_url(entry["statusListCredential"])
    assert listed is not None
    assert all(r.verified for r in verify(listed, resolve=resolve_did_key_vm))
    return read_status(entry, listed).status


def test_revoke_suspend_unsuspend_flip_the_signed_bits(database_url: str) -> None:
    with open_app(database_url) as app:
        issued = app.issuing.issue_credential(unsigned_ob())
        other = app.issuing.issue_credential(unsigned_ob("did:example:bystander"))
        doc = issued.credential
        assert (_bit(app, doc, "revocation"), _bit(app, doc, "suspension")) == (0, 0)

        suspended = app.status.suspend(issued.id)
        assert suspended.state == "suspended" and suspended.changed
        assert (_bit(app, doc, "revocation"), _bit(app, doc, "suspension")) == (0, 1)
        assert app.status.suspend(issued.id).changed is False  # already suspended

        assert app.status.unsuspend(issued.id).state == "active"
        assert _bit(app, doc, "suspension") == 0
        assert app.status.unsuspend(issued.id).changed is False

        assert app.status.revoke(doc["id"]).state == "revoked"  # by document id as well
        assert _bit(app, doc, "revocation") == 1
        again = app.status.revoke(issued.id)
        assert again.state == "revoked" and again.changed is False
        with pytest.raises(ConflictError, match="cannot be unsuspended"):
            app.status.unsuspend(issued.id)
        with pytest.raises(ConflictError, match="permanent"):
            app.status.suspend(issued.id)
        assert _bit(app, doc, "revocation") == 1
        assert (_bit(app, other.credential, "revocation"), _bit(app, other.credential, "suspension")) == (0, 0)
        assert app.issuing.get(issued.id).state == "revoked"
        assert app.status.status_of(issued.id).state == "revoked"
        with app.db.read() as session:
            actions = session.scalars(
                sa.select(AuditEventRow.action).where(AuditEventRow.subject == issued.id).order_by(AuditEventRow.id)
            ).all()
        assert actions == ["credential.issued", "credential.suspended", "credential.unsuspended", "credential.revoked"]
        with pytest.raises(NotFoundError):
            app.status.revoke("no-such-credential")


def test_signed_list_is_cached_until_the_list_changes(sqlite_url: str) -> None:
    clock = Clock()
    with open_app(sqlite_url, clock=clock) as app:
        issued = app.issuing.issue_credential(unsigned_ob())
        url = _entry(issued.credential, "revocation")["statusListCredential"]
        list_id = url.rsplit("/", 1)[1]
        clock.advance(minutes=5)
        first = app.status.status_list_credential(list_id)
        assert first["proof"]["created"] == "2026-03-01T12:05:00Z"
        clock.advance(minutes=55)
        assert app.status.status_list_credential(list_id) == first
        app.issuing.issue_credential(unsigned_ob("did:example:2"))  # allocating an index changes no bit
        assert app.status.status_list_credential(list_id) == first
        app.status.revoke(issued.id)
        changed = app.status.status_list_credential(list_id)
        assert changed != first and changed["validFrom"] == "2026-03-01T13:00:00Z"  # when the bit changed
        assert first["validFrom"] == "2026-03-01T12:00:00Z"  # when the list was created, before it was first signed
        assert changed["id"] == url == f"{BASE_URL}/status/{list_id}"
        assert changed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert changed["issuer"] == app.issuers.default().did
        assert len(decode_list(changed["credentialSubject"]["encodedList"])) * 8 == MIN_ENTRIES
        with app.db.read() as session:
            row = session.get(StatusList, int(list_id))
            assert row is not None and row.version == 2 and row.signed_version == 2


def test_a_new_list_is_allocated_when_one_fills(database_url: str) -> None:
    with open_app(database_url, status_list_size=16) as app:
        docs = [app.issuing.issue_credential(unsigned_ob(f"did:example:{n}")).credential for n in range(20)]
        revocation = [_entry(d, "revocation") for d in docs]
        first_list = {e["statusListCredential"] for e in revocation[:16]}
        assert len(first_list) == 1
        assert sorted(int(e["statusListIndex"]) for e in revocation[:16]) == list(range(16))  # all used, none twice
        later = {e["statusListCredential"] for e in revocation[16:]}
        assert len(later) == 1 and later != first_list
        with app.db.read() as session:
            lists = session.scalars(sa.select(StatusList).order_by(StatusList.id)).all()
        assert [(x.purpose, x.allocated, x.full) for x in lists] == [
            ("revocation", 16, True),
            ("suspension", 16, True),
            ("revocation", 4, False),
            ("suspension", 4, False),
        ]
        target = docs[17]
        app.status.revoke(app.issuing.get(target["id"]).id)
        assert _bit(app, target, "revocation") is None  # a 16-entry list is below the spec minimum...
        entry = _entry(target, "revocation")
        listed = app.status.document_for_url(entry["statusListCredential"])
        assert listed is not None and read_status(entry, listed, min_entries=16).status == 1  # ...but holds the bit


def test_document_for_url_serves_only_our_documents(sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        issued = app.issuing.issue_credential(unsigned_ob())
        url = _entry(issued.credential, "suspension")["statusListCredential"]
        assert app.status.document_for_url(url)["id"] == url  # type: ignore[index]
        assert app.status.document_for_url(f"{BASE_URL}/status/999") is None
        assert app.status.document_for_url(f"{BASE_URL}/status/abc") is None
        assert app.status.document_for_url("https://elsewhere.example/status/1") is None
        assert app.status.document_for_url(f"{BASE_URL}/issuers/nobody/did.json") is None
        web = app.issuers.create("Web Faculty", method="web")
        doc = app.status.document_for_url(f"{BASE_URL}/issuers/{web.slug}/did.json")
        assert doc is not None and doc["id"] == web.did
        assert app.status.document_for_url(web.did) == doc
        default = app.issuers.default()
        assert app.status.document_for_url(f"{BASE_URL}/issuers/{default.slug}/did.json") is None  # a did:key issuer
        with pytest.raises(NotFoundError):
            app.status.status_list_credential(999)


@pytest.mark.crosscheck
def test_crosscheck_checks_status_against_our_signed_lists(crosscheck: Path, tmp_path: Path, sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        kept = app.issuing.issue_credential(unsigned_ob("did:example:kept")).credential
        revoked = app.issuing.issue_credential(unsigned_ob("did:example:gone")).credential
        achievement = micro_achievement(app)
        jcs = app.issuing.issue(
            achievement.id, recipient="kim@example.org", recipient_name="Kim", results=["B"], cryptosuite="jcs"
        ).credential
        suspended = app.issuing.issue(achievement.id, recipient="did:example:paused").credential
        app.status.suspend(suspended["id"])
        app.status.revoke(revoked["id"])
        args = [str(crosscheck), "verify"]
        for purpose in ("revocation", "suspension"):
            url = _entry(kept, purpose)["statusListCredential"]
            path = tmp_path / f"{purpose}.json"
            path.write_text(json.dumps(app.status.document_for_url(url)))
            args += ["--document", f"{url}={path}"]
        index = _entry(revoked, "revocation")["statusListIndex"]
    files = []
    for name, doc in (("kept", kept), ("revoked", revoked), ("jcs", jcs), ("suspended", suspended)):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(doc))
    out = subprocess.run([*args, *map(str, files)], capture_output=True, text=True)
    lines = {Path(r["file"]).stem: r for r in map(json.loads, out.stdout.splitlines())}
    assert lines["kept"]["verified"] is True, lines["kept"]
    assert lines["jcs"]["verified"] is True, lines["jcs"]
    for name in ("revoked", "suspended"):
        assert lines[name]["verified"] is False
        assert any("status" in e for e in lines[name]["errors"]), lines[name]
    bit = subprocess.run(
        [str(crosscheck), "status-list", str(tmp_path / "revocation.json"), index], capture_output=True, text=True
    )
    assert bit.stdout.strip() == "1"
