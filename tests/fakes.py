"""A deterministic fake embedder for unit tests: hashed bag of stemmed words, no model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from retrieval.embedder import normalise


class FakeEmbedder:
    backend = "fake"

    def __init__(self, model_name: str = "fake-model", dim: int = 64) -> None:
        self.model_name = model_name
        self.dim = dim
        self.calls = 0  # how many encode calls (to prove nothing is re-embedded)
        self.texts_encoded = 0

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"[a-z]+", text.lower()):
            h = int(hashlib.md5(word[:5].encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0
        if not v.any():
            v[0] = 1.0
        return v

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        return normalise(np.stack([self._vector(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts)


class FakeChooser:
    """Stands in for retrieval.backends.EmbedderChooser: one fake embedder for build and queries."""

    def __init__(self, embedder: FakeEmbedder | None = None) -> None:
        self.embedder = embedder or FakeEmbedder()

    def reference(self) -> FakeEmbedder:
        return self.embedder

    def query(self) -> FakeEmbedder:
        return self.embedder

    def prepare(self, data: object, *, rebuild: bool = False) -> None:
        return None
