"""Build the job-posting subset shipped in ``src/credstack/market/data`` from ../shared/data/postings.

Run from the repository root: ``.venv/bin/python scripts/vendor_postings.py [SHARED_DATA_DIR]``. Deterministic
(fixed seed); writes ``*.jsonl.xz``, ``manifest.json`` (rows, SHA-256, mapping) and leaves PROVENANCE.md as written
by hand. See PROVENANCE.md for what each step keeps and why.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import lzma
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "credstack" / "market" / "data"
QUESTIONNAIRES = 2_500
TEXT_CAP = 4_000
FOOTER = "\nPrivacy & Cookies"


def _fix_mojibake(text: str) -> str:
    """``â€™`` -> ``'``: text that was UTF-8 read as Windows-1252 (the NYC file), when it round-trips."""
    if "â€" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _jsonl(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def summaries(src: Path) -> list[dict[str, object]]:
    keep = ("job_id", "title", "organization", "locations", "description", "posted_at", "categories")
    return [{k: r.get(k) for k in keep} for r in _jsonl(src / "usajobs_ai_cyber_summaries_2025_2026.jsonl.gz")]


def questionnaires(src: Path) -> list[dict[str, object]]:
    rows = _jsonl(src / "usajobs_assessment_questionnaires_2025.jsonl.gz")
    rows = [r for r in rows if str(r.get("open_date", "")) >= "2025-06"]
    random.Random(2026).shuffle(rows)
    out = []
    for r in sorted(rows[:QUESTIONNAIRES], key=lambda r: (str(r["open_date"]), str(r["id"]))):
        text = str(r["assessment_text"]).split(FOOTER, 1)[0][:TEXT_CAP]
        out.append(
            {
                "id": r["id"],
                "title": r["title"],
                "agency": r["agency"],
                "announcement_number": r["announcement_number"],
                "open_date": r["open_date"],
                "close_date": r["close_date"],
                "occupational_series_mentioned": r["occupational_series_mentioned"],
                "assessment_text": text,
            }
        )
    return out


def announcements(src: Path) -> list[dict[str, object]]:
    keep = ("control_number", "position_title", "department", "agency", "occupation_series", "open_date")
    rows = _jsonl(src / "usajobs_announcements_metadata_2024_2025.jsonl.gz")
    return [{k: r.get(k) for k in keep} for r in sorted(rows, key=lambda r: (str(r["open_date"]), r["control_number"]))]


def nyc(src: Path) -> list[dict[str, object]]:
    keep = (
        "Job ID", "Agency", "Posting Type", "Business Title", "Civil Service Title", "Title Code No", "Job Category",
        "Work Location", "Job Description", "Minimum Qual Requirements", "Preferred Skills", "Posting Date",
    )  # fmt: skip
    with gzip.open(src / "nyc_jobs_snapshot_2019-12-17.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [{k: _fix_mojibake(r.get(k) or "") for k in keep} for r in rows]


BUILDERS = {
    "usajobs_ai_cyber_summaries": ("usajobs-summaries", summaries),
    "usajobs_questionnaires_sample": ("usajobs-questionnaires", questionnaires),
    "nyc_jobs_2019": ("nyc-jobs", nyc),
    "usajobs_announcements_2024_2025": ("usajobs-announcements", announcements),
}


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "postings"
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (mapping, build) in BUILDERS.items():
        rows = build(src)
        buffer = io.StringIO()
        for row in rows:
            buffer.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        data = lzma.compress(buffer.getvalue().encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
        file = f"{name}.jsonl.xz"
        (OUT / file).write_bytes(data)
        manifest[name] = {
            "file": file,
            "mapping": mapping,
            "rows": len(rows),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        print(f"{file}: {len(rows)} rows, {len(data) / 1e6:.2f} MB")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
