"""The cached index: build once, reuse, and rebuild (saying why) when anything it depends on changes."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.documents import CHUNKER_VERSION, corpus_hash, read_documents
from retrieval.index import (
    FORMAT_VERSION,
    MANIFEST,
    expected_manifest,
    open_index,
    read_manifest,
    stale_reason,
)
from tests.conftest import CORPUS
from tests.fakes import FakeEmbedder

HNSW_MIN = 50000


def _open(corpus_dir: Path, index_dir: Path, fake: FakeEmbedder, model: str = "fake-model", **kw):  # type: ignore[no-untyped-def]
    return open_index(corpus_dir, index_dir, model, HNSW_MIN, lambda: fake, **kw)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def built(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A freshly built index in a private folder: (index_dir, fake embedder, data)."""
    fake = FakeEmbedder()
    index_dir = tmp_path / "index"
    data = _open(CORPUS, index_dir, fake)
    return index_dir, fake, data


def _assert_usable(data, corpus_dir: Path = CORPUS) -> None:  # type: ignore[no-untyped-def]
    corpus = data.corpus
    assert data.sentence_index.size == len(corpus.sentences) == data.sentence_vectors.shape[0]
    assert data.passage_index.size == len(corpus.passages) == data.passage_vectors.shape[0]
    ids, scores = data.sentence_index.search(data.sentence_vectors[0], 1)
    assert ids.tolist() == [0] and scores[0] == pytest.approx(1.0, abs=1e-5)  # a vector finds itself
    assert data.sentence_bm25.search("Ukraine Volker", 3)[0].size > 0
    docs = {d.doc_id: d.text for d in read_documents(corpus_dir)}
    for s in corpus.sentences:
        assert s.text == docs[s.doc_id][s.start : s.end]


# --------------------------------------------------------------------------------------- first build
def test_first_open_builds_and_writes_the_manifest(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, data = built
    assert data.stats.rebuilt and data.stats.reason == "no index on disk yet"
    assert (data.stats.documents, data.stats.passages, data.stats.sentences) == (1, 8, 34)
    assert fake.calls == 2  # sentences and passages, one batch each
    manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["model"] == "fake-model"
    assert manifest["dim"] == fake.dim == 64
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["corpus_hash"] == corpus_hash(data.corpus.documents)
    assert manifest["chunking"]["chunker_version"] == CHUNKER_VERSION
    assert manifest["counts"] == {"documents": 1, "passages": 8, "sentences": 34}
    assert set(manifest["versions"]) >= {"sentence-transformers", "faiss-cpu", "bm25s", "pysbd"}
    assert manifest["embedding_backend"] == "fake"
    files = manifest["files"]
    assert {"sentences.faiss", "passages.faiss", "sentences.npy", "passages.npy", "chunks.json"} <= set(files)
    assert any(f.startswith("bm25-sentences/") for f in files)
    for rel, digest in files.items():
        assert _sha256(index_dir / rel) == digest, rel
    _assert_usable(data)


def test_no_staging_or_temporary_files_are_left_behind(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, _, data = built
    listed = set(data.manifest["files"]) | {MANIFEST}
    on_disk = {str(p.relative_to(index_dir)) for p in index_dir.rglob("*") if p.is_file()}
    assert on_disk == listed
    assert not [p for p in index_dir.rglob("*") if p.name.startswith((".", "tmp"))]


# ------------------------------------------------------------------------------------------- reuse
def test_second_open_loads_without_embedding(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, first = built
    calls = fake.calls
    manifest_bytes = (index_dir / MANIFEST).read_bytes()

    def no_embedder():  # type: ignore[no-untyped-def]
        raise AssertionError("the embedder must not be created for an up-to-date index")

    data = open_index(CORPUS, index_dir, "fake-model", HNSW_MIN, no_embedder)
    assert fake.calls == calls
    assert not data.stats.rebuilt and data.stats.reason == "up to date"
    assert (data.stats.passages, data.stats.sentences) == (8, 34)
    assert (index_dir / MANIFEST).read_bytes() == manifest_bytes
    assert [s.sid for s in data.corpus.sentences] == [s.sid for s in first.corpus.sentences]
    assert [s.speaker for s in data.corpus.sentences] == [s.speaker for s in first.corpus.sentences]
    np.testing.assert_array_equal(data.sentence_vectors, first.sentence_vectors)
    _assert_usable(data)


def test_rebuild_requested_rebuilds_even_when_up_to_date(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, _ = built
    calls = fake.calls
    data = _open(CORPUS, index_dir, fake, rebuild=True)
    assert data.stats.rebuilt and data.stats.reason == "rebuild requested"
    assert fake.calls > calls


def test_hnsw_above_the_threshold_flat_below(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    flat = open_index(CORPUS, tmp_path / "flat", "fake-model", 35, lambda: fake)
    hnsw = open_index(CORPUS, tmp_path / "hnsw", "fake-model", 34, lambda: fake)
    assert flat.manifest["index_type"] == "flat" and hnsw.manifest["index_type"] == "hnsw"
    reloaded = open_index(CORPUS, tmp_path / "hnsw", "fake-model", 34, lambda: fake)
    assert not reloaded.stats.rebuilt
    _assert_usable(reloaded)
    changed = open_index(CORPUS, tmp_path / "hnsw", "fake-model", 35, lambda: fake)
    assert changed.stats.rebuilt and "index type" in changed.stats.reason


# ---------------------------------------------------------------------------------------- rebuilds
def test_a_changed_corpus_rebuilds(corpus_copy: Path, tmp_path: Path) -> None:
    fake = FakeEmbedder()
    index_dir = tmp_path / "index"
    _open(corpus_copy, index_dir, fake)
    txt = corpus_copy / "summit-2017-07-press-release.txt"
    txt.write_text(txt.read_text(encoding="utf-8") + "\n\nOn Mars, both sides agreed on nothing.\n", "utf-8")
    calls = fake.calls
    data = _open(corpus_copy, index_dir, fake)
    assert data.stats.rebuilt and data.stats.reason == "corpus changed"
    assert fake.calls > calls
    assert data.stats.passages == 9
    assert data.corpus.passages[-1].text == "On Mars, both sides agreed on nothing."
    _assert_usable(data, corpus_copy)
    again = _open(corpus_copy, index_dir, fake)
    assert not again.stats.rebuilt


def test_changed_metadata_counts_as_a_changed_corpus(corpus_copy: Path, tmp_path: Path) -> None:
    fake = FakeEmbedder()
    _open(corpus_copy, tmp_path / "index", fake)
    meta = corpus_copy / "summit-2017-07-press-release.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("July 2017", "July 8, 2017"), "utf-8")
    assert _open(corpus_copy, tmp_path / "index", fake).stats.reason == "corpus changed"


def test_another_model_rebuilds(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, _, _ = built
    other = FakeEmbedder("other-model", dim=32)
    data = _open(CORPUS, index_dir, other, model="other-model")
    assert data.stats.rebuilt
    assert "model" in data.stats.reason and "other-model" in data.stats.reason
    assert other.calls == 2
    manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["model"], manifest["dim"]) == ("other-model", 32)
    assert data.sentence_vectors.shape == (34, 32)
    _assert_usable(data)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _garble(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 16] = b"\xff" * 16
    path.write_bytes(bytes(raw))


DAMAGE = {
    "truncated sentences.faiss": lambda d: _truncate(d / "sentences.faiss"),
    "garbled sentences.faiss": lambda d: _garble(d / "sentences.faiss"),
    "empty sentences.faiss": lambda d: (d / "sentences.faiss").write_bytes(b""),
    "deleted passages.npy": lambda d: (d / "passages.npy").unlink(),
    "garbled chunks.json": lambda d: (d / "chunks.json").write_text("{not json", "utf-8"),
    "deleted bm25 folder file": lambda d: next((d / "bm25-passages").iterdir()).unlink(),
    "garbage manifest": lambda d: (d / MANIFEST).write_bytes(b"\x00garbage{{{"),
    "manifest not an object": lambda d: (d / MANIFEST).write_text("[1, 2, 3]", "utf-8"),
    "manifest without files": lambda d: (d / MANIFEST).write_text(
        json.dumps({k: v for k, v in json.loads((d / MANIFEST).read_text("utf-8")).items() if k != "files"}),
        "utf-8",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_is_rebuilt_and_then_loads(built, damage: str) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, _ = built
    DAMAGE[damage](index_dir)
    calls = fake.calls
    data = _open(CORPUS, index_dir, fake)
    assert data.stats.rebuilt
    assert data.stats.reason and data.stats.reason != "up to date"
    assert fake.calls > calls
    _assert_usable(data)
    reloaded = _open(CORPUS, index_dir, fake)  # repaired: the next start just loads it
    assert not reloaded.stats.rebuilt
    assert fake.calls == calls + 2
    _assert_usable(reloaded)


def test_a_damaged_file_is_named_in_the_reason(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, _ = built
    _garble(index_dir / "sentences.faiss")
    reason = _open(CORPUS, index_dir, fake).stats.reason
    assert "corrupt" in reason and "sentences.faiss" in reason
    (index_dir / "passages.npy").unlink()
    reason = _open(CORPUS, index_dir, fake).stats.reason
    assert "passages.npy" in reason and "missing" in reason


def test_a_removed_manifest_means_no_index(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, _ = built
    (index_dir / MANIFEST).unlink()
    assert read_manifest(index_dir) is None
    assert _open(CORPUS, index_dir, fake).stats.reason == "no index on disk yet"


def test_a_corpus_that_cannot_be_read_leaves_the_index_alone(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from config.errors import SetupError

    index_dir, fake, _ = built
    before = (index_dir / MANIFEST).read_bytes()
    with pytest.raises(SetupError):
        _open(tmp_path / "no-corpus", index_dir, fake)
    assert (index_dir / MANIFEST).read_bytes() == before


def test_an_embedder_that_fails_leaves_the_old_index_loadable(corpus_copy: Path, tmp_path: Path) -> None:
    from config.errors import SetupError

    fake = FakeEmbedder()
    index_dir = tmp_path / "index"
    _open(corpus_copy, index_dir, fake)
    before = (index_dir / MANIFEST).read_bytes()

    def broken():  # type: ignore[no-untyped-def]
        raise SetupError("no model")

    with pytest.raises(SetupError):
        open_index(corpus_copy, index_dir, "another-model", HNSW_MIN, broken)
    assert (index_dir / MANIFEST).read_bytes() == before
    assert not _open(corpus_copy, index_dir, fake).stats.rebuilt


# ------------------------------------------------------------------------------------- stale_reason
@pytest.fixture(scope="module")
def expected():  # type: ignore[no-untyped-def]
    return expected_manifest(read_documents(CORPUS), "fake-model", HNSW_MIN)


def test_stale_reason_none_when_everything_matches(expected) -> None:  # type: ignore[no-untyped-def]
    assert stale_reason(dict(expected), expected) is None
    assert stale_reason({**expected, "files": {}, "dim": 64, "built_at": "x"}, expected) is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format": 1}, "format"),
        ({"format": "unreadable"}, "format"),
        ({"model": "all-MiniLM-L6-v2"}, "model changed ('all-MiniLM-L6-v2' -> 'fake-model')"),
        ({"corpus_hash": "0" * 64}, "corpus changed"),
        ({"chunking": {"chunker_version": CHUNKER_VERSION - 1}}, "chunking"),
        ({"hnsw_min_vectors": 10}, "index type"),
        ({"versions": {"pysbd": "0.0.1"}}, "pysbd 0.0.1 ->"),
    ],
)
def test_stale_reason_names_what_changed(expected, change: dict, words: str) -> None:  # type: ignore[no-untyped-def]
    manifest = {**expected, **change}
    reason = stale_reason(manifest, expected)
    assert reason is not None and words in reason


def test_stale_reason_without_a_manifest(expected) -> None:  # type: ignore[no-untyped-def]
    assert stale_reason(None, expected) == "no index on disk yet"
    assert stale_reason({}, expected) is not None


def test_expected_manifest_depends_on_model_corpus_and_settings(expected, corpus_copy: Path) -> None:  # type: ignore[no-untyped-def]
    docs = read_documents(CORPUS)
    assert expected_manifest(docs, "fake-model", HNSW_MIN) == expected
    assert expected_manifest(docs, "m2", HNSW_MIN)["model"] == "m2"
    assert expected_manifest(docs, "fake-model", 10)["hnsw_min_vectors"] == 10
    (corpus_copy / "summit-2017-07-press-release.txt").write_text("Changed.\n", "utf-8")
    assert (
        expected_manifest(read_documents(corpus_copy), "fake-model", HNSW_MIN)["corpus_hash"]
        != (expected["corpus_hash"])
    )


# ---------------------------------------------------------------------- full disk, leftovers
def _enospc(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["np.save", "faiss", "manifest"])
def test_a_full_disk_during_a_build_is_a_setup_error_and_keeps_the_old_index(  # type: ignore[no-untyped-def]
    built, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import retrieval.index as index_module
    from config.errors import SetupError

    index_dir, fake, _ = built
    before = {p.name: p.read_bytes() for p in index_dir.iterdir() if p.is_file()}
    if where == "np.save":
        monkeypatch.setattr(index_module.np, "save", _enospc)
    elif where == "faiss":
        monkeypatch.setattr(index_module.FaissIndex, "save", _enospc)
    else:
        monkeypatch.setattr(index_module, "write_json", _enospc)
    with pytest.raises(SetupError) as info:
        _open(CORPUS, index_dir, fake, rebuild=True)
    assert info.value.exit_code == 2
    assert "No space left" in info.value.message and str(index_dir) in info.value.message
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in index_dir.iterdir() if p.is_file()}
    assert after == before, "the old index is left as it was"
    assert not list(index_dir.glob(".staging-*")), "the failed build cleans up after itself"
    assert not _open(CORPUS, index_dir, fake).stats.rebuilt, "and it still loads"


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_stale_staging_folders_are_removed_by_the_next_build(built) -> None:  # type: ignore[no-untyped-def]
    index_dir, fake, _ = built
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = index_dir / f".staging-{dead.pid}-abc123"  # left by a build that was killed
    killed.mkdir()
    (killed / "sentences.npy").write_bytes(b"half")
    old_style = index_dir / ".staging-q1w2e3"  # no pid recorded, hours old
    old_style.mkdir()
    _age(old_style, 3 * 3600)
    busy = index_dir / f".staging-{os.getpid()}-live01"  # a build running now in a live process
    busy.mkdir()
    fresh = index_dir / ".staging-r4t5y6"  # no pid, but just made: may belong to a running build
    fresh.mkdir()
    tmp_file = index_dir / ".manifest.json.tmp-x8y9z0"  # an interrupted atomic write, old
    tmp_file.write_text("{")
    _age(tmp_file, 3 * 3600)

    _open(CORPUS, index_dir, fake, rebuild=True)
    assert not killed.exists() and not old_style.exists() and not tmp_file.exists()
    assert busy.is_dir() and fresh.is_dir(), "a staging folder a build may be using is kept"
    assert not _open(CORPUS, index_dir, fake).stats.rebuilt
