"""The achievement catalog (pure): entries in Open Badges 3.0 terms, search and ranking, the generated demo
catalog and the New Jersey ETPL import. No database, web or CLI imports; see docs/catalog.md."""

from __future__ import annotations

from credstack.catalog.demo import DEMO_OCCUPATIONS, DEMO_PROVIDERS, DemoOccupation, generate
from credstack.catalog.model import (
    ASSESSMENT_METHODS,
    DELIVERY_FORMATS,
    PROFICIENCY_LEVELS,
    CatalogEntry,
    Prerequisite,
    SkillAlignment,
    skill_uri,
    to_achievement,
)
from credstack.catalog.search import CatalogHit, CatalogIndex, CatalogPage, CatalogQuery

__all__ = [
    "ASSESSMENT_METHODS",
    "DELIVERY_FORMATS",
    "DEMO_OCCUPATIONS",
    "DEMO_PROVIDERS",
    "PROFICIENCY_LEVELS",
    "CatalogEntry",
    "CatalogHit",
    "CatalogIndex",
    "CatalogPage",
    "CatalogQuery",
    "DemoOccupation",
    "Prerequisite",
    "SkillAlignment",
    "generate",
    "skill_uri",
    "to_achievement",
]
