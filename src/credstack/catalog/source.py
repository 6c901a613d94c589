"""The catalog data shipped in the package (``catalog/data``): the NJ ETPL programmes, their outcomes, the ETPL's
industry-credential and licence lookups and the NCES CIP-SOC crosswalk, with their attribution.

The only file access in :mod:`credstack.catalog`: the package's own data through :mod:`importlib.resources`, each
file checked against the SHA-256 in ``manifest.json`` (see ``data/PROVENANCE.md``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
from functools import cache
from importlib import resources
from typing import Any

from credstack.errors import ConfigurationError

__all__ = ["ATTRIBUTION", "FILES", "read_rows", "sha256"]

FILES = {
    "nj_programmes": "nj_etpl_programs.csv.xz",
    "nj_outcomes": "nj_etpl_outcomes_by_provider_cip.csv.xz",
    "cip_soc": "nces_cip2020_soc2018_crosswalk.csv.xz",
    "nj_industry_credentials": "nj_etpl_industry_credentials.csv.xz",
    "nj_licences": "nj_etpl_licenses_onet.csv.xz",
}

#: Shown wherever the imported NJ programmes appear.
ATTRIBUTION = (
    "Training programme data: New Jersey Department of Labor and Workforce Development, Eligible Training Provider "
    "List, via the NJ Training Explorer (github.com/newjersey/dol-mcnj-main, MIT licence, (c) 2020 Data for the "
    "American Dream). CIP-SOC crosswalk: NCES/BLS, public domain. Demo providers are fictional."
)


def _data() -> Any:
    return resources.files("credstack.catalog").joinpath("data")


@cache
def _manifest() -> dict[str, dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = json.loads(_data().joinpath("manifest.json").read_text(encoding="utf-8"))
    return manifest


def sha256(name: str) -> str:
    """The SHA-256 the manifest gives for dataset ``name`` (what makes a second import a no-op)."""
    return str(_manifest()[FILES[name]]["sha256"])


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of dataset ``name`` (a key of :data:`FILES`) as dicts, after checking the file's SHA-256."""
    file = FILES[name]
    data = _data().joinpath(file).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256(name):
        raise ConfigurationError(f"catalog data file {file} does not match its manifest (corrupt install?)")
    return list(csv.DictReader(io.StringIO(lzma.decompress(data).decode("utf-8"), newline="")))
