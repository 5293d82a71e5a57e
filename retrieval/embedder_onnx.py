"""ONNX Runtime embedding backend: the reference vectors without torch at query time.

``export_onnx`` (needs torch and sentence-transformers, imported inside the function) writes a
self-contained folder::

    model.onnx          the transformer, fp32, weights inside, dynamic batch and sequence axes
    tokenizer.json      the Hugging Face fast tokenizer
    onnx_config.json    pooling, lengths, prompts, input names, dimension, file size

``OnnxEmbedder`` loads that folder with onnxruntime and tokenizers only, pools the token vectors
the way the sentence-transformers Pooling module does and L2-normalises them, so its vectors match
``SentenceTransformerEmbedder`` (cosine >= 0.999, see ``verify_onnx``). Importing this module
imports neither torch nor sentence-transformers nor onnxruntime.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from config.errors import SetupError
from retrieval.embedder import _PACKAGED_ALIASES, normalise, resolve_model_path
from retrieval.storage import remove_stale_temporaries

if TYPE_CHECKING:  # pragma: no cover - typing only
    import onnxruntime
    import tokenizers

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "onnx_config.json"
OUTPUT_NAME = "last_hidden_state"
OPSET = 17
POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken")
# Texts per ONNX run in encode_documents (sorted by length first, so padding stays small).
DOCUMENT_BATCH = 32
_SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


# --------------------------------------------------------------------------------------------- export


def export_onnx(model_name: str, out_dir: Path) -> Path:
    """Export ``model_name``'s transformer to ``out_dir`` (replaced atomically) and return ``out_dir``.

    Needs torch, transformers and sentence-transformers; raises SetupError if the model cannot be
    loaded, has modules this backend cannot reproduce, or the exported graph disagrees with torch.
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    path = resolve_model_path(model_name)
    try:
        import torch
        from sentence_transformers import SentenceTransformer

        st_model = SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise SetupError(
            f"Could not load {model_name!r} to export it to ONNX ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no details'})."
        ) from exc
    st_model.eval()
    config = _describe_model(st_model, model_name, path)

    transformer: Any = st_model[0]
    hf_tokenizer = transformer.tokenizer
    auto_model: Any = transformer.auto_model
    input_names: list[str] = config["input_names"]

    class _Wrapper(torch.nn.Module):
        """Positional inputs in ``input_names`` order -> last_hidden_state."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            kwargs = dict(zip(input_names, inputs, strict=True))
            return self.model(**kwargs, return_dict=True).last_hidden_state

    wrapper = _Wrapper(auto_model).eval()  # a fresh Module is in training mode (dropout!)
    samples = ["A short query?", "A somewhat longer sentence, padded in the batch with the first one."]
    encoded = hf_tokenizer(samples, padding=True, return_tensors="pt")
    args = tuple(encoded[name].to(torch.int64) for name in input_names)
    axes = {name: {0: "batch", 1: "sequence"} for name in input_names}
    axes[OUTPUT_NAME] = {0: "batch", 1: "sequence"}

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir.parent)  # what an export killed half-way left behind
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=out_dir.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the final folder should look like any other
    try:
        import warnings

        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # legacy-exporter deprecation and tracer warnings
            torch.onnx.export(
                wrapper,
                args,
                str(tmp / MODEL_FILE),
                dynamo=False,
                input_names=input_names,
                output_names=[OUTPUT_NAME],
                dynamic_axes=axes,
                opset_version=OPSET,
            )
            expected = wrapper(*args).numpy()
        _save_tokenizer(hf_tokenizer, path, tmp / TOKENIZER_FILE)
        config["onnx_bytes"] = (tmp / MODEL_FILE).stat().st_size
        config["torch_version"] = torch.__version__
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        _check_export(tmp, encoded, expected, hf_tokenizer, samples)
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("Exported %s to ONNX in %.1f s (%s)", model_name, time.perf_counter() - started, out_dir)
    return out_dir


def _describe_model(st_model: Any, model_name: str, path: str) -> dict[str, Any]:
    """The settings OnnxEmbedder needs to reproduce ``st_model.encode_*``; SetupError if it cannot."""
    kinds = [type(module).__name__ for module in st_model]
    if not kinds or kinds[0] != "Transformer" or not set(kinds) <= _SUPPORTED_MODULES:
        raise SetupError(
            f"The ONNX backend supports Transformer + Pooling (+ Normalize) models; {model_name!r} has "
            f"{' + '.join(kinds)}. Use SUMMITBOT_BACKEND=sentence-transformers."
        )
    transformer = st_model[0]
    if getattr(transformer, "query_expansion", None):
        raise SetupError(f"{model_name!r} uses query expansion, which the ONNX backend does not support.")
    pooling_modules = [module for module in st_model if type(module).__name__ == "Pooling"]
    if len(pooling_modules) != 1:
        raise SetupError(f"{model_name!r} needs exactly one Pooling module for the ONNX backend.")
    pooling = pooling_modules[0]
    mode = pooling.pooling_mode
    modes = [mode] if isinstance(mode, str) else list(mode)
    if not modes or any(m not in POOLING_MODES for m in modes):
        raise SetupError(f"Unsupported pooling mode {mode!r} for the ONNX backend.")
    prompts = {k: v for k, v in (getattr(st_model, "prompts", None) or {}).items() if v}
    if prompts and not getattr(pooling, "include_prompt", True):
        raise SetupError(
            f"{model_name!r} excludes its prompts from pooling: not supported by the ONNX backend."
        )

    tokenizer = transformer.tokenizer
    forward_params = set(_forward_parameters(transformer.auto_model))
    input_names = [
        name
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in tokenizer.model_input_names and (not forward_params or name in forward_params)
    ]
    if input_names[:2] != ["input_ids", "attention_mask"]:
        raise SetupError(f"{model_name!r} does not take input_ids and attention_mask: not supported.")
    if getattr(tokenizer, "padding_side", "right") != "right":
        raise SetupError(f"{model_name!r} pads on the left: not supported by the ONNX backend.")
    get_dim = getattr(st_model, "get_embedding_dimension", None) or st_model.get_sentence_embedding_dimension
    dim = int(get_dim() or 0)
    if dim != len(modes) * int(pooling.embedding_dimension):
        raise SetupError(f"{model_name!r}: embedding dimension {dim} does not match its pooling.")
    return {
        "format_version": FORMAT_VERSION,
        "model_name": model_name,
        "source": path,
        "dim": dim,
        "hidden_size": int(pooling.embedding_dimension),
        "pooling_modes": modes,
        "normalize": "Normalize" in kinds,
        "max_seq_length": _max_seq_length(transformer),
        "query_length": getattr(transformer, "query_length", None),
        "document_length": getattr(transformer, "document_length", None),
        "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
        "prompts": {"query": prompts.get("query", ""), "document": prompts.get("document", "")},
        "input_names": input_names,
        "output_name": OUTPUT_NAME,
        "pad_token_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "opset": OPSET,
    }


def _max_seq_length(transformer: Any) -> int:
    """The tokenizer's length limit, capped at the model's position table (some say 10**30)."""
    limit = int(min(transformer.max_seq_length or 10**9, 10**9))
    positions = getattr(transformer.auto_model.config, "max_position_embeddings", None)
    return min(limit, int(positions)) if positions else limit


def _forward_parameters(model: Any) -> list[str]:
    import inspect

    try:
        return list(inspect.signature(model.forward).parameters)
    except (TypeError, ValueError):
        return []


def _save_tokenizer(hf_tokenizer: Any, path: str, target: Path) -> None:
    """Write the fast tokenizer's tokenizer.json (the source file when the model is a local folder)."""
    source = Path(path) / TOKENIZER_FILE
    if source.is_file():
        shutil.copyfile(source, target)
        return
    backend = getattr(hf_tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise SetupError("The model has no fast tokenizer (tokenizer.json): the ONNX backend needs one.")
    backend.save(str(target))


def _check_export(
    tmp: Path, encoded: Any, expected: np.ndarray, hf_tokenizer: Any, samples: list[str]
) -> None:
    """Run the fresh export once: same tokens as the HF tokenizer and same hidden states as torch."""
    embedder = OnnxEmbedder(tmp, json.loads((tmp / CONFIG_FILE).read_text(encoding="utf-8"))["model_name"])
    ids, _ = embedder._tokenize(samples, max_length=embedder.document_length, pad=True)
    if not np.array_equal(ids["input_ids"], encoded["input_ids"].numpy()):
        raise SetupError("The exported tokenizer.json does not reproduce the model's tokenizer.")
    (hidden,) = embedder.session.run([OUTPUT_NAME], ids)
    diff = float(np.max(np.abs(hidden - expected)))
    if diff > 1e-3:
        raise SetupError(f"The ONNX export disagrees with torch (max abs difference {diff:.2g}).")


def _replace_dir(tmp: Path, out_dir: Path) -> None:
    """Move ``tmp`` to ``out_dir`` with renames in the same parent (an old ``out_dir`` is removed)."""
    old: Path | None = None
    if out_dir.exists() or out_dir.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-{os.getpid()}-", dir=out_dir.parent))
        os.replace(out_dir, old / out_dir.name)
    os.replace(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------------------------- embedder


class OnnxEmbedder:
    """Embedder on an ``export_onnx`` folder: onnxruntime + tokenizers, no torch."""

    backend = "onnx"

    def __init__(self, model_dir: Path, model_name: str, *, intra_op_num_threads: int = 0) -> None:
        """Load ``model_dir``; SetupError if a file is missing, corrupt or exported for another model.

        ``intra_op_num_threads``: 0 lets onnxruntime choose (one per physical core).
        """
        self.model_name = model_name
        self.model_dir = Path(model_dir)
        self.config = config = self._load_config(model_name)
        self.dim = int(config["dim"])
        self.max_seq_length = int(config["max_seq_length"])
        self.pooling_modes: list[str] = list(config["pooling_modes"])
        self.input_names: list[str] = list(config["input_names"])
        self.pad_id = int(config["pad_token_id"])
        self.prompts: dict[str, str] = dict(config.get("prompts") or {})
        self.do_lower_case = bool(config.get("do_lower_case", False))
        self.query_length = int(config.get("query_length") or self.max_seq_length)
        self.document_length = int(config.get("document_length") or self.max_seq_length)
        self._tokenizers = self._load_tokenizers(config, {self.query_length, self.document_length})
        self.session = self._load_session(config, intra_op_num_threads)

    # -- loading

    def _load_config(self, model_name: str) -> dict[str, Any]:
        missing = [n for n in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE) if not (self.model_dir / n).is_file()]
        if missing:
            raise SetupError(
                f"The ONNX model folder {self.model_dir} is missing {', '.join(missing)}: export it again "
                "(delete the folder to have it rebuilt) or use SUMMITBOT_BACKEND=sentence-transformers."
            )
        try:
            config = json.loads((self.model_dir / CONFIG_FILE).read_text(encoding="utf-8"))
            if not isinstance(config, dict):
                raise TypeError("not a JSON object")
            if config.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"format version {config.get('format_version')!r}, expected {FORMAT_VERSION}"
                )
            modes = config["pooling_modes"]
            if not modes or any(m not in POOLING_MODES for m in modes):
                raise ValueError(f"unknown pooling modes {modes!r}")
            int(config["dim"]), int(config["max_seq_length"]), int(config["onnx_bytes"])
            list(config["input_names"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SetupError(
                f"{self.model_dir / CONFIG_FILE} is unreadable or corrupt ({exc}): export again."
            ) from exc
        if _canonical(config.get("model_name")) != _canonical(model_name):
            raise SetupError(
                f"The ONNX model in {self.model_dir} was exported from {config.get('model_name')!r}, "
                f"not {model_name!r}: export it again."
            )
        size = (self.model_dir / MODEL_FILE).stat().st_size
        if size != int(config["onnx_bytes"]):
            raise SetupError(
                f"{self.model_dir / MODEL_FILE} is {size} bytes, expected {config['onnx_bytes']} "
                "(truncated or replaced): export it again."
            )
        return config

    def _load_tokenizers(
        self, config: dict[str, Any], lengths: set[int]
    ) -> dict[tuple[int, bool], tokenizers.Tokenizer]:
        """Per truncation length, two tokenizers: no padding (single texts) and pad-to-longest (batches).

        The shipped tokenizer.json pads every input to a fixed length; a tokenizer is never
        reconfigured after loading, so encoding is thread-safe.
        """
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise SetupError(
                "The ONNX backend needs the tokenizers package (pip install -r requirements.txt)."
            ) from exc
        try:
            text = (self.model_dir / TOKENIZER_FILE).read_text(encoding="utf-8")
            result: dict[tuple[int, bool], Tokenizer] = {}
            for length in sorted(lengths):
                for pad in (False, True):
                    tokenizer = Tokenizer.from_str(text)
                    tokenizer.no_padding()
                    tokenizer.enable_truncation(max_length=length)
                    if pad:
                        tokenizer.enable_padding(
                            direction="right",
                            pad_id=self.pad_id,
                            pad_token=str(config.get("pad_token", "[PAD]")),
                        )
                    result[length, pad] = tokenizer
        except Exception as exc:  # tokenizers raises plain Exception subclasses on bad JSON
            raise SetupError(
                f"{self.model_dir / TOKENIZER_FILE} is unreadable or corrupt ({type(exc).__name__}): "
                "export again."
            ) from exc
        return result

    def _load_session(self, config: dict[str, Any], threads: int) -> onnxruntime.InferenceSession:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise SetupError("The ONNX backend needs onnxruntime (pip install -r requirements.txt).") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(0, int(threads))
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        try:
            session = ort.InferenceSession(
                str(self.model_dir / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            first = str(exc).splitlines()[0][:200] if str(exc) else "no details"
            raise SetupError(
                f"onnxruntime cannot load {self.model_dir / MODEL_FILE} ({type(exc).__name__}: {first}): "
                "the file is corrupt or incompatible; export it again."
            ) from exc
        inputs = {i.name for i in session.get_inputs()}
        outputs = [o.name for o in session.get_outputs()]
        if inputs != set(self.input_names) or config.get("output_name", OUTPUT_NAME) not in outputs:
            raise SetupError(
                f"{self.model_dir / MODEL_FILE} has inputs {sorted(inputs)} and outputs {outputs}, "
                f"expected {self.input_names} -> {OUTPUT_NAME}: export it again."
            )
        return session

    # -- encoding

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), dim)."""
        return self._encode(texts, self.prompts.get("query", ""), self.query_length)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), dim); ``progress`` shows a tqdm bar."""
        return self._encode(texts, self.prompts.get("document", ""), self.document_length, progress=progress)

    def _encode(
        self, texts: Sequence[str], prompt: str, max_length: int, *, progress: bool = False
    ) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        items = [prompt + t for t in texts] if prompt else list(texts)
        if self.do_lower_case:
            items = [t.lower() for t in items]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(items) == 1:
            return self._run(items, max_length, pad=False)
        # Longest first, so each batch holds texts of similar length and padding stays small.
        order = sorted(range(len(items)), key=lambda i: -len(items[i]))
        out = np.empty((len(items), self.dim), dtype=np.float32)
        starts = range(0, len(items), DOCUMENT_BATCH)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Embedding", unit="batch")
        for start in starts:
            chunk = order[start : start + DOCUMENT_BATCH]
            out[chunk] = self._run([items[i] for i in chunk], max_length, pad=True)
        return out

    def _tokenize(
        self, texts: list[str], *, max_length: int, pad: bool
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """ONNX feeds and the attention mask; ``pad`` pads to the longest text in ``texts``."""
        tokenizer = self._tokenizers[max_length, pad]
        encodings = (
            tokenizer.encode_batch(texts, add_special_tokens=True) if pad else [tokenizer.encode(texts[0])]
        )
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        return feeds, mask

    def _run(self, texts: list[str], max_length: int, *, pad: bool) -> np.ndarray:
        feeds, mask = self._tokenize(texts, max_length=max_length, pad=pad)
        (hidden,) = self.session.run([OUTPUT_NAME], feeds)
        return normalise(_pool(np.asarray(hidden, dtype=np.float32), mask, self.pooling_modes))


def _pool(hidden: np.ndarray, mask: np.ndarray, modes: Sequence[str]) -> np.ndarray:
    """sentence-transformers Pooling on (batch, seq, hidden) token vectors; right padding."""
    m = mask.astype(np.float32)[:, :, None]
    lengths = np.clip(m.sum(axis=1), 1e-9, None)
    last = np.maximum(mask.sum(axis=1).astype(np.int64) - 1, 0)
    parts: list[np.ndarray] = []
    for mode in modes:
        if mode == "cls":
            parts.append(hidden[:, 0])
        elif mode == "max":
            parts.append(np.where(m > 0, hidden, np.float32(-1e9)).max(axis=1))
        elif mode == "mean":
            parts.append((hidden * m).sum(axis=1) / lengths)
        elif mode == "mean_sqrt_len_tokens":
            parts.append((hidden * m).sum(axis=1) / np.sqrt(lengths))
        elif mode == "weightedmean":
            weights = m * np.arange(1, hidden.shape[1] + 1, dtype=np.float32)[None, :, None]
            parts.append((hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None))
        elif mode == "lasttoken":
            parts.append(hidden[np.arange(hidden.shape[0]), last])
        else:  # guarded at load time
            raise SetupError(f"Unsupported pooling mode {mode!r}.")
    return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]


def _canonical(name: object) -> str:
    text = str(name)
    return "all-MiniLM-L6-v2" if text in _PACKAGED_ALIASES else text


# ------------------------------------------------------------------------------------------ verifying


def verify_onnx(embedder: OnnxEmbedder, texts: Sequence[str], reference: np.ndarray) -> float:
    """Minimum cosine between ``embedder``'s vectors of ``texts`` and ``reference`` (rows aligned)."""
    reference = np.asarray(reference, dtype=np.float32)
    if reference.shape != (len(texts), embedder.dim):
        raise ValueError(f"reference has shape {reference.shape}, expected ({len(texts)}, {embedder.dim})")
    if not len(texts):
        raise ValueError("verify_onnx needs at least one text")
    ours = embedder.encode_documents(list(texts))
    return float(np.min(np.sum(normalise(ours) * normalise(reference), axis=1)))
