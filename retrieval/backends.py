"""Which embedder serves queries: sentence-transformers (the reference) or ONNX Runtime.

The corpus is always embedded by the reference backend at index time. With ``backend = auto`` or
``onnx``, the model is also exported to ONNX next to the index, once, and checked against the
reference vectors of the corpus sentences (cosine >= ``MIN_COSINE``). Queries then use ONNX Runtime,
which starts in a fraction of a second and never imports torch. With ``auto``, a failed export or
check falls back to sentence-transformers and the log says why; with ``onnx`` it is an error.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from config.errors import SetupError
from config.settings import Settings
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.storage import read_json_object, write_json

log = logging.getLogger(__name__)

MIN_COSINE = 0.999
ONNX_DIR = "onnx"
CHECK_FILE = "check.json"


class EmbedderChooser:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._reference: SentenceTransformerEmbedder | None = None
        self._query: Embedder | None = None

    def reference(self) -> SentenceTransformerEmbedder:
        if self._reference is None:
            self._reference = SentenceTransformerEmbedder(self.settings.model_name)
        return self._reference

    def query(self) -> Embedder:
        if self._query is None:
            self._query = self.reference()
        return self._query

    @property
    def onnx_dir(self) -> Path:
        return self.settings.index_dir / ONNX_DIR

    def prepare(self, data: Any, *, rebuild: bool = False) -> None:
        """Pick the query backend for this index (exporting/checking ONNX when configured)."""
        backend = self.settings.backend
        if backend == "sentence-transformers":
            self._query = self.reference()
            return
        try:
            self._query = self._onnx(data, rebuild=rebuild)
        except SetupError as exc:
            if backend == "onnx":
                raise
            log.warning("Using sentence-transformers for queries: %s", exc.message)
            self._query = self.reference()

    def _onnx(self, data: Any, *, rebuild: bool) -> Embedder:
        try:
            from retrieval.embedder_onnx import OnnxEmbedder, export_onnx, verify_onnx
        except ImportError as exc:
            raise SetupError(f"ONNX Runtime is not available ({exc}).") from None
        name = self.settings.model_name
        check_path = self.onnx_dir / CHECK_FILE
        check = read_json_object(check_path)
        corpus_hash = data.manifest.get("corpus_hash")
        if check and check.get("model") == name and check.get("corpus_hash") == corpus_hash and not rebuild:
            if not check.get("ok"):
                raise SetupError(f"the ONNX export did not reproduce the reference ({check.get('why')})")
            return OnnxEmbedder(self.onnx_dir, name)
        if not (check and check.get("model") == name and (self.onnx_dir / "model.onnx").is_file()):
            log.info("Exporting %s to ONNX in %s (once)", name, self.onnx_dir)
            export_onnx(name, self.onnx_dir)
        embedder = OnnxEmbedder(self.onnx_dir, name)
        texts = [s.text for s in data.corpus.sentences][:512]
        min_cos = verify_onnx(embedder, texts, data.sentence_vectors[: len(texts)])
        ok = min_cos >= MIN_COSINE
        why = "" if ok else f"min cosine {min_cos:.5f} < {MIN_COSINE}"
        write_json(
            check_path,
            {"model": name, "corpus_hash": corpus_hash, "min_cosine": min_cos, "ok": ok, "why": why},
        )
        log.info(
            "ONNX export check: min cosine %.6f over %d sentences (%s)",
            min_cos,
            len(texts),
            "ok" if ok else "failed",
        )
        if not ok:
            raise SetupError(f"the ONNX export did not reproduce the reference ({why})")
        return embedder
