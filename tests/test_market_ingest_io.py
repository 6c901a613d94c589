"""Ingestion at the edges: the row-accounting invariant on generated messy CSVs (hypothesis), gzip detection, the
``credstack market`` commands, and the HTTP batch endpoint with and without the ``market`` scope."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import served_credstack
from credstack.app import Credstack
from credstack.cli import main
from credstack.settings import Settings
from market_support import real_rows, write_jsonl

_cell = st.one_of(
    st.sampled_from(["", "Data Scientist", "Nurse", "Python, SQL and statistics", 'say "hi"', "a\nb", "2026-01-05"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
)
_date = st.sampled_from(["2026-01-05", "2025-12", "05/01/2026", "soon", "", "2026-02-30", "1850-01-01"])


@st.composite
def messy_csv(draw: st.DrawFn) -> tuple[bytes, int]:
    """A CSV with a header and rows of random width and content (some good, many not); and its record count."""
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        width = draw(st.integers(1, 8))
        row = [draw(_cell) for _ in range(width)]
        if width >= 3 and draw(st.booleans()):
            row[2] = draw(_date)
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "text", "date", "location", "employer", "source_id"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    records = sum(1 for r in rows if any(c.strip() for c in r))
    if draw(st.booleans()):
        data = gzip.compress(data)
    return data, records


@pytest.fixture(scope="module")
def quiet_app(tmp_path_factory: pytest.TempPathFactory) -> Credstack:
    folder = tmp_path_factory.mktemp("market-io")
    cs = Credstack.from_settings(Settings(database_url=f"sqlite:///{folder / 'c.db'}"))
    cs.init_db()
    yield cs
    cs.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messy_csv())
def test_every_row_read_is_accepted_a_duplicate_or_rejected(quiet_app, tmp_path_factory, generated):
    data, records = generated
    folder = tmp_path_factory.mktemp("messy")
    path, rejects = folder / "postings.csv", folder / "rejects.jsonl"
    path.write_bytes(data)
    before = quiet_app.market.store.sql("SELECT count(*) FROM postings")[0][0] if records else None
    report = quiet_app.market.ingest(path, rejects=rejects)
    assert report.rows_read == records
    assert report.accepted + report.duplicates + report.rejected == report.rows_read
    assert rejects.read_text(encoding="ascii").count("\n") == report.rejected
    if before is not None:
        after = quiet_app.market.store.sql("SELECT count(*) FROM postings")[0][0]
        assert after - before == report.accepted  # every accepted posting is stored, nothing else


def test_gzip_is_read_from_the_bytes_whatever_the_name(quiet_app, tmp_path):
    rows = real_rows("nyc_jobs_2019", step=50)
    plain = write_jsonl(tmp_path / "plain.jsonl", rows)
    hidden = tmp_path / "renamed.jsonl"
    hidden.write_bytes(gzip.compress(plain.read_bytes()))
    first = quiet_app.market.ingest(hidden)
    assert first.rows_read == len(rows) and first.rejected == 0 and first.accepted > 0
    again = quiet_app.market.ingest(plain)
    assert again.accepted == 0 and again.duplicates == len(rows)


# -- command line -----------------------------------------------------------------------------------------------


def run(*args: str) -> int:
    try:
        main(["market", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def cli_env(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    return tmp_path


def test_cli_ingest_prints_the_accounting_and_writes_rejects(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    rows = real_rows("usajobs_ai_cyber_summaries", step=40)
    rows.append({"job_id": "x", "title": "", "description": "no title", "posted_at": "2026-01-01"})
    path = write_jsonl(cli_env / "postings.jsonl.gz", rows, gzipped=True)
    rejects = cli_env / "rejects.jsonl"
    assert run("ingest", str(path), "--mapping", "usajobs-summaries", "--rejects", str(rejects), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rowsRead"] == len(rows) and report["rejected"] == 1
    assert report["accepted"] + report["duplicates"] + report["rejected"] == report["rowsRead"]
    assert json.loads(rejects.read_text(encoding="utf-8"))["line"] == len(rows)
    assert run("ingest", str(path)) == 0
    text = capsys.readouterr().out
    assert f"read {len(rows):,} rows = 0 accepted" in text
    assert run("trends", "--limit", "3", "--json") == 0
    trends = json.loads(capsys.readouterr().out)
    assert len(trends["skills"]) == 3 and trends["coverage"]["withText"] == report["accepted"]
    top = trends["skills"][0]["uri"]
    assert run("cooccur", top, "--json") == 0
    assert json.loads(capsys.readouterr().out)["skill"] == top


def test_cli_refuses_bad_input_with_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    assert run("ingest", str(cli_env / "missing.csv")) == 2
    assert run("ingest") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "missing.csv" in err[0] and "--builtin" in err[1]
    (cli_env / "bad-header.csv").write_text("title,title\nx,y\n", encoding="utf-8")
    assert run("ingest", str(cli_env / "bad-header.csv")) == 2
    assert "header" in capsys.readouterr().err


# -- HTTP -------------------------------------------------------------------------------------------------------


def test_the_batch_endpoint_needs_the_market_scope_and_returns_the_accounting(tmp_path: Path):
    batch = real_rows("usajobs_ai_cyber_summaries", step=100)
    batch.append({"title": "Welder"})  # no date: rejected
    batch.append("not an object")
    with served_credstack(tmp_path) as (cs, base):
        market_token = cs.tokens.create(["market"])
        issue_token = cs.tokens.create(["issue"])
        url = f"{base}/api/market/postings"
        body = {"postings": batch, "source": "usajobs-api", "mapping": "usajobs-summaries"}
        anonymous = httpx.post(url, json=body)
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
        wrong = httpx.post(url, json=body, headers={"Authorization": f"Bearer {issue_token}"})
        assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
        ok = httpx.post(url, json=body, headers={"Authorization": f"Bearer {market_token}"}, timeout=60)
        assert ok.status_code == 200, ok.text
        report = ok.json()
        assert report["rowsRead"] == len(batch) and report["rejected"] == 2
        assert report["accepted"] + report["duplicates"] + report["rejected"] == len(batch)
        assert [r["line"] for r in report["rejections"]] == [len(batch) - 1, len(batch)]
        assert report["source"] == "usajobs-api"
        bad = httpx.post(url, json={"postings": "x"}, headers={"Authorization": f"Bearer {market_token}"})
        assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
        skills = httpx.get(f"{base}/api/market/skills", params={"limit": 3}).json()
        assert len(skills["skills"]) == 3 and skills["coverage"]["withText"] == report["accepted"]
        series = httpx.get(f"{base}/api/market/skills/series", params={"skill": skills["skills"][0]["uri"]}).json()
        assert sum(p["postings"] for p in series["series"]) == skills["skills"][0]["postings"]
        assert httpx.get(f"{base}/api/market/emerging").status_code == 200
        missing = httpx.get(f"{base}/api/market/cooccurring", params={"skill": "no such skill"})
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_long_ingestion_flushes_in_chunks_and_publishes_everything(quiet_app, tmp_path, monkeypatch):
    from credstack.services import market_ingest

    monkeypatch.setattr(market_ingest, "FLUSH", 4)
    rows = real_rows("usajobs_questionnaires_sample", step=97)
    report = quiet_app.market.ingest(write_jsonl(tmp_path / "q.jsonl", rows))
    assert report.accepted > 8 and report.balanced
    stored = quiet_app.market.store.sql(
        "SELECT count(*), count(DISTINCT run) FROM postings WHERE source = 'usajobs-questionnaires'"
    )[0]
    assert stored == (report.accepted, 1)
    assert not list(quiet_app.market.data_dir.glob(".staging-*"))


def _tables(cs: Credstack) -> dict[str, list[tuple[object, ...]]]:
    import sqlalchemy as sa

    from credstack.storage import market_tables as mt

    out = {}
    with cs.db.read() as session:
        for table in (mt.MarketDemand, mt.MarketTotal, mt.MarketCooccurrence, mt.MarketSkill, mt.MarketOccupation):
            columns = [c for c in table.__table__.columns]
            out[table.__tablename__] = sorted(tuple(r) for r in session.execute(sa.select(*columns)))
    return out


def test_http_batches_update_the_demand_tables_exactly_as_a_full_recount(tmp_path):
    cs = Credstack.from_settings(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    with cs:
        cs.init_db()
        rows = real_rows("usajobs_ai_cyber_summaries", step=15)
        cs.market.ingest(write_jsonl(tmp_path / "first.jsonl", rows[: len(rows) // 2]))
        second = cs.market.ingest_records(rows[len(rows) // 2 :], mapping="usajobs-summaries")
        third = cs.market.ingest_records(real_rows("nyc_jobs_2019", step=40))
        assert second.accepted and third.accepted
        incremental = _tables(cs)
        cs.market.refresh()
        assert _tables(cs) == incremental
