"""FAISS backend: ``IndexFlatIP`` (exact) below ``hnsw_min_vectors`` vectors, ``IndexHNSWFlat`` above.

Vectors are unit length, so inner product is cosine similarity. The HNSW parameters live here
and nowhere else (see docs/benchmarks.md, Scale, for how they were chosen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_CONSTRUCTION = 200
# A flat index of at most this many vectors is searched with one NumPy product over a copy of
# its vectors: FAISS's per-call overhead is most of the time of a search this small (a
# question's two searches of 34 sentences and 8 paragraphs: 0.15 ms through FAISS, 0.04 ms so).
NUMPY_MAX_VECTORS = 256


class FaissIndex:
    def __init__(self, index: Any) -> None:
        self.index = index
        self._size = int(index.ntotal)  # fixed once built or read (reading it through SWIG: 14 µs)
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"
        if self.kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        small = self.kind == "flat" and 0 < self._size <= NUMPY_MAX_VECTORS
        self._vectors = np.ascontiguousarray(index.reconstruct_n(0, self._size).T) if small else None

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_min_vectors: int) -> FaissIndex:
        n, dim = vectors.shape
        index: Any
        if n >= hnsw_min_vectors:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @property
    def size(self) -> int:
        return self._size

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = self.search_batch(np.asarray(vector).reshape(1, -1), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def search_batch(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        if k <= 0:
            n = len(vectors)
            return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        if self._vectors is not None:  # exact, as IndexFlatIP; ties (left to FAISS's heap) by id
            all_scores = queries @ self._vectors
            ids = np.argsort(-all_scores, axis=1, kind="stable")[:, :k]
            return ids.astype(np.int64), np.take_along_axis(all_scores, ids, axis=1)
        scores, ids = self.index.search(queries, k)
        return ids.astype(np.int64), scores
