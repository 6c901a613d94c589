"""Loading the shipped taxonomy into the database: one transaction per dataset, bulk inserts, idempotent.

A dataset is skipped when ``taxonomy_datasets`` says it was loaded from a file with the same SHA-256 and its
table still holds that many rows; otherwise its rows are deleted and inserted again in one transaction, so an
interrupted load leaves every dataset either complete or absent, and the next run completes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa

from credstack.errors import InvalidInputError
from credstack.storage.engine import Database
from credstack.storage.taxonomy_tables import (
    TaxonomyDataset,
    TaxonomyOccupation,
    TaxonomyOccupationBroader,
    TaxonomyOccupationSkill,
    TaxonomyOnetAlternateTitle,
    TaxonomyOnetOccupation,
    TaxonomyOnetTask,
    TaxonomyOnetTechnologySkill,
    TaxonomySkill,
    TaxonomySkillBroader,
    TaxonomySkillRelation,
)
from credstack.taxonomy import records as r
from credstack.taxonomy import source
from credstack.taxonomy.text import normalise

__all__ = ["BATCH", "Progress", "dangling_relations", "load_all", "loaded_counts"]

#: (dataset name, rows done, rows in the dataset); called at the start, after each batch and at the end.
Progress = Callable[[str, int, int], None]
#: Rows per executemany batch (all batches of a dataset share one transaction).
BATCH = 5_000


def _lines(labels: tuple[str, ...]) -> str:
    return "\n".join(labels)


def _skill(x: r.Skill) -> dict[str, Any]:
    return {
        "uri": x.uri, "key": x.key, "kind": "skill", "code": None, "preferred_label": x.preferred_label,
        "alt_labels": _lines(x.alt_labels), "hidden_labels": _lines(x.hidden_labels), "description": x.description,
        "scope_note": x.scope_note, "skill_type": x.skill_type, "reuse_level": x.reuse_level,
    }  # fmt: skip


def _group(x: r.SkillGroup) -> dict[str, Any]:
    return {
        "uri": x.uri, "key": x.key, "kind": "group", "code": x.code, "preferred_label": x.preferred_label,
        "alt_labels": _lines(x.alt_labels), "hidden_labels": "", "description": x.description,
        "scope_note": x.scope_note, "skill_type": None, "reuse_level": None,
    }  # fmt: skip


def _occupation(x: r.Occupation) -> dict[str, Any]:
    return {
        "uri": x.uri, "key": x.key, "kind": "occupation", "code": x.code, "isco_group": x.isco_group,
        "preferred_label": x.preferred_label, "alt_labels": _lines(x.alt_labels),
        "hidden_labels": _lines(x.hidden_labels), "description": x.description,
    }  # fmt: skip


def _isco(x: r.IscoGroup) -> dict[str, Any]:
    return {
        "uri": x.uri, "key": x.key, "kind": "isco", "code": x.code, "isco_group": None,
        "preferred_label": x.preferred_label, "alt_labels": "", "hidden_labels": "", "description": x.description,
    }  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    """How one dataset lands: its table, the rows of that table it owns, and the row converter."""

    model: Any
    owns: Any  # a WHERE clause selecting this dataset's rows, or None for the whole table
    row: Callable[[Any], dict[str, Any]]


_PLANS: dict[str, _Plan] = {
    "skill_groups": _Plan(TaxonomySkill, TaxonomySkill.kind == "group", _group),
    "skills": _Plan(TaxonomySkill, TaxonomySkill.kind == "skill", _skill),
    "isco_groups": _Plan(TaxonomyOccupation, TaxonomyOccupation.kind == "isco", _isco),
    "occupations": _Plan(TaxonomyOccupation, TaxonomyOccupation.kind == "occupation", _occupation),
    "skill_broader": _Plan(TaxonomySkillBroader, None, lambda x: {"uri": x.uri, "broader_uri": x.broader_uri}),
    "occupation_broader": _Plan(
        TaxonomyOccupationBroader, None, lambda x: {"uri": x.uri, "broader_uri": x.broader_uri}
    ),
    "skill_relations": _Plan(
        TaxonomySkillRelation,
        None,
        lambda x: {"skill_uri": x.skill_uri, "related_uri": x.related_uri, "relation_type": x.relation_type},
    ),
    "occupation_skills": _Plan(
        TaxonomyOccupationSkill,
        None,
        lambda x: {"occupation_uri": x.occupation_uri, "skill_uri": x.skill_uri, "relation_type": x.relation_type},
    ),
    "onet_occupations": _Plan(
        TaxonomyOnetOccupation,
        None,
        lambda x: {"code": x.code, "title": x.title, "title_norm": normalise(x.title), "description": x.description},
    ),
    "onet_technology_skills": _Plan(
        TaxonomyOnetTechnologySkill,
        None,
        lambda x: {
            "code": x.code,
            "example": x.example,
            "commodity_code": x.commodity_code,
            "commodity_title": x.commodity_title,
            "hot": x.hot,
            "in_demand": x.in_demand,
        },
    ),
    "onet_alternate_titles": _Plan(
        TaxonomyOnetAlternateTitle,
        None,
        lambda x: {"code": x.code, "title": x.title, "title_norm": normalise(x.title), "short_title": x.short_title},
    ),
    "onet_tasks": _Plan(
        TaxonomyOnetTask,
        None,
        lambda x: {"task_id": x.task_id, "code": x.code, "task": x.task, "task_type": x.task_type},
    ),
}


def _count(session: Any, plan: _Plan) -> int:
    query = sa.select(sa.func.count()).select_from(plan.model.__table__)
    if plan.owns is not None:
        query = query.where(plan.owns)
    return int(session.scalar(query) or 0)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def load_all(
    db: Database,
    now: Callable[[], datetime],
    progress: Progress | None = None,
    *,
    force: bool = False,
    only: Collection[str] | None = None,
) -> list[tuple[str, str, int, str, float]]:
    """Load every shipped dataset (or those in ``only``) not already in the database; (name, table, rows, action,
    seconds) for each."""
    if only is not None and set(only) - set(source.DATASETS):
        unknown = ", ".join(sorted(set(only) - set(source.DATASETS)))
        raise InvalidInputError(f"unknown taxonomy dataset(s) {unknown}: choose from {', '.join(source.DATASETS)}")
    out = []
    for name, dataset in source.datasets().items():
        if only is not None and name not in only:
            continue
        plan = _PLANS[name]
        table = plan.model.__table__
        started = time.perf_counter()
        with db.read() as session:
            unchanged = not force and _unchanged(session, name, dataset, plan)
        if not unchanged:
            if progress:
                progress(name, 0, dataset.rows)
            with db.write() as session:
                if (
                    not db.is_sqlite
                ):  # a concurrent load waits here, then finds the table loaded (SQLite: BEGIN IMMEDIATE)
                    session.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
                unchanged = not force and _unchanged(session, name, dataset, plan)
                if not unchanged:
                    _replace(session, name, plan, dataset.rows, dataset.sha256, now, progress)
        if unchanged and progress:
            progress(name, dataset.rows, dataset.rows)
        action = "unchanged" if unchanged else "loaded"
        out.append((name, table.name, dataset.rows, action, time.perf_counter() - started))
    return out


def _unchanged(session: Any, name: str, dataset: source.Dataset, plan: _Plan) -> bool:
    """Whether the table already holds this dataset: same file (SHA-256), same row count recorded and present."""
    recorded = session.get(TaxonomyDataset, name)
    if recorded is None or recorded.sha256 != dataset.sha256 or recorded.rows != dataset.rows:
        return False
    return _count(session, plan) == dataset.rows


def _replace(
    session: Any,
    name: str,
    plan: _Plan,
    rows: int,
    sha256: str,
    now: Callable[[], datetime],
    progress: Progress | None,
) -> None:
    """Delete the dataset's rows and insert the shipped ones in batches, in the caller's transaction."""
    table = plan.model.__table__
    session.execute(sa.delete(table) if plan.owns is None else sa.delete(table).where(plan.owns))
    done = 0
    for batch in _batches(plan.row(x) for x in source.read(name)):
        session.execute(sa.insert(table), batch)
        done += len(batch)
        if progress:
            progress(name, done, rows)
    session.merge(TaxonomyDataset(name=name, sha256=sha256, rows=done, loaded_at=now()))


def loaded_counts(db: Database) -> dict[str, int]:
    """Rows per dataset as recorded by the last load (empty when nothing was loaded)."""
    with db.read() as session:
        return {d.name: d.rows for d in session.scalars(sa.select(TaxonomyDataset))}


def dangling_relations(db: Database) -> dict[str, int]:
    """Relations naming a concept that is not in the loaded release, per relation table."""
    s, o = TaxonomySkill, TaxonomyOccupation
    checks = {
        "occupation_skills": sa.select(sa.func.count())
        .select_from(TaxonomyOccupationSkill)
        .outerjoin(o, o.uri == TaxonomyOccupationSkill.occupation_uri)
        .outerjoin(s, s.uri == TaxonomyOccupationSkill.skill_uri)
        .where(sa.or_(o.uri.is_(None), s.uri.is_(None))),
        "skill_broader": sa.select(sa.func.count())
        .select_from(TaxonomySkillBroader)
        .where(
            sa.or_(
                ~TaxonomySkillBroader.uri.in_(sa.select(s.uri)),
                ~TaxonomySkillBroader.broader_uri.in_(sa.select(s.uri)),
            )
        ),
        "occupation_broader": sa.select(sa.func.count())
        .select_from(TaxonomyOccupationBroader)
        .where(
            sa.or_(
                ~TaxonomyOccupationBroader.uri.in_(sa.select(o.uri)),
                ~TaxonomyOccupationBroader.broader_uri.in_(sa.select(o.uri)),
            )
        ),
    }
    with db.read() as session:
        return {name: int(session.scalar(query) or 0) for name, query in checks.items()}
