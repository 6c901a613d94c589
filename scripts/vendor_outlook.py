"""Build the occupation-outlook data shipped in ``src/credstack/market/data/outlook/`` (run from the repo root).

    .venv/bin/python scripts/vendor_outlook.py [--shared ../shared/data]

Reads the real demand data in the shared data folder (see ``demand/README.md`` there) and writes small xz-compressed
CSV files plus ``manifest.json`` (rows, SHA-256) for :mod:`credstack.services.outlook`:

- ``occupations.csv.xz``: BLS Employment Projections 2024-34 line items (Table 1.2) joined with OEWS May 2025
  national medians, and the Indeed sector each SOC code is read against (credstack's own crosswalk, ``SECTORS``).
- ``bright_outlook.csv.xz``: O*NET Bright Outlook occupations with their categories (growth, openings, new).
- ``indeed_us_monthly.csv.xz``: Indeed Job Postings Index, US, monthly means of the daily seasonally adjusted index
  by sector (sector file, to 2024-09) and for all postings (aggregate file, to 2026-08).
- ``esco_soc.csv.xz``: each ESCO v1.1.1 occupation with the SOC code its labels map to (O*NET titles and alternate
  titles, through :class:`credstack.market.titles.TitleMapper`; ``title:`` when the preferred label matched, ``alt:``
  when an alternative label did), else the SOC code most of its ISCO-08 unit group maps to (``isco4``/``isco3``),
  else nothing.
- ``projection_accuracy.json``: how far the 2014-24, 2016-26 and 2019-29 BLS projections were from the 2024
  employment of the 2024-34 matrix (percentage points of growth; codes present in both).

Deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import lzma
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "credstack" / "market" / "data" / "outlook"

#: SOC code prefix -> Indeed sector (US sector file). Longest prefix wins; "" means no Indeed sector fits.
#: credstack's own judgement from SOC 2018 definitions and Indeed's example titles (sector-job-title-examples).
SECTORS: dict[str, str] = {
    "11": "Management", "11-2": "Marketing", "11-3031": "Banking & Finance", "11-3021": "IT Operations & Helpdesk",
    "11-3121": "Human Resources", "11-3071": "Logistic Support", "11-9021": "Construction",
    "11-903": "Education & Instruction", "11-9041": "Industrial Engineering",
    "11-9121": "Scientific Research & Development", "11-9051": "Food Preparation & Service",
    "11-9081": "Hospitality & Tourism", "11-9151": "Community & Social Service",
    "13": "Management", "13-1071": "Human Resources", "13-1075": "Human Resources", "13-1141": "Human Resources",
    "13-1151": "Human Resources", "13-1082": "Project Management", "13-1161": "Marketing",
    "13-1081": "Logistic Support", "13-1041": "Legal", "13-103": "Banking & Finance", "13-102": "Logistic Support",
    "13-2": "Banking & Finance", "13-2011": "Accounting", "13-2082": "Accounting", "13-2081": "Accounting",
    "15-1": "Software Development", "15-1211": "Information Design & Documentation",
    "15-1212": "IT Operations & Helpdesk", "15-123": "IT Operations & Helpdesk", "15-124": "IT Operations & Helpdesk",
    "15-1299": "IT Operations & Helpdesk", "15-2": "Mathematics",
    "17-1": "Architecture", "17-2": "Industrial Engineering", "17-2051": "Civil Engineering",
    "17-2081": "Civil Engineering", "17-207": "Electrical Engineering", "17-3": "Industrial Engineering",
    "17-3022": "Civil Engineering", "17-3023": "Electrical Engineering",
    "19": "Scientific Research & Development", "21": "Community & Social Service", "23": "Legal",
    "25": "Education & Instruction", "25-2011": "Childcare",
    "27-1": "Arts & Entertainment", "27-2": "Arts & Entertainment", "27-202": "Sports",
    "27-3": "Media & Communications", "27-4": "Media & Communications",
    "29-1": "Physicians & Surgeons", "29-102": "Dental", "29-1292": "Dental", "29-1051": "Pharmacy",
    "29-1141": "Nursing", "29-115": "Nursing", "29-116": "Nursing", "29-117": "Nursing", "29-112": "Therapy",
    "29-1181": "Therapy", "29-1131": "Veterinary", "29-1031": "Therapy",
    "29-2": "Medical Technician", "29-2061": "Nursing", "29-2056": "Veterinary", "29-2052": "Pharmacy",
    "29-2072": "Medical Information", "29-9": "Medical Technician",
    "31-1": "Personal Care & Home Health", "31-113": "Medical Technician", "31-2": "Therapy",
    "31-9": "Medical Technician", "31-9091": "Dental", "31-9096": "Veterinary",
    "33": "Security & Public Safety", "35": "Food Preparation & Service", "37": "Cleaning & Sanitation",
    "37-3": "",
    "39": "Personal Care & Home Health", "39-5": "Beauty & Wellness", "39-9011": "Childcare", "39-9031": "Sports",
    "39-7": "Hospitality & Tourism", "39-3": "Hospitality & Tourism", "39-2": "Veterinary",
    "41": "Sales", "41-2": "Retail", "41-1011": "Retail", "41-3031": "Banking & Finance",
    "43": "Administrative Assistance", "43-4051": "Customer Service", "43-4081": "Hospitality & Tourism",
    "43-3031": "Accounting", "43-3071": "Banking & Finance", "43-5": "Logistic Support",
    "43-5071": "Loading & Stocking", "43-5081": "Loading & Stocking", "43-6013": "Medical Information",
    "45": "", "47": "Construction", "49": "Installation & Maintenance", "51": "Production & Manufacturing",
    "53": "", "53-1": "Logistic Support", "53-3": "Driving", "53-7": "Loading & Stocking", "55": "",
}  # fmt: skip


def sector_of(soc: str) -> str:
    best = ""
    chosen = ""
    for prefix, sector in SECTORS.items():
        if soc.startswith(prefix) and len(prefix) > len(best):
            best, chosen = prefix, sector
    return chosen


def _num(text: str) -> float | None:
    text = (text or "").strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _write(name: str, header: list[str], rows: list[list[object]], manifest: dict[str, object]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = lzma.compress(buffer.getvalue().encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
    (OUT / name).write_bytes(data)
    manifest[name] = {"rows": len(rows), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def xlsx_rows(path: Path, sheet: str) -> list[dict[str, str]]:
    """The cells of one worksheet, by column letter (a minimal reader: no openpyxl needed)."""
    import re
    import xml.etree.ElementTree as ET
    import zipfile

    book = zipfile.ZipFile(path)
    workbook = ET.fromstring(book.read("xl/workbook.xml"))  # noqa: S314 - BLS files staged in shared/data
    sheets = workbook.find("m:sheets", _NS)
    rid = next(s.attrib[f"{{{_NS['r']}}}id"] for s in sheets or () if s.attrib["name"] == sheet)
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    target = next(r.attrib["Target"] for r in rels if r.attrib["Id"] == rid).lstrip("/")
    target = target if target.startswith("xl/") else "xl/" + target
    strings = []
    if "xl/sharedStrings.xml" in book.namelist():
        for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS):  # noqa: S314
            strings.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
    rows = []
    for row in ET.fromstring(book.read(target)).iter(f"{{{_NS['m']}}}row"):  # noqa: S314
        cells = {}
        for c in row.findall("m:c", _NS):
            column = re.match(r"[A-Z]+", c.attrib["r"]).group(0)  # type: ignore[union-attr]
            v, kind = c.find("m:v", _NS), c.attrib.get("t")
            if kind == "inlineStr":
                cells[column] = "".join(x.text or "" for x in c.iter(f"{{{_NS['m']}}}t"))
            elif v is not None:
                cells[column] = strings[int(v.text or 0)] if kind == "s" else (v.text or "")
        rows.append(cells)
    return rows


def accuracy(demand: Path) -> dict[str, object]:
    """How far older BLS projections were from the 2024 employment of the 2024-34 matrix: for each vintage, the
    projected growth from its base year to 2024 (geometric interpolation to 2024 when the target is later) against
    the growth that happened, in percentage points, over the line items whose code is in both matrices."""

    def line_items(vintage: str) -> dict[str, tuple[float, float]]:
        out = {}
        for r in xlsx_rows(demand / f"bls_employment_projections/occupation_{vintage}.xlsx", "Table 1.2"):
            e0, e1 = _num(r.get("D", "")), _num(r.get("E", ""))
            if r.get("C", "").strip().lower().startswith("line") and e0 and e1 is not None:
                out[r.get("B", "").strip()] = (e0, e1)
        return out

    now = line_items("2024-34")
    result: dict[str, object] = {}
    for vintage in ("2014-24", "2016-26", "2019-29"):
        base, target = int(vintage[:4]), 2000 + int(vintage[-2:])
        errors = []
        weighted = []
        for code, (e0, e1) in sorted(line_items(vintage).items()):
            if code in now:
                projected = (e1 / e0) ** ((2024 - base) / (target - base)) - 1
                errors.append(100 * (now[code][0] / e0 - 1 - projected))
                weighted.append((abs(errors[-1]), e0))
        absolute = sorted(abs(e) for e in errors)
        weighted.sort()
        half, running, weighted_median = sum(w for _, w in weighted) / 2, 0.0, 0.0
        for error, weight in weighted:
            running += weight
            if running >= half:
                weighted_median = error
                break
        result[vintage] = {
            "years_to_2024": 2024 - base,
            "matched": len(errors),
            "median_abs_pp": round(absolute[len(absolute) // 2], 2),
            "employment_weighted_median_abs_pp": round(weighted_median, 2),
            "q80_abs_pp": round(absolute[int(0.8 * len(absolute))], 2),
            "mean_pp": round(sum(errors) / len(errors), 2),
        }
    return result


def occupations(demand: Path) -> list[list[object]]:
    oews: dict[str, float] = {}
    with gzip.open(demand / "bls_oews_may2025/oews_may2025_national_cross_industry_by_occupation.csv.gz", "rt") as f:
        for row in csv.DictReader(f):
            wage = _num(row["Annual median wage"])
            if wage is not None:
                oews[row["soc_code"]] = wage
    rows = []
    path = demand / "bls_employment_projections/ep_2024_34_table_1_2_occupational_projections.csv"
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Occupation type"] != "Line item":
                continue
            soc = row["2024 National Employment Matrix code"].strip()
            emp24 = _num(row["Employment, 2024"])
            emp34 = _num(row["Employment, 2034"])
            pct = _num(row["Employment change, percent, 2024–34"])
            openings = _num(row["Occupational openings, 2024–34 annual average"])
            if emp24 is None or emp34 is None or pct is None or openings is None:
                continue
            rows.append([
                soc,
                row["2024 National Employment Matrix title"].strip(),
                round(emp24 * 1000),
                round(emp34 * 1000),
                pct,
                round(openings * 1000),
                "" if soc not in oews else int(oews[soc]),
                "" if _num(row["Median annual wage, dollars, 2024[1]"]) is None
                else int(_num(row["Median annual wage, dollars, 2024[1]"]) or 0),
                row["Typical education needed for entry"].strip(),
                sector_of(soc),
            ])  # fmt: skip
    return sorted(rows, key=lambda r: str(r[0]))


def bright(demand: Path) -> list[list[object]]:
    cats: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, str] = {}
    for name, cat in (("bright_outlook_growth", "growth"), ("bright_outlook_openings", "openings"),
                      ("bright_outlook_new_emerging", "new"), ("bright_outlook", "")):  # fmt: skip
        with (demand / f"onet_bright_outlook/{name}.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                code = row["O*NET-SOC 2019 Code"].strip()
                titles[code] = row["O*NET-SOC 2019 Title"].strip()
                if cat:
                    cats[code].add(cat)
    return [[code, titles[code], ";".join(sorted(cats[code]))] for code in sorted(titles)]


def indeed(demand: Path) -> list[list[object]]:
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    with gzip.open(demand / "indeed_hiring_lab/US__job_postings_by_sector_US.csv.gz", "rt") as f:
        for row in csv.DictReader(f):
            value = _num(row["indeed_job_postings_index"])
            if value is not None and row["variable"] == "total postings":
                sums[(row["display_name"], row["date"][:7])].append(value)
    with gzip.open(demand / "indeed_hiring_lab/US__aggregate_job_postings_US.csv.gz", "rt") as f:
        for row in csv.DictReader(f):
            value = _num(row["indeed_job_postings_index_SA"])
            if value is not None and row["variable"] == "total postings":
                sums[("All postings", row["date"][:7])].append(value)
    rows: list[list[object]] = []
    for (series, month), values in sorted(sums.items()):
        if len(values) < 20:  # a month needs most of its days (the last one may be partial)
            continue
        rows.append([series, month, round(sum(values) / len(values), 2)])
    return rows


def esco_soc(known_soc: set[str]) -> list[list[object]]:
    from credstack.market.titles import default_title_mapper
    from credstack.taxonomy import source

    mapper = default_title_mapper()
    occupations = list(source.read("occupations"))
    direct: dict[str, tuple[str, str]] = {}
    for occ in occupations:
        for i, label in enumerate((occ.preferred_label, *occ.alt_labels)):
            match = mapper.map(label)
            if match.soc_code and match.soc_how in ("exact", "variant", "part"):
                soc = match.soc_code[:7]
                if soc in known_soc:
                    direct[occ.uri] = (soc, f"{'title' if i == 0 else 'alt'}:{match.soc_how}")
                    break
    by_group: dict[str, Counter[str]] = defaultdict(Counter)
    for occ in occupations:
        if occ.uri in direct:
            for size in (4, 3, 2):
                by_group[occ.isco_group[:size]][direct[occ.uri][0]] += 1
    rows: list[list[object]] = []
    for occ in sorted(occupations, key=lambda o: o.uri):
        isco = occ.isco_group or ""
        if occ.uri in direct:
            soc, how = direct[occ.uri]
        else:
            soc, how = "", ""
            for size in (4, 3):
                counts = by_group.get(isco[:size])
                if isco and counts:
                    soc = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                    how = f"isco{size}"
                    break
        rows.append([occ.uri, isco, soc, how])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    demand = args.shared / "demand"
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {}
    occ = occupations(demand)
    _write(
        "occupations.csv.xz",
        ["soc", "title", "employment_2024", "employment_2034", "change_pct", "openings_per_year",
         "median_wage_oews_2025", "median_wage_ep_2024", "education", "indeed_sector"],
        occ, manifest,
    )  # fmt: skip
    _write("bright_outlook.csv.xz", ["onet_soc", "title", "categories"], bright(demand), manifest)
    _write("indeed_us_monthly.csv.xz", ["series", "month", "index"], indeed(demand), manifest)
    _write("esco_soc.csv.xz", ["esco_uri", "isco", "soc", "how"], esco_soc({str(r[0]) for r in occ}), manifest)
    data = (json.dumps(accuracy(demand), indent=1, sort_keys=True) + "\n").encode("utf-8")
    (OUT / "projection_accuracy.json").write_bytes(data)
    manifest["projection_accuracy.json"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for name, entry in manifest.items():
        print(name, entry)


if __name__ == "__main__":
    main()
