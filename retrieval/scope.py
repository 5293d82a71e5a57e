"""Is a question within what the release covers?

Two tests on the question's vector: the best cosine with the release (sentences and paragraphs)
must reach ``min_similarity``; and, unless every word of the question occurs in the release, the
question must not be closer to an off-topic anchor (config/off_topic.toml: subjects the release
never mentions) than to the release by more than ``off_topic_margin``. The service repeats the
anchor test on the question without the names of the release's people, which otherwise make any
question look like the release. Anchor vectors are computed once per model and anchor file, and
cached next to the index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder
from retrieval.errors import SetupError

log = logging.getLogger(__name__)
CACHE = "off_topic.npy"
CACHE_META = "off_topic.json"


@dataclass(frozen=True)
class ScopeCheck:
    in_scope: bool
    confidence: float  # best cosine with the release
    off_topic: float  # best cosine with an off-topic anchor
    nearest_anchor: str
    reason: str  # "" when in scope


class ScopeGuard:
    def __init__(self, anchors: list[str], vectors: np.ndarray, min_similarity: float, margin: float) -> None:
        self.anchors = anchors
        self.vectors = vectors
        self.min_similarity = min_similarity
        self.margin = margin

    def check(self, confidence: float, query_vector: np.ndarray, words_covered: bool = False) -> ScopeCheck:
        """``words_covered``: every word of the question occurs in the release. Then the anchors
        do not apply: "north korea" is about the release even though it is also close to the anchor
        "Japan and South Korea relations"; only the similarity threshold does."""
        if len(self.anchors):
            sims = self.vectors @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
            best = int(np.argmax(sims))
            off, anchor = float(sims[best]), self.anchors[best]
        else:
            off, anchor = -1.0, ""
        if confidence < self.min_similarity:
            reason = f"best similarity {confidence:.2f} < {self.min_similarity:.2f}"
        elif off - confidence > self.margin and not words_covered:
            reason = f"closer to an uncovered subject ({anchor!r}: {off:.2f} vs {confidence:.2f})"
        else:
            reason = ""
        return ScopeCheck(not reason, confidence, off, anchor, reason)


def read_anchors(path: Path) -> list[str]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the off-topic anchors {path}: {exc}") from None
    anchors = [str(a).strip() for a in raw.get("anchors", []) if str(a).strip()]
    return anchors


def anchor_vectors(path: Path, cache_dir: Path, embedder: Embedder) -> tuple[list[str], np.ndarray]:
    """The anchors and their vectors, from the cache when the file and model are unchanged."""
    anchors = read_anchors(path)
    key = hashlib.sha256(("\n".join(anchors) + "\0" + embedder.model_name).encode()).hexdigest()
    meta_path, cache_path = cache_dir / CACHE_META, cache_dir / CACHE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("key") == key:
            vectors = np.load(cache_path)
            if vectors.shape == (len(anchors), embedder.dim):
                return anchors, vectors
    except (OSError, ValueError):
        pass
    if not anchors:
        return [], np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = embedder.encode_documents(anchors)
    try:
        from retrieval.index import _write_atomic

        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".{CACHE}.tmp.npy"
        np.save(tmp, vectors)
        tmp.replace(cache_path)
        _write_atomic(meta_path, json.dumps({"key": key, "count": len(anchors)}))
    except OSError as exc:  # a read-only index folder only costs a re-encode next time
        log.warning("Could not cache the off-topic anchor vectors: %s", exc)
    return anchors, vectors
