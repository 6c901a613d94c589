"""Skills intelligence, pure core: find skill mentions in text and link them to ESCO (O*NET technologies second).

No database, no network: the concepts come from the taxonomy files shipped in the package. Start with
:func:`default_linker`; :class:`SkillLinker` ``.extract(text)`` gives spans with links, ``.link(text, top=10)``
the best ESCO skills for a sentence. Module map: ``text`` (tokens, stemming), ``vocabulary`` (concepts),
``lexicon`` (label matching), ``retrieval`` (coverage and BM25 over all skills), ``linker``, ``metrics``,
``tagger`` (the CRF span tagger), ``neural`` (the fine-tuned encoder span tagger; torch), ``semantic``.
"""

from __future__ import annotations

from credstack.skills.linker import Link, Mention, SkillLinker, Weights, default_linker
from credstack.skills.vocabulary import Concept, shipped_concepts

__all__ = ["Concept", "Link", "Mention", "SkillLinker", "Weights", "default_linker", "shipped_concepts"]
