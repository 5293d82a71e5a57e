"""The vector-index interface the search stage and the on-disk index use."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorIndex(Protocol):
    kind: str  # "flat", "hnsw", ...: goes into the index manifest

    @property
    def size(self) -> int:
        """How many vectors the index holds."""
        ...

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest rows to one unit vector by inner product: (ids int64, scores
        float32), best first; fewer when the index holds fewer."""
        ...

    def search_batch(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``search`` for each row of ``vectors`` at once: (ids, scores), each (n, k); -1 ids
        pad rows that found fewer."""
        ...

    def save(self, path: Path) -> None: ...
