"""The taxonomy files shipped inside the package (``taxonomy/data``) and their attribution.

The only file access in :mod:`credstack.taxonomy`: it reads the package's own data through
:mod:`importlib.resources`, never anything outside the package. ``manifest.json`` (written by
``scripts/vendor_taxonomy.py``) gives each file's row count and SHA-256; :func:`read` refuses a file whose bytes
do not match it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from credstack.errors import ConfigurationError
from credstack.taxonomy import records

__all__ = ["ATTRIBUTION", "DATASETS", "ESCO_VERSION", "ONET_VERSION", "Dataset", "datasets", "read"]

ESCO_VERSION = "ESCO v1.1.1"
ONET_VERSION = "O*NET 29.2"

#: The attribution both publishers ask for; shown by ``credstack taxonomy`` and the about page.
ATTRIBUTION = (
    "Skills and occupations: ESCO classification, European Commission, v1.1.1 "
    "(https://esco.ec.europa.eu), reused under the Commission's reuse policy (Decision 2011/833/EU, CC BY 4.0). "
    "This service uses the ESCO classification of the European Commission.\n"
    "This data includes information from the O*NET 29.2 Database by the U.S. Department of Labor, Employment and "
    "Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA. "
    "credstack has modified all or some of this information; USDOL/ETA has not approved, endorsed, or tested "
    "these modifications."
)


@dataclass(frozen=True)
class Dataset:
    """One shipped file: its name, the parser for its rows and what the manifest says about it."""

    name: str
    file: str
    parse: Callable[[Any, str], Any]
    rows: int
    sha256: str


_PARSERS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "skill_groups": ("esco_skill_groups.csv.xz", records.parse_skill_group),
    "skills": ("esco_skills.csv.xz", records.parse_skill),
    "isco_groups": ("esco_isco_groups.csv.xz", records.parse_isco_group),
    "occupations": ("esco_occupations.csv.xz", records.parse_occupation),
    "skill_broader": ("esco_broader_skill.csv.xz", records.parse_broader),
    "occupation_broader": ("esco_broader_occupation.csv.xz", records.parse_broader),
    "skill_relations": ("esco_skill_skill_relations.csv.xz", records.parse_skill_relation),
    "occupation_skills": ("esco_occupation_skill_relations.csv.xz", records.parse_occupation_skill),
    "onet_occupations": ("onet_occupations.csv.xz", records.parse_onet_occupation),
    "onet_technology_skills": ("onet_technology_skills.csv.xz", records.parse_onet_technology_skill),
    "onet_alternate_titles": ("onet_alternate_titles.csv.xz", records.parse_onet_alternate_title),
    "onet_tasks": ("onet_tasks.csv.xz", records.parse_onet_task),
}


def _data() -> Any:
    return resources.files("credstack.taxonomy").joinpath("data")


@cache
def _manifest() -> dict[str, dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = json.loads(_data().joinpath("manifest.json").read_text(encoding="utf-8"))
    return manifest


@cache
def datasets() -> dict[str, Dataset]:
    """Every shipped dataset by name, in load order (concepts before the relations that refer to them)."""
    manifest = _manifest()
    out = {}
    for name, (file, parse) in _PARSERS.items():
        if file not in manifest:
            raise ConfigurationError(f"taxonomy data file {file} is missing from the package manifest")
        entry = manifest[file]
        out[name] = Dataset(name=name, file=file, parse=parse, rows=int(entry["rows"]), sha256=str(entry["sha256"]))
    return out


DATASETS = tuple(_PARSERS)


def read(name: str) -> Iterator[Any]:
    """The records of dataset ``name``, parsed, in the publisher's row order. Checks the file's SHA-256 first."""
    dataset = datasets()[name]
    data = _data().joinpath(dataset.file).read_bytes()
    if hashlib.sha256(data).hexdigest() != dataset.sha256:
        raise ConfigurationError(f"taxonomy data file {dataset.file} does not match its manifest (corrupt install?)")
    text = lzma.decompress(data).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield dataset.parse(row, f"{dataset.file} line {reader.line_num}")
