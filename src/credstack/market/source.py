"""The job postings shipped inside the package (``market/data``), for ``credstack market ingest --builtin``.

Real, public-domain postings (USAJOBS, NYC Open Data), built by ``scripts/vendor_postings.py``; origin, licence and
processing are in ``market/data/PROVENANCE.md``. The only file access here: the package's own data, SHA-256 checked
against ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from credstack.errors import ConfigurationError

__all__ = ["Builtin", "builtin_datasets", "read_builtin"]


@dataclass(frozen=True)
class Builtin:
    """One shipped file: dataset ``name``, ``file``, the field ``mapping`` that reads it, ``rows`` and digest."""

    name: str
    file: str
    mapping: str
    rows: int
    sha256: str


def _data() -> Any:
    return resources.files("credstack.market").joinpath("data")


@cache
def builtin_datasets() -> tuple[Builtin, ...]:
    """The shipped datasets, postings with text first, then the USAJOBS announcement counts."""
    manifest = json.loads(_data().joinpath("manifest.json").read_text(encoding="utf-8"))
    return tuple(
        Builtin(name, str(e["file"]), str(e["mapping"]), int(e["rows"]), str(e["sha256"]))
        for name, e in manifest.items()
    )


def read_builtin(dataset: Builtin) -> bytes:
    """The decompressed JSON-lines bytes of ``dataset`` (refused when the file does not match the manifest)."""
    data = _data().joinpath(dataset.file).read_bytes()
    if hashlib.sha256(data).hexdigest() != dataset.sha256:
        raise ConfigurationError(f"market data file {dataset.file} does not match its manifest (corrupt install?)")
    return lzma.decompress(data)
