"""The New Jersey ETPL as a catalog source: the lookups of industry credentials and licences (O*NET), the CIP-SOC
crosswalk, and what a catalog user sees of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog_support import open_app, seeded_database
from credstack.app import Credstack
from credstack.catalog import CatalogEntry, nj, source


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credstack]:
    url, _ = seeded_database(tmp_path_factory)
    with open_app(url) as app:
        yield app


def _nj(app: Credstack) -> list[CatalogEntry]:
    return [h.entry for offset in (0, 100) for h in app.catalog.search(source="nj-etpl", limit=100, offset=offset).hits]


def test_the_shipped_lookups_parse_in_full():
    credentials = nj.industry_credentials(source.read_rows("nj_industry_credentials"))
    licences = nj.licences(source.read_rows("nj_licences"))
    assert len(credentials) == 2041 and sum(c.retired for c in credentials.values()) == 264
    assert credentials["8"].name == "CompTIA A+" and credentials["8"].code == "0008"
    assert len(licences) == 228
    assert (licences["925"].name, licences["925"].onet_code) == ("TRUCK DRIVER", "53-3032.00")
    assert licences["850"].label == "Licensed practical nurse (LPN)"
    assert nj.licence_title_variants(licences["943"]) == [
        "homemaker home health aide", "homemaker home health aides", "homemaker", "homemakers",
        "home health aide", "home health aides",
    ]  # fmt: skip


def test_programmes_name_the_credentials_and_licences_they_lead_to(app):
    entries = _nj(app)
    assert len(entries) == 128
    with_credential = [e for e in entries if e.extra.get("industryCredentials")]
    with_licence = [e for e in entries if e.extra.get("licences")]
    assert (len(with_credential), len(with_licence)) == (62, 19)
    adobe = app.catalog.get("nj-47909")
    assert adobe.extra["industryCredentials"] == [
        {"name": "Adobe Certified Associate", "code": None, "issuerId": "560", "retired": True}
    ]
    massage = app.catalog.get("nj-27384")
    assert massage.criteria == (
        "Complete the programme and pass its proctored exam, leading to: Massage and Bodywork; "
        "New Jersey licence: Massage therapist."
    )
    assert "New Jersey licence: Massage therapist" in massage.tags
    # the state's code for this licence ("989") is no O*NET code: its name is an O*NET title
    (licence,) = massage.extra["licences"]
    assert (licence["matchedBy"], licence["onet"]) == ("name", [{"code": "31-9011.00", "title": "Massage Therapists"}])
    assert not any("and its completion" in e.criteria for e in entries)
    assert all(e.criteria.startswith("Complete the programme") and e.criteria.endswith(".") for e in entries)


def test_a_credential_name_finds_the_programmes_that_lead_to_it(app):
    page = app.catalog.search("CompTIA A+", source="nj-etpl", limit=50)
    hits = [h.entry for h in page.hits]
    assert len(hits) >= 6
    assert all("CompTIA A+" in e.tags for e in hits[:6])


def test_licences_add_their_onet_occupations_and_skills(app):
    taxonomy = app.taxonomy
    truck = app.catalog.get("nj-52034")  # CDL Class A: the licence's code is a current O*NET code
    (licence,) = truck.extra["licences"]
    assert (licence["matchedBy"], licence["onet"][0]["code"]) == ("code", "53-3032.00")
    assert truck.extra["soc"][0] == "53-3032"
    nurse_aide = app.catalog.get("nj-45131")  # the state's 31-1021.00 is gone from O*NET: found by name
    (licence,) = nurse_aide.extra["licences"]
    assert licence["matchedBy"] == "name" and licence["onet"][0]["code"] == "31-1131.00"
    labels = {taxonomy.show(uri).preferred_label for uri in nurse_aide.occupations}  # type: ignore[union-attr]
    assert labels and nurse_aide.skills
    dental = app.catalog.get("nj-39798")  # 29-2034.04 is gone; its SOC part 29-2034 is not
    assert dental.extra["licences"][0]["matchedBy"] == "code prefix"
    assert any("radiolog" in s.label for s in dental.skills)
    solar = app.catalog.get("nj-44728")  # an electrical contractor's licence (O*NET 11-9021) counts too
    assert "11-9021" in solar.extra["soc"] and len(solar.occupations) == 4


def test_solar_programmes_meet_the_crosswalk_through_their_cip_2020_code(app):
    solar = app.catalog.get("nj-48593")
    assert solar.extra["cip"] == "15.0505" and "47-2231" in solar.extra["soc"]
    assert solar.occupations


def test_few_programmes_are_left_without_occupations_or_skills(app):
    entries = _nj(app)
    no_occupation = sorted(e.id for e in entries if not e.occupations)
    # GED preparation (CIP 32.0101: no occupation), dental radiology (CIP 51.0699: not in the crosswalk),
    # licensed practical nursing (O*NET 29-2061 has no ESCO occupation of the same title)
    assert no_occupation == ["nj-43427", "nj-45592", "nj-8759"]
    assert sum(not e.skills for e in entries) <= 7
