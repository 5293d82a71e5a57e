"""FaissIndex: a small flat index is searched with NumPy, with the results FAISS itself gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.ann.faiss import NUMPY_MAX_VECTORS, FaissIndex


def unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 8, 34, NUMPY_MAX_VECTORS])
def test_a_small_flat_index_gives_faiss_results(n: int) -> None:
    index = FaissIndex.build(unit_vectors(n, n), hnsw_min_vectors=1 << 30)
    assert index._vectors is not None  # searched with NumPy
    queries = unit_vectors(20, 1000 + n)
    for k in (1, 5, 30, n + 10):
        ids, scores = index.search_batch(queries, k)
        want_scores, want_ids = index.index.search(queries, min(k, n))
        assert ids.shape == want_ids.shape == (20, min(k, n))
        assert np.array_equal(ids, want_ids)
        assert np.allclose(scores, want_scores, atol=1e-6)
        one_ids, one_scores = index.search(queries[0], k)
        assert np.array_equal(one_ids, want_ids[0]) and np.allclose(one_scores, want_scores[0], atol=1e-6)


def test_ties_come_in_id_order() -> None:  # FAISS leaves their order to its heap
    v = unit_vectors(4, 7)
    index = FaissIndex.build(np.vstack([v, v]), hnsw_min_vectors=1 << 30)  # every vector twice
    ids, _ = index.search(v[2], 8)
    assert ids[:2].tolist() == [2, 6]
    assert sorted(index.index.search(v[2:3], 8)[1][0][:2].tolist()) == [2, 6]


def test_a_larger_or_loaded_index_keeps_working(tmp_path: Path) -> None:
    big = FaissIndex.build(unit_vectors(NUMPY_MAX_VECTORS + 1, 3), hnsw_min_vectors=1 << 30)
    assert big._vectors is None  # searched by FAISS
    assert big.search(unit_vectors(1, 4)[0], 3)[0].shape == (3,)
    small = FaissIndex.build(unit_vectors(10, 5), hnsw_min_vectors=1 << 30)
    small.save(tmp_path / "small.faiss")
    loaded = FaissIndex.load(tmp_path / "small.faiss")
    q = unit_vectors(1, 6)[0]
    assert loaded._vectors is not None
    assert np.array_equal(loaded.search(q, 4)[0], small.search(q, 4)[0])
    empty = FaissIndex.build(np.zeros((0, 384), dtype=np.float32), hnsw_min_vectors=1 << 30)
    assert empty.search(q, 3)[0].shape == (0,)
