"""Which embedder serves queries: sentence-transformers (the reference) or ONNX Runtime.

The corpus is always embedded by the reference backend at index time. With ``backend = auto`` or
``onnx``, the model is also exported to ONNX next to the index, once, and checked against the
reference vectors of the corpus sentences (cosine >= ``MIN_COSINE``); check.json records the result
with each exported file's size and SHA-256. Queries then use ONNX Runtime, which starts in a fraction
of a second and never imports torch. A start whose export no longer matches that record (a file
truncated, replaced or missing) exports it again, as does ``index --rebuild``. With ``auto``, a
failed export or check falls back to sentence-transformers and the log says why; with ``onnx`` it is
an error.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from config.errors import SetupError
from config.settings import Settings
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.index import REBUILD_REQUESTED
from retrieval.storage import cannot_write, file_damage, file_records, read_json_object, write_json

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
            from retrieval.embedder_onnx import OnnxEmbedder  # noqa: F401  (is onnxruntime usable?)
        except ImportError as exc:
            raise SetupError(f"ONNX Runtime is not available ({exc}).") from None
        try:
            return self._checked_onnx(data, rebuild=rebuild)
        except OSError as exc:  # a read-only or full index folder
            raise cannot_write(self.onnx_dir, exc, "the ONNX export") from exc

    def _checked_onnx(self, data: Any, *, rebuild: bool) -> Embedder:
        """The ONNX embedder of ``onnx_dir``: trusted as is when check.json says it was verified for
        this model and corpus and its files still match the sizes and checksums recorded then;
        verified again after an index rebuild; exported again (and verified) when a file is
        damaged or missing, or on ``index --rebuild``."""
        from retrieval.embedder_onnx import OnnxEmbedder, export_onnx

        name = self.settings.model_name
        check = read_json_object(self.onnx_dir / CHECK_FILE)
        same_model = bool(check) and check.get("model") == name  # type: ignore[union-attr]
        reexport = rebuild and data.stats.reason == REBUILD_REQUESTED
        damage = None
        if same_model and not reexport:
            assert check is not None
            damage = file_damage(self.onnx_dir, check.get("files"))
            trusted = damage is None and check.get("corpus_hash") == data.manifest.get("corpus_hash")
            if trusted and not rebuild:
                if not check.get("ok"):
                    raise SetupError(f"the ONNX export did not reproduce the reference ({check.get('why')})")
                return OnnxEmbedder(self.onnx_dir, name)
            if damage is not None and "files" not in check:  # checked before sizes were recorded
                damage = None
        if damage is not None or reexport or not same_model or not (self.onnx_dir / "model.onnx").is_file():
            why = damage or ("rebuild requested" if reexport else "no export for this model yet")
            log.info("Exporting %s to ONNX in %s (%s)", name, self.onnx_dir, why)
            export_onnx(name, self.onnx_dir)
            return self._verify(data, OnnxEmbedder(self.onnx_dir, name))
        try:
            embedder = OnnxEmbedder(self.onnx_dir, name)
        except SetupError as exc:  # damaged, and no sizes recorded to tell
            log.info("Exporting %s to ONNX in %s (%s)", name, self.onnx_dir, exc.message)
            export_onnx(name, self.onnx_dir)
            embedder = OnnxEmbedder(self.onnx_dir, name)
        return self._verify(data, embedder)

    def _verify(self, data: Any, embedder: Any) -> Embedder:
        """Compare the export with the reference vectors of the corpus and record the result with
        the files' sizes and checksums in check.json."""
        from retrieval.embedder_onnx import verify_onnx

        name = self.settings.model_name
        texts = [s.text for s in data.corpus.sentences][:512]
        min_cos = verify_onnx(embedder, texts, data.sentence_vectors[: len(texts)])
        ok = min_cos >= MIN_COSINE
        why = "" if ok else f"min cosine {min_cos:.5f} < {MIN_COSINE}"
        names = sorted(p.name for p in self.onnx_dir.iterdir() if p.is_file() and p.name != CHECK_FILE)
        write_json(
            self.onnx_dir / CHECK_FILE,
            {
                "model": name,
                "corpus_hash": data.manifest.get("corpus_hash"),
                "min_cosine": min_cos,
                "ok": ok,
                "why": why,
                "files": file_records(self.onnx_dir, names),
            },
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
