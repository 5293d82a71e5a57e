"""Vector indexes behind one small interface (``base.VectorIndex``), one backend per file.

``faiss.py`` is the only backend today: exact inner product below ``hnsw_min_vectors`` vectors,
HNSW above. Another store (or other HNSW parameters) is one file that implements ``VectorIndex``.
"""

from retrieval.ann.base import VectorIndex
from retrieval.ann.faiss import FaissIndex

__all__ = ["FaissIndex", "VectorIndex"]
