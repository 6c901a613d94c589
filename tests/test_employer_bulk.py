"""Bulk verification for employers: zips, CSVs of URLs and files, baked images, tampered and revoked credentials, the
CSV/JSON report, the process pool for large batches, and refusals of zip bombs, huge files and bad CSVs."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from credstack.app import Credstack
from credstack.domain.baking import bake_png
from credstack.employer.batch_input import BatchLimits, read_upload
from credstack.errors import DocumentTooLargeError, InvalidBatchError, NotFoundError
from credstack.services import employer_bulk
from credstack.web.badge_image import badge_png
from issuer_support import micro_achievement, open_app


def zipped(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def app(database_url: str) -> Iterator[Credstack]:
    with open_app(database_url) as cs:
        yield cs


@pytest.fixture
def lite_app(sqlite_url: str) -> Iterator[Credstack]:
    """SQLite only, for tests whose storage is covered on both databases by the others."""
    with open_app(sqlite_url) as cs:
        yield cs


def issue(cs: Credstack, n: int) -> list[dict[str, Any]]:
    achievement = micro_achievement(cs)
    return [cs.issuing.issue(achievement.id, recipient=f"p{i}@example.org").credential for i in range(n)]


def as_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_a_zip_with_a_tampered_and_a_revoked_credential(app: Credstack) -> None:
    good, tampered, revoked, baked = issue(app, 4)
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    app.status.revoke(revoked["id"])
    png = bake_png(badge_png("Data Wrangling"), baked)
    upload = zipped(
        {
            "good.json": as_bytes(good),
            "tampered.json": as_bytes(tampered),
            "revoked.json": as_bytes(revoked),
            "badge.png": png,
            "notes/readme.txt": b"hello",
            "__MACOSX/._good.json": b"junk",
        }
    )
    batch = app.employer.batches.submit("acme", "batch.zip", upload)
    assert (batch.state, batch.total, batch.done, batch.verified) == ("done", 5, 5, 2)
    items = {i.file: i for i in app.employer.batches.items(batch.id, "acme")}
    assert items["good.json"].verified and items["badge.png"].verified
    assert items["badge.png"].format == "png+json"
    failed = {i.file: [c["name"] for c in i.checks if c["status"] == "fail"] for i in items.values() if not i.verified}
    assert failed == {"tampered.json": ["proof"], "revoked.json": ["status"], "notes/readme.txt": ["parse"]}
    assert "revoked" in next(c["reason"] for c in items["revoked.json"].checks if c["name"] == "status")

    rows = list(csv.DictReader(io.StringIO(app.employer.batches.report_csv(batch.id, "acme"))))
    by_file = {r["file"]: r for r in rows}
    assert by_file["tampered.json"]["verdict"] == "not verified"
    assert by_file["tampered.json"]["proof"] == "fail" and by_file["tampered.json"]["proof_reason"]
    assert by_file["revoked.json"]["status"] == "fail" and by_file["good.json"]["verdict"] == "verified"
    report = app.employer.batches.report(batch.id, "acme")
    assert report["verified"] == 2 and len(report["results"]) == 5
    assert {c["name"] for c in report["results"][0]["checks"]} >= {"proof", "status", "validity"}

    with pytest.raises(NotFoundError):  # another organisation cannot read the job
        app.employer.batches.get(batch.id, "other-org")


def test_a_csv_of_urls_and_a_csv_of_files_in_a_zip(lite_app: Credstack) -> None:
    app = lite_app
    first, second = issue(app, 2)
    listing = f"url\n{first['id']}\nhttps://elsewhere.example/cred/1\nftp://x\n".encode()
    batch = app.employer.batches.submit("acme", "list.csv", listing)
    items = app.employer.batches.items(batch.id)
    assert [i.verified for i in items] == [True, False, False]
    assert "allow-list" in items[1].checks[0]["reason"] and "not an http(s) URL" in items[2].checks[0]["reason"]

    upload = zipped({"list.csv": b"file\nb.json\nmissing.json\n", "b.json": as_bytes(second), "c.json": b"{}"})
    batch = app.employer.batches.submit("acme", "files.zip", upload)
    items = app.employer.batches.items(batch.id)
    assert [(i.file, i.verified) for i in items] == [("b.json", True), ("list.csv line 3", False)]
    assert "no file 'missing.json'" in items[1].checks[0]["reason"]


def test_large_batches_use_the_process_pool_and_keep_input_order(app: Credstack, monkeypatch: Any) -> None:
    monkeypatch.setattr(employer_bulk, "PARALLEL_THRESHOLD", 4)
    monkeypatch.setattr(employer_bulk, "CHUNK", 3)
    credentials = issue(app, 7)
    credentials[5]["name"] = "tampered"
    upload = zipped({f"{i:02d}.json": as_bytes(c) for i, c in enumerate(credentials)})
    seen: list[tuple[int, int]] = []
    batches = app.employer.batches
    record = batches.start("acme", "big.zip", upload)
    done = batches.run(record.id, progress=lambda d, t: seen.append((d, t)))
    assert (done.total, done.verified, done.state) == (7, 6, "done")
    assert sorted(seen) == seen and seen[-1] == (7, 7) and len(seen) == 3  # three chunks: 3, 3 and 1
    assert [(i.file, i.verified) for i in batches.items(record.id)] == [(f"{i:02d}.json", i != 5) for i in range(7)]


def test_zip_bombs_huge_files_and_bad_archives_are_refused() -> None:
    limits = BatchLimits(max_file_bytes=100_000, max_entries=3)
    bomb = zipped({"bomb.json": b"0" * 5_000_000})
    entries = read_upload("bomb.zip", bomb, BatchLimits(max_file_bytes=10_000_000))
    assert entries[0].error is not None and "zip bomb" in entries[0].error
    huge = read_upload("huge.zip", bomb, limits)
    assert huge[0].error is not None and "larger than 100,000 bytes" in huge[0].error
    nested = read_upload("n.zip", zipped({"inner.zip": zipped({"a.json": b"{}"})}), limits)
    assert nested[0].error == "an archive inside the archive is not opened"
    with pytest.raises(InvalidBatchError, match="at most 3"):
        read_upload("many.zip", zipped({f"{i}.json": b"{}" for i in range(5)}), limits)
    with pytest.raises(InvalidBatchError, match="not a readable zip"):
        read_upload("broken.zip", b"PK\x03\x04" + b"\x00" * 40, limits)
    with pytest.raises(DocumentTooLargeError):
        read_upload("one.json", b"{" + b" " * 200_000 + b"}", limits)
    with pytest.raises(DocumentTooLargeError, match="expands to more than"):
        read_upload(
            "total.zip",
            zipped({f"{i}.json": b"1" * 60_000 for i in range(3)}, compression=zipfile.ZIP_STORED),
            BatchLimits(max_total_bytes=100_000),
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nfoo\n", "header with a 'url' or a 'file' column"),
        (b"url\n", "no rows"),
        (b"\xff\xfeu\x00r\x00l\x00", "not UTF-8"),
        (b"file\na.json\n", "inside a zip"),
        (b"url\n" + b"https://a.example/x\n" * 4, "at most 3"),
    ],
)
def test_bad_csvs_are_refused_with_a_reason(content: bytes, message: str) -> None:
    with pytest.raises(InvalidBatchError, match=message):
        read_upload("list.csv", content, BatchLimits(max_entries=3))


def test_an_unreadable_upload_stores_nothing(lite_app: Credstack) -> None:
    app = lite_app
    with pytest.raises(InvalidBatchError):
        app.employer.batches.submit("acme", "x.zip", b"PK\x03\x04garbage")
    assert app.employer.batches.recent("acme") == []
