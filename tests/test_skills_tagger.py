"""The skill/knowledge span tagger (credstack.skills.tagger) and ``SkillLinker.extract(method=...)``."""

from __future__ import annotations

import gc
import itertools
import subprocess
import sys
from importlib import resources

import pytest

from credstack.errors import InvalidInputError
from credstack.skills import SkillLinker, default_linker
from credstack.skills.tagger import MODEL_FILE, default_tagger, spans_from_tags, split

SENTENCE = "You have strong communication skills and experience with Kafka and Kubernetes ."


@pytest.fixture(scope="module")
def linker() -> SkillLinker:
    return default_linker()


def test_the_model_ships_in_the_package_and_loads_offline() -> None:
    data = resources.files("credstack.skills").joinpath("data", MODEL_FILE)
    assert data.is_file() and 100_000 < len(data.read_bytes()) < 5_000_000  # a few MB at most
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('no network in this test')\n"
        "socket.socket.connect = refuse\n"
        "from credstack.skills import default_linker\n"
        f"m = default_linker().extract({SENTENCE!r}, method='tagged')\n"
        "print(len(m), 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    count, torch_loaded = out.stdout.split()
    assert int(count) >= 2 and torch_loaded == "False"  # no neural model, no hub: the CRF is self-contained


def test_tagged_spans_are_phrases_with_a_kind_and_links(linker: SkillLinker) -> None:
    mentions = linker.extract(SENTENCE, method="tagged")
    texts = {m.text: m for m in mentions}
    assert "Kafka" in texts and "Kubernetes" in texts
    assert texts["Kafka"].kind == "knowledge"
    assert any("communication" in t for t in texts)
    for m in mentions:
        assert SENTENCE[m.start : m.end] == m.text
        assert 0.0 < m.score <= 1.0
        assert m.kind in {"skill", "knowledge"}
        assert all(0.0 <= link.score <= 1.0 for link in m.links)
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_union_adds_label_matches_outside_the_tagged_spans(linker: SkillLinker) -> None:
    text = "Duties: bookkeeping. You will be proficient in Python and manage musical staff ."
    tagged = linker.extract(text, method="tagged")
    union = linker.extract(text, method="union")
    lexical = linker.extract(text)  # the default stays lexical for library callers
    assert {(m.start, m.end) for m in tagged} <= {(m.start, m.end) for m in union}
    for m in lexical:
        assert any(u.start < m.end and m.start < u.end for u in union)  # covered by a tagged or lexical span
    assert all(m.kind == "" for m in lexical)
    with pytest.raises(InvalidInputError, match="unknown extraction method"):
        linker.extract(text, method="bogus")


def test_empty_and_punctuation_only_text(linker: SkillLinker) -> None:
    assert linker.extract("", method="tagged") == []
    assert linker.extract(" .,;- ", method="union") == []


def test_split_keeps_offsets_and_technology_names() -> None:
    text = "C++, node.js and e-mail (MS Office)."
    assert [text[t.start : t.end] for t in split(text)] == [
        "C++", ",", "node.js", "and", "e-mail", "(", "MS", "Office", ")", ".",
    ]  # fmt: skip


def test_spans_from_tags_reads_bio_with_types() -> None:
    tags = ["O", "B-SKILL", "I-SKILL", "I-KNOWLEDGE", "O", "I-SKILL", "B-KNOWLEDGE", "B-KNOWLEDGE"]
    assert spans_from_tags(tags) == [(1, 3, "SKILL"), (3, 4, "KNOWLEDGE"), (5, 6, "SKILL"), (6, 7, "KNOWLEDGE"),
                                     (7, 8, "KNOWLEDGE")]  # fmt: skip
    assert default_tagger().labels and set(default_tagger().labels) <= {
        "O", "B-SKILL", "I-SKILL", "B-KNOWLEDGE", "I-KNOWLEDGE",
    }  # fmt: skip


def test_the_tagger_keeps_its_model_bytes_alive(linker: SkillLinker) -> None:
    """CRFsuite reads an in-memory model in place; a tagger whose bytes were freed tags garbage."""
    from credstack.skills.tagger import SpanTagger, _read, features

    tagger = SpanTagger(_read(MODEL_FILE))  # the only reference to the bytes is the tagger's
    gc.collect()
    junk = [bytes([i % 251]) * 4096 for i in range(2000)]  # reuse the freed memory, if it was freed
    text = "Built reports in Microsoft Excel"
    tokens = split(text)
    found = tagger.tag(features(text, tokens, linker.gazetteer(tokens)))
    assert [(tokens[s.first].start, tokens[s.end - 1].end, s.kind) for s in found] == [(17, 32, "KNOWLEDGE")]
    assert len(junk) == 2000
