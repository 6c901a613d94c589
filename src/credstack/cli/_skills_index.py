"""The skill linker for the command line, with its indexes cached on disk between runs.

Building :class:`credstack.skills.SkillLinker` from the shipped taxonomy takes seconds; loading the built object
takes a fraction of one, which is what lets ``credstack skills link`` on a short file stay fast. The cache lives in
``$XDG_CACHE_HOME/credstack`` (default ``~/.cache/credstack``), one file per fingerprint of the taxonomy manifest
and the ``credstack.skills`` source, written atomically; any problem reading or writing it falls back to building
in memory. The file is the user's own (created with mode 0600 in their cache directory), like any tool cache.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credstack.skills import SkillLinker
    from credstack.skills.semantic import SemanticLinker

__all__ = ["cache_dir", "fingerprint", "load_linker", "load_semantic"]


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/credstack`` or ``~/.cache/credstack``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credstack"


def fingerprint() -> str:
    """Changes whenever the shipped taxonomy or the skills code changes (so a stale index is never used)."""
    digest = hashlib.sha256()
    digest.update(resources.files("credstack.taxonomy").joinpath("data", "manifest.json").read_bytes())
    package = resources.files("credstack.skills")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update(name.encode())
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:20]


def _read(path: Path) -> SkillLinker | None:
    from credstack.skills import SkillLinker

    try:
        data = path.read_bytes()
    except OSError:
        return None
    gc.disable()  # unpickling some 300,000 small objects is three times faster without collections
    try:
        linker = pickle.loads(data)  # noqa: S301 - our own cache file, keyed by a fingerprint of the code
    except Exception:
        return None
    finally:
        gc.enable()
    return linker if isinstance(linker, SkillLinker) else None


def _write(path: Path, linker: SkillLinker) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".skills-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(linker, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        return


@cache
def load_linker() -> SkillLinker:
    """The linker over the shipped taxonomy: from the cache when it is there, else built (and cached)."""
    from credstack.skills import default_linker

    path = cache_dir() / f"skills-{fingerprint()}.pickle"
    linker = _read(path)
    if linker is None:
        linker = default_linker()
        _write(path, linker)
    return linker


def load_semantic() -> SemanticLinker:
    """The semantic stage over :func:`load_linker`, with the ESCO label vectors cached like the indexes."""
    import numpy as np

    for name, value in (("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1")):
        os.environ.setdefault(name, value)  # the model ships inside its package: never reach for the hub
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from credstack.skills.semantic import SemanticLinker, minilm_encoder

    linker = load_linker()
    encode = minilm_encoder()
    path = cache_dir() / f"skills-{fingerprint()}-minilm.npy"
    vectors = None
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        vectors = None
    if vectors is None or vectors.shape[0] != len(linker.esco):
        vectors = encode(SemanticLinker.label_texts(linker))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".skills-", suffix=".npy")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass
    return SemanticLinker(linker, encode, vectors)
