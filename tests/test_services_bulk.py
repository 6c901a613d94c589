"""Bulk issuance: roster parsing, job reports, and resuming after SIGKILL with no duplicate and no loss."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.errors import CsvRosterError, NotFoundError
from credstack.proofs.data_integrity import verify
from credstack.proofs.keys import resolve_did_key_vm
from credstack.services.bulk import parse_roster
from credstack.storage.models import BulkJobRow, Credential, StatusList
from issuer_support import BASE_URL, micro_achievement, open_app


def test_roster_rows_keep_their_line_numbers() -> None:
    text = (
        "\ufeffRecipient, Name ,result,notes\n"
        "a@example.org,Ann,A,ignored\n"
        "\n"
        'did:example:b,"Bo\nBoson",B,\n'
        "https://people.example/c,,,\n"
    )
    assert parse_roster(text.encode("utf-8")) == [
        (2, {"recipient": "a@example.org", "name": "Ann", "result": "A"}),
        (4, {"recipient": "did:example:b", "name": "Bo\nBoson", "result": "B"}),
        (6, {"recipient": "https://people.example/c"}),
    ]


_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_cell, _cell), max_size=8))
def test_roster_round_trip(rows: list[tuple[str, str]]) -> None:
    """Whatever a spreadsheet writes (quotes, commas, newlines in cells), each record comes back with its first line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["recipient", "name"])
    expected = []
    for recipient, name in rows:
        first_line = buffer.getvalue().count("\n") + 1
        writer.writerow([recipient, name])
        row = {k: v.strip() for k, v in (("recipient", recipient), ("name", name)) if v.strip()}
        if row:
            expected.append((first_line, row))
    assert parse_roster(buffer.getvalue().encode("utf-8")) == expected


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"name,email\nAnn,a@example.org\n", "no 'recipient' column", 1),
        (b"", "empty", 1),
        (b"recipient,name\na@example.org,Ann\nb@example.org,B\xe9a\n", "not UTF-8", 3),
        (b"recipient\na@example.org\nb@example.org,extra,fields\n", "3 fields", 3),
        (b"recipient,recipient\na@example.org,b@example.org\n", "repeats", 1),
        (b'recipient,name\na@example.org,"unterminated\nb@example.org\n', "malformed CSV", 2),
    ],
)
def test_malformed_rosters_say_where(data: bytes, message: str, line: int) -> None:
    with pytest.raises(CsvRosterError, match=message) as caught:
        parse_roster(data)
    assert caught.value.where == f"line {line}"


def test_a_job_issues_rejects_and_reports(database_url: str) -> None:
    roster = (
        "recipient,name,result,evidence_url,valid_until,idempotency_key\n"
        "ann@example.org,Ann,A,https://work.example/ann,2027-06-30,\n"
        "not an address,Nobody,B,,,\n"
        "did:example:bo,Bo,C,,,enrol-2026-bo\n"
        "cy@example.org,Cy,,,next tuesday,\n"
        "ann@example.org,Ann,A,https://work.example/ann,2027-06-30,\n"
    )
    with open_app(database_url) as app:
        achievement = micro_achievement(app)
        job = app.bulk.start(achievement.id, roster)
        assert (app.bulk.report(job).pending, app.bulk.report(job).rejected) == (4, 1)  # line 6 repeats line 2
        seen: list[tuple[int, int]] = []
        report = app.bulk.run(job, progress=lambda done, total: seen.append((done, total)))
        assert (report.rows_read, report.issued, report.skipped, report.rejected, report.pending) == (5, 2, 0, 3, 0)
        assert report.state == "done"
        assert [r.line for r in report.rejections] == [3, 5, 6]
        assert "neither an e-mail address nor a DID/URL" in report.rejections[0].reason
        assert "valid_until 'next tuesday'" in report.rejections[1].reason
        assert "already on line 2" in report.rejections[2].reason
        assert seen[0] == (1, 5) and seen[-1] == (5, 5)  # the duplicate was decided when the job was stored
        first = app.issuing.get(report.credential_ids[0]).credential
        assert first["validUntil"] == "2027-06-30T00:00:00Z"
        assert first["evidence"][0]["id"] == "https://work.example/ann"
        assert all(r.verified for r in verify(first, resolve=resolve_did_key_vm))
        with app.db.read() as session:
            keys = session.scalars(sa.select(Credential.idempotency_key)).all()
        assert "enrol-2026-bo" in keys and len(keys) == 2

        again = app.bulk.run(app.bulk.start(achievement.id, roster))  # the same roster once more
        assert (again.issued, again.skipped, again.rejected) == (0, 2, 3)  # another roster: idempotency keys hold
        assert len(app.issuing.list()) == 2
        with pytest.raises(NotFoundError):
            app.bulk.report("no-such-job")
        with pytest.raises(NotFoundError):
            app.bulk.start("no-such-achievement", roster)


def test_the_same_recipient_twice_in_a_roster_is_reported_not_issued_twice(database_url: str) -> None:
    """A recipient listed again (e-mail case and mailto: aside; other name, other result) is rejected as a duplicate
    of the first line naming them; one credential each; the counts add up before, during and after the run."""
    roster = (
        "recipient,name,result\n"
        "ann@example.org,Ann,A\n"
        "did:example:bo,Bo,B\n"
        "Ann@Example.org,Ann Again,B\n"
        "did:example:bo,Bo,B\n"
        "mailto:ann@example.org,Ann,A\n"
        "did:example:BO,Bo Upper,C\n"
    )
    with open_app(database_url) as app:
        achievement = micro_achievement(app)
        job = app.bulk.start(achievement.id, roster)
        before = app.bulk.report(job)
        assert (before.rows_read, before.pending, before.rejected) == (6, 3, 3)
        assert [(r.line, r.reason.split(" is ")[0]) for r in before.rejections] == [
            (4, "[duplicate_recipient] Ann@Example.org"),
            (5, "[duplicate_recipient] did:example:bo"),
            (6, "[duplicate_recipient] mailto:ann@example.org"),
        ]
        assert "already on line 2" in before.rejections[0].reason
        assert "already on line 3" in before.rejections[1].reason
        report = app.bulk.run(job)
        assert (report.issued, report.skipped, report.rejected, report.pending) == (3, 0, 3, 0)
        assert report.issued + report.rejected + report.skipped + report.pending == report.rows_read
        assert len(app.issuing.list()) == 3  # did:example:BO is another DID (DIDs are case-sensitive)
        assert app.bulk.run(job).issued == 3  # running it again issues nothing more
        assert len(app.issuing.list()) == 3
        csv_report = app.bulk.report_csv(job)
        assert "4,Ann@Example.org,rejected,,[duplicate_recipient]" in csv_report

        again = app.bulk.run(app.bulk.start(achievement.id, roster))  # the same roster again: keys still hold
        assert (again.issued, again.skipped, again.rejected) == (0, 3, 3)
        assert len(app.issuing.list()) == 3


def test_concurrent_issuers_share_nothing(database_url: str) -> None:
    """Two runners of one job and four threads issuing at once: every index distinct, every row issued once."""
    roster = "recipient\n" + "".join(f"did:example:row{n}\n" for n in range(16))
    with open_app(database_url) as app:
        achievement = micro_achievement(app)
        job = app.bulk.start(achievement.id, roster)

        def issue_some(worker: int) -> None:
            for n in range(4):
                app.issuing.issue(achievement.id, recipient=f"did:example:w{worker}-{n}")

        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(app.bulk.run, job), pool.submit(app.bulk.run, job)]
            futures += [pool.submit(issue_some, w) for w in range(4)]
            for future in futures:
                future.result()
        report = app.bulk.report(job)
        assert (report.issued, report.skipped, report.pending) == (16, 0, 0)
        with app.db.read() as session:
            credentials = session.scalars(sa.select(Credential)).all()
            lists = session.scalars(sa.select(StatusList)).all()
        assert len(credentials) == 32 and len(lists) == 2
        positions = [(c.revocation_list_id, c.revocation_index) for c in credentials]
        positions += [(c.suspension_list_id, c.suspension_index) for c in credentials]
        assert len(set(positions)) == 64
        assert all(lst.allocated == 32 for lst in lists)


def _count(url: str, query: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(query)).scalar() or 0)
    finally:
        engine.dispose()


def test_resume_after_sigkill_issues_each_row_exactly_once(database_url: str) -> None:
    rows = 80
    roster = "recipient,name\n" + "".join(f"learner{n}@example.org,Learner {n}\n" for n in range(rows))
    roster += "nobody,Broken Row\n"
    secret = "bulk-test-secret-0123456789"
    with open_app(database_url, secret=secret) as app:
        achievement = micro_achievement(app)
        job = app.bulk.start(achievement.id, roster)
    env = {
        **os.environ,
        "CREDSTACK_DATABASE_URL": database_url,
        "CREDSTACK_MASTER_SECRET": secret,
        "CREDSTACK_BASE_URL": BASE_URL,
    }
    child = subprocess.Popen(
        [sys.executable, "-c", "from credstack.cli import main; main()", "issue", "--resume", job],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while _count(database_url, "SELECT count(*) FROM credentials") < 10:
            assert child.poll() is None, "the job finished before it could be killed"
            assert time.monotonic() < deadline, "the job made no progress"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL

    with open_app(database_url, secret=secret) as app:
        interrupted = app.bulk.report(job)
        assert interrupted.state == "running" and 10 <= interrupted.issued < rows and interrupted.pending > 0
        assert _count(database_url, "SELECT count(*) FROM credentials") == interrupted.issued
        final = app.bulk.run(job)
        assert final.issued + final.skipped + final.rejected == final.rows_read == rows + 1
        assert (final.issued, final.rejected, final.pending) == (rows, 1, 0)
        assert [r.line for r in final.rejections] == [rows + 2]
        with app.db.read() as session:
            issued = session.scalars(sa.select(Credential)).all()
            row_credentials = session.scalars(
                sa.select(BulkJobRow.credential_id).where(BulkJobRow.outcome == "issued")
            ).all()
        names = Counter(c.document["credentialSubject"]["identifier"][1]["identityHash"] for c in issued)
        assert len(issued) == rows and set(names.values()) == {1}  # everyone once: none lost, none twice
        assert set(names) == {f"Learner {n}" for n in range(rows)}
        assert sorted(row_credentials) == sorted(c.id for c in issued)
