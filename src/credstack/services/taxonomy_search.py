"""Search over the loaded taxonomy: builds the pure :class:`~credstack.taxonomy.search.SearchIndex` from the
database once per process (per kind, on first use) and rebuilds it when a load changes the data."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from credstack.errors import InvalidInputError, TaxonomyNotLoadedError
from credstack.services.taxonomy_records import SearchHit
from credstack.storage.engine import Database
from credstack.storage.taxonomy_tables import (
    TaxonomyDataset,
    TaxonomyOccupation,
    TaxonomyOccupationSkill,
    TaxonomyOnetAlternateTitle,
    TaxonomyOnetOccupation,
    TaxonomySkill,
)
from credstack.taxonomy.text import split_labels

if TYPE_CHECKING:  # rapidfuzz is imported on first search only, so commands that never search start fast
    from credstack.taxonomy.search import Match, SearchIndex

__all__ = ["KINDS", "MAX_LIMIT", "TaxonomySearch"]

KINDS = ("skill", "occupation")
#: Most results one search returns.
MAX_LIMIT = 100


@dataclass(frozen=True)
class _Meta:
    kind: str
    scheme: str
    uri: str | None
    detail: str | None


class TaxonomySearch:
    """Ranked search by preferred label, alternative labels and fuzzy text; thread-safe, cached per data version."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._version: tuple[tuple[str, str, str], ...] = ()
        self._indexes: dict[str, tuple[SearchIndex, dict[str, _Meta]]] = {}

    def version(self) -> tuple[tuple[str, str, str], ...]:
        """What is loaded: (dataset, SHA-256, loaded at) per dataset; empty when nothing is."""
        with self._db.read() as session:
            rows = session.execute(sa.select(TaxonomyDataset.name, TaxonomyDataset.sha256, TaxonomyDataset.loaded_at))
            return tuple(sorted((n, s, at.isoformat()) for n, s, at in rows))

    def _index(self, kind: str, version: tuple[tuple[str, str, str], ...]) -> tuple[SearchIndex, dict[str, _Meta]]:
        with self._lock:
            if version != self._version:
                self._indexes.clear()
                self._version = version
            if kind not in self._indexes:
                self._indexes[kind] = self._build_skills() if kind == "skill" else self._build_occupations()
            return self._indexes[kind]

    def _build_skills(self) -> tuple[SearchIndex, dict[str, _Meta]]:
        from credstack.taxonomy.search import Entry, SearchIndex

        s, os_ = TaxonomySkill, TaxonomyOccupationSkill
        with self._db.read() as session:
            need = dict(
                (uri, n)
                for uri, n in session.execute(sa.select(os_.skill_uri, sa.func.count()).group_by(os_.skill_uri))
            )
            rows = session.execute(
                sa.select(s.uri, s.key, s.preferred_label, s.alt_labels, s.hidden_labels, s.skill_type)
                .where(s.kind == "skill")
                .order_by(s.uri)
            ).all()
        entries, meta = [], {}
        for uri, key, label, alt, hidden, skill_type in rows:
            entries.append(Entry(key, label, split_labels(alt), split_labels(hidden), float(need.get(uri, 0))))
            meta[key] = _Meta("skill", "esco", uri, skill_type)
        return SearchIndex(entries), meta

    def _build_occupations(self) -> tuple[SearchIndex, dict[str, _Meta]]:
        from credstack.taxonomy.search import Entry, SearchIndex

        o, on, alt = TaxonomyOccupation, TaxonomyOnetOccupation, TaxonomyOnetAlternateTitle
        with self._db.read() as session:
            esco = session.execute(
                sa.select(o.uri, o.key, o.code, o.preferred_label, o.alt_labels, o.hidden_labels)
                .where(o.kind == "occupation")
                .order_by(o.uri)
            ).all()
            onet = session.execute(sa.select(on.code, on.title).order_by(on.code)).all()
            titles: dict[str, list[str]] = {}
            for code, title in session.execute(sa.select(alt.code, alt.title).order_by(alt.id)):
                titles.setdefault(code, []).append(title)
        entries, meta = [], {}
        for uri, key, code, label, alt_labels, hidden in esco:
            entries.append(Entry(key, label, split_labels(alt_labels), split_labels(hidden)))
            meta[key] = _Meta("occupation", "esco", uri, f"ESCO {code}")
        for code, title in onet:
            entries.append(Entry(code, title, tuple(titles.get(code, ()))))
            meta[code] = _Meta("occupation", "onet", None, f"O*NET-SOC {code}")
        return SearchIndex(entries), meta

    def search(self, text: str, *, kind: str | None = None, limit: int = 10) -> list[SearchHit]:
        """The best ``limit`` skills and/or occupations for ``text``, best first (empty text: InvalidInputError)."""
        if kind is not None and kind not in KINDS:
            raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInputError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if not text or not text.strip():
            raise InvalidInputError("search text is empty: give a skill or occupation to look for")
        version = self.version()
        if not version:
            raise TaxonomyNotLoadedError("the skills taxonomy is not loaded: run `credstack taxonomy load`")
        hits: list[SearchHit] = []
        for each in (kind,) if kind else KINDS:
            index, meta = self._index(each, version)
            hits.extend(_hit(m, meta[m.entry.ref]) for m in index.search(text, limit=limit))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]


def _hit(match: Match, meta: _Meta) -> SearchHit:
    return SearchHit(
        kind=meta.kind,
        scheme=meta.scheme,
        id=match.entry.ref,
        uri=meta.uri,
        label=match.entry.label,
        score=match.score,
        match=match.how,
        matched_label=match.matched_label,
        matched_label_kind=match.matched_label_kind,
        detail=meta.detail,
    )
