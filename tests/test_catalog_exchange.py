"""Catalog exports and imports: OB 3.0 Achievement JSON and CTDL JSON-LD round trips of the whole seeded catalog
(demo + NJ ETPL), what the standard terms alone carry, imports from other systems, refusals, and pathways as CTDL
(all-of, n-of-m, min-credits) through the service, the CLI and the API."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import free_port, live_server
from catalog_support import open_app, seeded_database
from credstack.app import Credstack
from credstack.catalog._exchange import EXTENSION
from credstack.catalog.model import CatalogEntry
from credstack.cli import main
from credstack.errors import ConflictError, InvalidInputError, InvalidQualificationError


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credstack]:
    url, _ = seeded_database(tmp_path_factory)
    with open_app(url) as app:
        yield app


@pytest.fixture(scope="module")
def catalog(seeded: Credstack) -> list[CatalogEntry]:
    pages = [seeded.catalog.search(limit=100, offset=k) for k in range(0, seeded.catalog.count(), 100)]
    return sorted((h.entry for page in pages for h in page.hits), key=lambda e: e.id)


@pytest.fixture
def empty(sqlite_url: str) -> Iterator[Credstack]:
    with open_app(sqlite_url) as app:
        app.init_db()
        yield app


def _all(app: Credstack, source: str) -> list[CatalogEntry]:
    hits = [
        h.entry
        for k in range(0, app.catalog.count(), 100)
        for h in app.catalog.search(source=source, limit=100, offset=k).hits
    ]
    return sorted(hits, key=lambda e: e.id)


def _as(entries: list[CatalogEntry], source: str) -> list[CatalogEntry]:
    return [dataclasses.replace(e, source=source) for e in entries]


@pytest.mark.parametrize("format", ["ob", "ctdl"])
def test_export_then_import_gives_the_same_entries(
    seeded: Credstack, catalog: list[CatalogEntry], empty: Credstack, format: str
) -> None:
    assert len(catalog) == 676  # 548 generated demo entries (no job postings here) and 128 NJ programmes
    document = json.loads(json.dumps(seeded.catalog.export(format)))  # through JSON text, as in a file
    report = empty.catalog.import_entries(document, source="copy")
    assert (report.format, report.entries) == (format, 676)
    assert _all(empty, "copy") == _as(catalog, "copy")


def _without_extension(document: Any) -> Any:
    if isinstance(document, dict) and "@graph" in document:
        return {**document, "@graph": [_without_extension(d) for d in document["@graph"]]}
    if isinstance(document, list):
        return [_without_extension(d) for d in document]
    return {k: v for k, v in document.items() if k != EXTENSION}


def test_the_standard_terms_alone_carry_the_entry(seeded: Credstack, catalog: list[CatalogEntry]) -> None:
    from credstack.catalog.ctdl import entries_from_ctdl
    from credstack.catalog.ob import entries_from_ob

    ob = entries_from_ob(_without_extension(seeded.catalog.export("ob")), "x")
    ctdl = entries_from_ctdl(_without_extension(seeded.catalog.export("ctdl")), "x")
    common = ("id", "name", "description", "provider", "skills", "language", "tags")
    for original, a, b in zip(catalog, sorted(ob, key=lambda e: e.id), sorted(ctdl, key=lambda e: e.id), strict=True):
        for name in common:
            assert getattr(a, name) == getattr(original, name) == getattr(b, name), (original.id, name)
        assert a.eqf_level == original.eqf_level and a.achievement_type == original.achievement_type
        assert a.ects == original.credits_available  # OB says creditsAvailable, one number
        for name in ("ects", "us_credits", "effort_hours", "price", "currency", "validity_months", "prerequisites"):
            assert getattr(b, name) == getattr(original, name), (original.id, name)
        assert b.occupations == original.occupations


def test_one_entry_in_each_format(seeded: Credstack) -> None:
    ob = seeded.catalog.export_entry("nj-27384", "ob")
    assert ob["type"] == ["Achievement"] and ob["humanCode"] == "nj-27384"
    assert ob["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert ob[EXTENSION]["@type"] == "@json" and ob[EXTENSION]["@value"]["price"] == 15578.0
    ctdl = seeded.catalog.export_entry("nj-27384", "ctdl")
    assert ctdl["@type"] == "ceterms:Certification" and ctdl["ceterms:ctid"].startswith("ce-")
    assert ctdl["ceterms:estimatedCost"][0]["ceterms:price"] == 15578.0
    assert ctdl["ceterms:estimatedCost"][0]["ceterms:currency"] == "USD"
    assert seeded.catalog.export_entry("nj-27384", "ctdl")["ceterms:ctid"] == ctdl["ceterms:ctid"]  # stable
    micro = seeded.catalog.export_entry("demo-00-00-f", "ctdl")
    assert micro["@type"] == "ceterms:MicroCredential"
    competencies = micro["ceterms:requires"][0]["ceterms:targetCompetency"]
    assert competencies and all(c["@type"] == "ceterms:CredentialAlignmentObject" for c in competencies)
    assert all(c["ceterms:targetNode"].startswith("http://data.europa.eu/esco/skill/") for c in competencies)
    credit = micro["ceterms:creditValue"][0]
    assert credit["@type"] == "ceterms:ValueProfile" and credit["schema:value"] > 0
    assert credit["ceterms:creditUnitType"][0]["ceterms:targetNode"] == "creditUnit:DegreeCredit"  # ECTS
    assert micro["ceterms:estimatedDuration"][0]["ceterms:exactDuration"].startswith("PT")


def test_an_achievement_from_another_system_imports(empty: Credstack) -> None:
    achievement = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "https://college.example/achievements/sql-101",
        "type": ["Achievement"],
        "name": "SQL for analysts",
        "description": "Querying relational databases.",
        "criteria": {"narrative": "Pass the final exam."},
        "creditsAvailable": 3,
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "SQL",
                "targetUrl": "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742",
                "targetFramework": "ESCO",
            },
            {"type": ["Alignment"], "targetName": "EQF level 5", "targetUrl": "http://data.europa.eu/snb/eqf/5"},
        ],
        "creator": {"id": "https://college.example", "type": ["Profile"], "name": "Example College"},
    }
    credential = {
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {
            "achievement": {
                **achievement,
                "id": "https://college.example/achievements/excel",
                "name": "Excel",
                "alignment": [],
            }
        },
    }
    report = empty.catalog.import_entries([achievement, credential], source="college")
    assert report.entries == 2
    entry = empty.catalog.get("sql-101")
    assert (entry.name, entry.provider, entry.ects, entry.eqf_level) == ("SQL for analysts", "Example College", 3.0, 5)
    assert [(s.label, s.level) for s in entry.skills] == [("SQL", 2)]
    assert entry.criteria == "Pass the final exam." and entry.source == "college"
    assert empty.catalog.search("excel").hits[0].entry.id == "excel"


def test_bad_imports_are_refused_and_change_nothing(seeded: Credstack, empty: Credstack) -> None:
    document = seeded.catalog.export("ob", source="nj-etpl")
    empty.catalog.import_entries(document, source="first")
    with pytest.raises(ConflictError, match="--id-prefix"):
        empty.catalog.import_entries(document, source="second")
    assert empty.catalog.import_entries(document, source="second", id_prefix="b-").entries == 128
    assert empty.catalog.count() == 256
    broken = json.loads(json.dumps(document))
    broken[5]["name"] = ""
    with pytest.raises(InvalidInputError, match=r"\$\[5\]"):
        empty.catalog.import_entries(broken, source="first")
    with pytest.raises(InvalidInputError, match="seeded"):
        empty.catalog.import_entries(document, source="demo")
    with pytest.raises(InvalidInputError, match="source name"):
        empty.catalog.import_entries(document, source="Bad Name")
    assert empty.catalog.count() == 256  # nothing half-written


def _qualification(catalog: list[CatalogEntry]) -> dict[str, Any]:
    demo = [e for e in catalog if e.source == "demo" and e.credit_bearing and e.eqf_level]
    core, electives = demo[0], demo[1:4]
    return {
        "type": "Qualification",
        "id": "software-basics",
        "name": "Software basics certificate",
        "credits": 30,
        "requirement": {
            "type": "all-of",
            "requirements": [
                {
                    "type": "achievement",
                    "achievementId": core.id,
                    "minResult": {"resultDescription": "exam", "value": 70},
                },
                {
                    "type": "n-of",
                    "n": 2,
                    "label": "electives",
                    "requirements": [{"type": "achievement", "achievementId": e.id} for e in electives],
                },
                {"type": "credits", "credits": 20, "filter": {"minLevel": 5, "tags": [core.tags[0]]}},
            ],
        },
        "prerequisites": [{"before": core.id, "after": electives[0].id}],
    }


def test_a_pathway_exports_as_ctdl_with_all_of_n_of_m_and_min_credits(
    seeded: Credstack, catalog: list[CatalogEntry]
) -> None:
    qualification = _qualification(catalog)
    graph = seeded.catalog.pathway_ctdl(qualification)["@graph"]
    by_id = {node["@id"]: node for node in graph}
    (pathway,) = [n for n in graph if n["@type"] == "ceterms:Pathway"]
    destination = by_id[pathway["ceterms:hasDestinationComponent"][0]]
    assert destination["@type"] == "ceterms:CredentialComponent"
    assert destination["ceterms:creditValue"][0]["schema:value"] == 30
    (root,) = destination["ceterms:hasCondition"]
    assert root["@type"] == "ceterms:ComponentCondition" and root["ceterms:requiredNumber"] == 3  # all of 3
    core = by_id[root["ceterms:targetComponent"][0]]
    assert core["ceterms:proxyFor"].endswith(
        "/catalog/" + qualification["requirement"]["requirements"][0]["achievementId"]
    )
    assert "at least 70" in core["ceterms:description"]["en"]
    n_of, credits = root["ceterms:hasCondition"]
    assert n_of["ceterms:requiredNumber"] == 2 and len(n_of["ceterms:targetComponent"]) == 3  # 2 of 3
    (constraint,) = credits["ceterms:hasConstraint"]
    assert constraint["ceterms:rightSource"] == ["20"] and constraint["ceterms:leftSource"] == ["ceterms:creditValue"]
    tag = qualification["requirement"]["requirements"][2]["filter"]["tags"][0]
    eligible = {e.id for e in catalog if e.credit_bearing and (e.eqf_level or 0) >= 5 and tag in e.tags}
    listed = {by_id[c]["ceterms:proxyFor"].rsplit("/", 1)[-1] for c in credits["ceterms:targetComponent"]}
    assert listed == eligible and eligible
    referenced = set(pathway["ceterms:hasPart"]) | set(destination["ceterms:hasChild"])
    assert referenced <= set(by_id) and all(c.startswith(pathway["@id"]) for c in referenced)
    after = next(
        n for n in graph if n.get("ceterms:proxyFor", "").endswith("/" + qualification["prerequisites"][0]["after"])
    )
    assert after["ceterms:prerequisite"] == [core["@id"]] and core["ceterms:precedes"] == [after["@id"]]
    with pytest.raises(InvalidQualificationError, match=r"requirement\.requirements\[1\]\.n"):
        seeded.catalog.pathway_ctdl(
            {
                **qualification,
                "requirement": {
                    **qualification["requirement"],
                    "requirements": [
                        qualification["requirement"]["requirements"][0],
                        {"type": "n-of", "n": "two", "requirements": []},
                    ],
                },
            }
        )


def run(*args: str) -> int:
    try:
        main(["catalog", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_export_and_import(
    seeded: Credstack,
    catalog: list[CatalogEntry],
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", str(seeded.settings.database_url))
    quals = tmp_path / "quals.json"
    quals.write_text(json.dumps([_qualification(catalog)]))
    out = tmp_path / "catalog.ctdl.json"
    assert run("export", "--format", "ctdl", "--pathway-file", str(quals), "-o", str(out)) == 0
    graph = json.loads(out.read_text())["@graph"]
    assert sum(n["@type"] == "ceterms:Pathway" for n in graph) == 1 and len(graph) > 676
    assert run("export", "--format", "ob", "--pathway-file", str(quals)) == 2
    assert "CTDL only" in capsys.readouterr().err
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", sqlite_url)
    with open_app(sqlite_url) as app:
        app.init_db()
    assert run("import", str(out), "--source", "mirror", "--no-index", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["source"], report["format"], report["entries"], report["index"]) == ("mirror", "ctdl", 676, None)
    with open_app(sqlite_url) as app:
        assert _all(app, "mirror") == _as(catalog, "mirror")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert run("import", str(bad), "--no-index") == 2
    assert "malformed_json" in capsys.readouterr().err


def test_api_formats(seeded: Credstack) -> None:
    with live_server(seeded, free_port()) as base, httpx.Client(base_url=base, timeout=60) as http:
        ctdl = http.get("/api/catalog/nj-27384.ctdl.json").json()
        assert ctdl["@type"] == "ceterms:Certification"
        assert http.get("/api/catalog/nj-27384", params={"format": "ctdl"}).json() == ctdl
        ob = http.get("/api/catalog/nj-27384.ob.json").json()
        assert ob["type"] == ["Achievement"] and ob["humanCode"] == "nj-27384"
        everything = http.get("/api/catalog/export", params={"format": "ob", "source": "nj-etpl"}).json()
        assert len(everything) == 128
        assert http.get("/api/catalog/nj-27384", params={"format": "xml"}).status_code == 400
        assert http.get("/api/catalog/nope.ctdl.json").status_code == 404


def test_stored_pathways_export_as_ctdl(
    tmp_path: Path,
    catalog: list[CatalogEntry],
    seeded: Credstack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    copy = tmp_path / "with-pathway.db"
    shutil.copyfile(str(seeded.settings.database_url).removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with open_app(url) as app:
        app.init()
        valid = _qualification(catalog)  # without the result threshold and with credits the catalog can give
        core, electives, _ = valid["requirement"]["requirements"]
        del core["minResult"]
        valid["requirement"]["requirements"] = [
            core,
            electives,
            {"type": "credits", "credits": 5, "filter": {"minLevel": 5}},
        ]
        stored = app.pathways.create(valid)
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)
    assert run("export", "--format", "ctdl", "--source", "nj-etpl", "--pathways") == 0
    graph = json.loads(capsys.readouterr().out)["@graph"]
    (pathway,) = [n for n in graph if n["@type"] == "ceterms:Pathway"]
    assert pathway["@id"].endswith(f"/pathways/{stored.id}") and pathway["ceterms:name"]["en"] == stored.name
    assert sum(n["@type"] == "ceterms:Certification" for n in graph) >= 1  # the NJ entries are there too
    with open_app(url) as app, live_server(app, free_port()) as base, httpx.Client(base_url=base, timeout=60) as http:
        body = http.get("/api/catalog/export", params={"format": "ctdl", "source": "demo", "pathways": "true"}).json()
        assert [n["@id"] for n in body["@graph"] if n["@type"] == "ceterms:Pathway"] == [pathway["@id"]]
