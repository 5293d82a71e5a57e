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


class FaissIndex:
    def __init__(self, index: Any) -> None:
        self.index = index
        self._size = int(index.ntotal)  # fixed once built or read (reading it through SWIG: 14 µs)
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"
        if self.kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH

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
        scores, ids = self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return ids.astype(np.int64), scores
