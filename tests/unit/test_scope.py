"""The refusal rule and the anchor cache, with the fake embedder (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from config.settings import OFF_TOPIC
from retrieval.scope import ScopeGuard, anchor_vectors, read_anchors
from tests.fakes import FakeEmbedder


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_refuses_below_the_similarity_threshold() -> None:
    guard = ScopeGuard(["weather"], np.stack([_unit(1, 0)]), min_similarity=0.3, margin=0.1)
    check = guard.check(0.29, _unit(0, 1))
    assert not check.in_scope and "0.29 < 0.30" in check.reason


def test_refuses_when_an_uncovered_subject_is_clearly_closer() -> None:
    guard = ScopeGuard(["weather", "cooking"], np.stack([_unit(1, 0), _unit(0, 1)]), 0.3, 0.1)
    query = _unit(1, 0.05)  # cosine ~0.999 with "weather"
    assert not guard.check(0.5, query).in_scope
    check = guard.check(0.5, query)
    assert check.nearest_anchor == "weather" and "uncovered subject" in check.reason
    # Within the margin (0.95 - 0.9 <= 0.1): answered.
    assert guard.check(0.9, query).in_scope


def test_no_anchors_means_only_the_threshold_applies() -> None:
    guard = ScopeGuard([], np.zeros((0, 2), dtype=np.float32), 0.3, 0.1)
    assert guard.check(0.31, _unit(1, 0)).in_scope
    assert not guard.check(0.2, _unit(1, 0)).in_scope


def test_shipped_anchors_stay_off_the_release_topics() -> None:
    anchors = read_anchors(OFF_TOPIC)
    assert len(anchors) >= 40
    covered = ("syria", "ukraine", "cyber", "north korea", "hacking of the election", "assad", "volker")
    offending = [a for a in anchors if any(word in a.lower() for word in covered)]
    assert offending == [], f"anchors that name a subject the release covers: {offending}"


def test_anchor_vectors_are_cached_per_model_and_file(tmp_path: Path) -> None:
    anchors_file = tmp_path / "off_topic.toml"
    anchors_file.write_text('anchors = ["weather forecasts", "football results"]\n', encoding="utf-8")
    fake = FakeEmbedder()
    names, vectors = anchor_vectors(anchors_file, tmp_path / "cache", fake)
    assert names == ["weather forecasts", "football results"] and vectors.shape == (2, fake.dim)
    assert fake.calls == 1
    anchor_vectors(anchors_file, tmp_path / "cache", fake)
    assert fake.calls == 1  # served from the cache
    anchors_file.write_text('anchors = ["weather forecasts"]\n', encoding="utf-8")
    names, vectors = anchor_vectors(anchors_file, tmp_path / "cache", fake)
    assert names == ["weather forecasts"] and vectors.shape == (1, fake.dim) and fake.calls == 2
    names, _ = anchor_vectors(anchors_file, tmp_path / "cache", FakeEmbedder("another-model"))
    assert names == ["weather forecasts"]
