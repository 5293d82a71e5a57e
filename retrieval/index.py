"""The on-disk index: vectors, FAISS and BM25 indexes for sentences and passages, and a manifest.

``open_index`` loads the cached index when its manifest matches the corpus, model and settings,
and rebuilds it otherwise (saying why in the log). Files are written to temporary names and
renamed; the manifest, which holds every file's SHA-256, is written last, so an interrupted build
or a damaged file is detected on the next start and repaired by a rebuild. A build first checks
that the folder can be written and removes what killed builds left there (stale ``.staging-*``
folders); a folder that cannot be written, or a disk that fills up while the new files are
staged, is a ``SetupError`` (one line, exit 2) and leaves the old index as it was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.ann import FaissIndex, VectorIndex
from retrieval.documents import CHUNKER_VERSION, Corpus, corpus_hash, load_corpus, read_documents
from retrieval.embedder import Embedder
from retrieval.lexical import LexicalIndex
from retrieval.profile import Person, people_key
from retrieval.speakers import Speakers
from retrieval.storage import (
    cannot_write,
    check_writable,
    read_json_object,
    remove_stale_temporaries,
    sha256_file,
    temporary_prefix,
    write_json,
)
from retrieval.types import Document, IndexStats, Passage, Sentence, passage_id, sentence_id

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: chunks.json keeps each sentence's speaker
MANIFEST = "manifest.json"
REBUILD_REQUESTED = "rebuild requested"  # the reason of a build asked for (``index --rebuild``)
_TRACKED_LIBRARIES = ("sentence-transformers", "faiss-cpu", "bm25s", "pysbd", "torch", "numpy")
_REBUILD_ON_CHANGE = ("sentence-transformers", "faiss-cpu", "bm25s", "pysbd")


@dataclass
class IndexData:
    corpus: Corpus
    sentence_vectors: np.ndarray
    passage_vectors: np.ndarray
    sentence_index: VectorIndex
    passage_index: VectorIndex
    sentence_bm25: LexicalIndex
    passage_bm25: LexicalIndex
    manifest: dict[str, Any]
    stats: IndexStats = field(default_factory=lambda: IndexStats(0, 0, 0, 0.0, False, ""))


def library_versions() -> dict[str, str]:
    versions = {}
    for name in _TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def expected_manifest(
    documents: list[Document], model_name: str, hnsw_min_vectors: int, speakers: str = ""
) -> dict[str, Any]:
    """The parts of a manifest that must match for a cached index to be used. ``speakers``: the
    profile's ``speakers_key`` (speakers are attributed when the index is built)."""
    return {
        "format": FORMAT_VERSION,
        "model": model_name,
        "corpus_hash": corpus_hash(documents),
        "chunking": {
            "chunker_version": CHUNKER_VERSION,
            "passage": "paragraph",
            "sentence": "pysbd",
            "speakers": speakers,
        },
        "hnsw_min_vectors": hnsw_min_vectors,
        "versions": {k: v for k, v in library_versions().items() if k in _REBUILD_ON_CHANGE},
    }


def stale_reason(manifest: dict[str, Any] | None, expected: dict[str, Any]) -> str | None:
    """Why a cached index cannot be used, or None when it can."""
    if manifest is None:
        return "no index on disk yet"
    if manifest.get("format") != expected["format"]:
        return f"index format changed ({manifest.get('format')} -> {expected['format']})"
    if manifest.get("model") != expected["model"]:
        return f"model changed ({manifest.get('model')!r} -> {expected['model']!r})"
    if manifest.get("corpus_hash") != expected["corpus_hash"]:
        return "corpus changed"
    if manifest.get("chunking") != expected["chunking"]:
        return "chunking settings changed"
    if manifest.get("hnsw_min_vectors") != expected["hnsw_min_vectors"]:
        return "index type settings changed"
    old = manifest.get("versions", {})
    changed = [k for k, v in expected["versions"].items() if old.get(k) != v]
    if changed:
        return (
            "library versions changed ("
            + ", ".join(f"{k} {old.get(k)} -> {expected['versions'][k]}" for k in changed)
            + ")"
        )
    return None


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    path = index_dir / MANIFEST
    if not path.is_file():
        return None
    return read_json_object(path) or {"format": "unreadable"}


# ---------------------------------------------------------------------------------------------- build


def build_index(
    corpus: Corpus, embedder: Embedder, hnsw_min_vectors: int, *, speakers: str = "", progress: bool = False
) -> IndexData:
    """``speakers``: the ``people_key`` of the people ``corpus`` was attributed with."""
    start = time.perf_counter()
    sentence_vectors = embedder.encode_documents([s.text for s in corpus.sentences], progress=progress)
    passage_vectors = embedder.encode_documents([p.text for p in corpus.passages], progress=progress)
    data = IndexData(
        corpus=corpus,
        sentence_vectors=sentence_vectors,
        passage_vectors=passage_vectors,
        sentence_index=FaissIndex.build(sentence_vectors, hnsw_min_vectors),
        passage_index=FaissIndex.build(passage_vectors, hnsw_min_vectors),
        sentence_bm25=LexicalIndex.build([s.text for s in corpus.sentences]),
        passage_bm25=LexicalIndex.build([p.text for p in corpus.passages]),
        manifest={},
    )
    data.manifest = {
        **expected_manifest(corpus.documents, embedder.model_name, hnsw_min_vectors, speakers),
        "versions_all": library_versions(),
        "embedding_backend": embedder.backend,
        "dim": int(sentence_vectors.shape[1]),
        "index_type": data.sentence_index.kind,
        "counts": {
            "documents": len(corpus.documents),
            "passages": len(corpus.passages),
            "sentences": len(corpus.sentences),
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - start, 3),
    }
    return data


def _chunks_json(corpus: Corpus) -> dict[str, Any]:
    return {
        "passages": [[p.doc_id, p.paragraph, p.start, p.end] for p in corpus.passages],
        "sentences": [
            [s.doc_id, s.paragraph, s.index, s.start, s.end, s.speaker, s.quoted] for s in corpus.sentences
        ],
    }


def save_index(data: IndexData, index_dir: Path) -> None:
    """Stage every file and the manifest in a temporary folder, then rename them into place
    (the manifest last). SetupError when the folder cannot be written or the disk is full while
    staging; the old index is untouched until everything is staged."""
    try:
        _save_index(data, index_dir)
    except OSError as exc:
        raise cannot_write(index_dir, exc) from exc


def _save_index(data: IndexData, index_dir: Path) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    for path in remove_stale_temporaries(index_dir):
        log.info("Removed %s, left by an interrupted build", path.name)
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix("staging"), dir=index_dir))
    try:
        np.save(staging / "sentences.npy", data.sentence_vectors)
        np.save(staging / "passages.npy", data.passage_vectors)
        data.sentence_index.save(staging / "sentences.faiss")
        data.passage_index.save(staging / "passages.faiss")
        (staging / "chunks.json").write_text(json.dumps(_chunks_json(data.corpus)), encoding="utf-8")
        data.sentence_bm25.save(staging / "bm25-sentences")
        data.passage_bm25.save(staging / "bm25-passages")
        files: dict[str, str] = {}
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                files[str(path.relative_to(staging))] = sha256_file(path)
        manifest = {**data.manifest, "files": files}
        write_json(staging / MANIFEST, manifest, sort_keys=True)  # staged too: renames need no space
        old_manifest = index_dir / MANIFEST
        if old_manifest.exists():
            old_manifest.unlink()  # from here until the new one lands, the index reads as absent
        for rel in files:
            target = index_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
        os.replace(staging / MANIFEST, index_dir / MANIFEST)
        data.manifest = manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ----------------------------------------------------------------------------------------------- load


class CorruptIndex(Exception):
    pass


def load_index(index_dir: Path, documents: list[Document], manifest: dict[str, Any]) -> IndexData:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise CorruptIndex("manifest lists no files")
    for rel, digest in files.items():
        path = index_dir / rel
        if not path.is_file():
            raise CorruptIndex(f"{rel} is missing")
        if sha256_file(path) != digest:
            raise CorruptIndex(f"{rel} does not match its checksum")
    try:
        chunks = json.loads((index_dir / "chunks.json").read_text(encoding="utf-8"))
        by_id = {d.doc_id: d for d in documents}
        passages = []
        for doc_id, paragraph, start, end in chunks["passages"]:
            text = by_id[doc_id].text
            pid = passage_id(doc_id, paragraph)
            passages.append(Passage(pid, doc_id, paragraph, start, end, text[start:end]))
        sentences = []  # speakers were attributed at build time and saved with the chunks
        for doc_id, paragraph, i, start, end, speaker, quoted in chunks["sentences"]:
            text = by_id[doc_id].text
            sid = sentence_id(doc_id, paragraph, i)
            sentences.append(
                Sentence(sid, doc_id, paragraph, i, start, end, text[start:end], speaker, bool(quoted))
            )
        corpus = Corpus(documents, passages, sentences)
        data = IndexData(
            corpus=corpus,
            sentence_vectors=np.load(index_dir / "sentences.npy"),
            passage_vectors=np.load(index_dir / "passages.npy"),
            sentence_index=FaissIndex.load(index_dir / "sentences.faiss"),
            passage_index=FaissIndex.load(index_dir / "passages.faiss"),
            sentence_bm25=LexicalIndex.load(index_dir / "bm25-sentences"),
            passage_bm25=LexicalIndex.load(index_dir / "bm25-passages"),
            manifest=manifest,
        )
    except CorruptIndex:
        raise
    except Exception as exc:  # a damaged file of any kind means: rebuild
        raise CorruptIndex(f"{type(exc).__name__}: {exc}") from exc
    n_s, n_p = len(corpus.sentences), len(corpus.passages)
    if data.sentence_index.size != n_s or data.passage_index.size != n_p:
        raise CorruptIndex("index sizes do not match the chunks")
    if data.sentence_vectors.shape != (n_s, manifest.get("dim")) or data.passage_vectors.shape[0] != n_p:
        raise CorruptIndex("vector shapes do not match the chunks")
    return data


def open_index(
    corpus_dir: Path,
    index_dir: Path,
    model_name: str,
    hnsw_min_vectors: int,
    make_embedder: Callable[[], Embedder],
    *,
    people: Sequence[Person] = (),
    rebuild: bool = False,
    progress: bool = False,
) -> IndexData:
    """Load the cached index if it is up to date, else build and save it. ``make_embedder`` is
    called only when a build is needed (it is what imports the model). ``people``: the corpus
    profile's, whose speakers the sentences are attributed to."""
    start = time.perf_counter()
    documents = read_documents(corpus_dir)
    expected = expected_manifest(documents, model_name, hnsw_min_vectors, people_key(people))
    manifest = read_manifest(index_dir)
    reason = REBUILD_REQUESTED if rebuild else stale_reason(manifest, expected)
    if reason is None and manifest is not None:
        try:
            data = load_index(index_dir, documents, manifest)
        except CorruptIndex as exc:
            reason = f"index files are corrupt ({exc})"
        else:
            counts = manifest.get("counts", {})
            data.stats = IndexStats(
                len(documents),
                int(counts.get("passages", 0)),
                int(counts.get("sentences", 0)),
                time.perf_counter() - start,
                False,
                "up to date",
            )
            log.debug("Index loaded from %s in %.3f s", index_dir, data.stats.seconds)
            return data
    log.info("Building the index in %s: %s", index_dir, reason)
    check_writable(index_dir)  # before seconds of embedding, not after
    corpus = load_corpus(corpus_dir, Speakers(people))
    data = build_index(
        corpus, make_embedder(), hnsw_min_vectors, speakers=people_key(people), progress=progress
    )
    save_index(data, index_dir)
    data.stats = IndexStats(
        len(corpus.documents),
        len(corpus.passages),
        len(corpus.sentences),
        time.perf_counter() - start,
        True,
        str(reason),
    )
    log.info(
        "Index built: %d passages, %d sentences in %.1f s",
        data.stats.passages,
        data.stats.sentences,
        data.stats.seconds,
    )
    return data
