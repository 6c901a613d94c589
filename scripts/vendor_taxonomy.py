"""Derive the taxonomy files shipped inside the package from the staged ESCO and O*NET releases.

Reads ../shared/data/taxonomy (see its README), keeps only the columns credstack uses, and writes xz-compressed
CSVs (LZMA's long window keeps the repeated concept URIs small) plus manifest.json (rows and SHA-256 per file) to
src/credstack/taxonomy/data/. Cell values, row order and column names are the publishers'; only columns are
dropped. Run from the repository root:

    .venv/bin/python scripts/vendor_taxonomy.py [--source ../shared/data/taxonomy]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import lzma
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "credstack" / "taxonomy" / "data"

#: output name -> (source path under the taxonomy folder, columns kept, in source order)
FILES: dict[str, tuple[str, list[str]]] = {
    "esco_skills.csv.xz": (
        "esco_v1.1.1/classification_en/skills_en.csv.gz",
        [
            "conceptUri",
            "skillType",
            "reuseLevel",
            "preferredLabel",
            "altLabels",
            "hiddenLabels",
            "scopeNote",
            "description",
        ],
    ),
    "esco_skill_groups.csv.xz": (
        "esco_v1.1.1/classification_en/skillGroups_en.csv.gz",
        ["conceptUri", "preferredLabel", "altLabels", "scopeNote", "description", "code"],
    ),
    "esco_occupations.csv.xz": (
        "esco_v1.1.1/classification_en/occupations_en.csv.gz",
        ["conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "description", "code"],
    ),
    "esco_isco_groups.csv.xz": (
        "esco_v1.1.1/classification_en/ISCOGroups_en.csv.gz",
        ["conceptUri", "code", "preferredLabel", "description"],
    ),
    "esco_occupation_skill_relations.csv.xz": (
        "esco_v1.1.1/relations/occupationSkillRelations.csv.gz",
        ["occupationUri", "relationType", "skillUri"],
    ),
    "esco_skill_skill_relations.csv.xz": (
        "esco_v1.1.1/relations/skillSkillRelations.csv.gz",
        ["originalSkillUri", "relationType", "relatedSkillUri"],
    ),
    "esco_broader_skill.csv.xz": (
        "esco_v1.1.1/relations/broaderRelationsSkillPillar.csv.gz",
        ["conceptUri", "broaderUri"],
    ),
    "esco_broader_occupation.csv.xz": (
        "esco_v1.1.1/relations/broaderRelationsOccPillar.csv.gz",
        ["conceptUri", "broaderUri"],
    ),
    "onet_occupations.csv.xz": ("onet_29.2/Occupation_Data.csv.gz", ["O*NET-SOC Code", "Title", "Description"]),
    "onet_technology_skills.csv.xz": (
        "onet_29.2/Technology_Skills.csv.gz",
        ["O*NET-SOC Code", "Example", "Commodity Code", "Commodity Title", "Hot Technology", "In Demand"],
    ),
    "onet_alternate_titles.csv.xz": (
        "onet_29.2/Alternate_Titles.csv.gz",
        ["O*NET-SOC Code", "Alternate Title", "Short Title"],
    ),
    "onet_tasks.csv.xz": ("onet_29.2/Task_Statements.csv.gz", ["O*NET-SOC Code", "Task ID", "Task", "Task Type"]),
}


def derive(source: Path, columns: list[str]) -> tuple[bytes, int]:
    """The kept columns of one source file, as deterministic gzip bytes, and the row count."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    rows = 0
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            writer.writerow([row[c] for c in columns])
            rows += 1
    raw = buffer.getvalue().encode("utf-8")
    return lzma.compress(raw, format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "taxonomy")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, object]] = {}
    for name, (relative, columns) in FILES.items():
        data, rows = derive(args.source / relative, columns)
        (OUT / name).write_bytes(data)
        manifest[name] = {"source": relative, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}
        print(f"{name:<42} {rows:>8} rows {len(data):>10,} bytes")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"total {sum((OUT / n).stat().st_size for n in FILES):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
