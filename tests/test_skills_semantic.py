"""The semantic stage (credstack.skills.semantic): embeddings re-rank lexical linking.

The real all-MiniLM-L6-v2 model runs on a few hundred ESCO skills (encoding all 13,896 labels takes a minute);
the mechanics run on the whole space with a small deterministic encoder.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from credstack.cli import main
from credstack.errors import InvalidInputError
from credstack.skills import SkillLinker, default_linker, shipped_concepts
from credstack.skills.semantic import SemanticLinker, minilm_encoder
from credstack.skills.text import stems

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def hashed_encoder(texts: Sequence[str]) -> NDArray[np.float32]:
    """Bag of stems hashed into 64 dimensions, unit length: similar words give similar vectors."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        for s in stems(text):
            out[i, zlib.crc32(s.encode()) % 64] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


@pytest.fixture(scope="module")
def hashed() -> SemanticLinker:
    return SemanticLinker(default_linker(), hashed_encoder)


def test_the_real_model_finds_a_skill_the_words_do_not_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    concepts = [c for c in shipped_concepts() if c.scheme == "esco"]
    random.Random(7).shuffle(concepts)
    subset = [c for c in concepts if c.uri == PYTHON] + [c for c in concepts[:300] if c.uri != PYTHON]
    linker = SkillLinker(subset)
    semantic = SemanticLinker(linker, minilm_encoder())
    text = "Able to write programs in a popular scripting language"
    assert PYTHON not in [x.uri for x in linker.link(text, top=3)]
    assert PYTHON in [x.uri for x in semantic.link_many([text], top=3)[0]]


def test_link_many_keeps_lines_in_order_and_honours_top(hashed: SemanticLinker) -> None:
    found = hashed.link_many(["Python and SQL", "", "project management"], top=4)
    assert [len(x) for x in found] == [4, 0, 4]
    assert [x.score for x in found[0]] == sorted((x.score for x in found[0]), reverse=True)
    ranking = hashed.rank("Python and SQL")
    assert len(ranking) == len(set(ranking)) > 13_000 and found[0][0].uri in ranking[:4]
    with pytest.raises(InvalidInputError):
        hashed.link_many(["x"], top=0)


def test_stale_label_vectors_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="stale"):
        SemanticLinker(default_linker(), hashed_encoder, np.zeros((3, 64), dtype=np.float32))


def test_cli_semantic_flag(
    hashed: SemanticLinker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import credstack.cli.skills

    monkeypatch.setattr(credstack.cli.skills, "load_semantic", lambda: hashed)
    text = tmp_path / "lines.txt"
    text.write_text("Python developer\n\nproject management\n", encoding="utf-8")
    try:
        main(["skills", "link", "--semantic", "--top", "2", str(text)])
    except SystemExit as exc:
        assert not exc.code
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert [len(line["skills"]) for line in lines] == [2, 0, 2]
