"""bench/generator.py: deterministic for a seed, sizes as documented, every document has metadata."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench import generator
from retrieval.documents import REQUIRED_META, load_corpus, read_documents


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    first = [(d.name, d.text, d.meta) for d in generator.generate(6, seed=7)]
    again = [(d.name, d.text, d.meta) for d in generator.generate(6, seed=7)]
    other = [(d.name, d.text, d.meta) for d in generator.generate(6, seed=8)]
    assert first == again
    assert [t for _, t, _ in first] != [t for _, t, _ in other]


def test_a_document_depends_on_the_seed_and_its_number_only() -> None:
    small = list(generator.generate(3, seed=11))
    large = list(generator.generate(9, seed=11))
    assert [d.text for d in small] == [d.text for d in large[:2]]
    assert generator.synthetic_document(11, 5).text == large[4].text


def test_synthetic_documents_differ_from_each_other_and_from_the_release() -> None:
    release = (generator.RELEASE_DIR / f"{generator.RELEASE_NAME}.txt").read_text(encoding="utf-8")
    texts = [d.text for d in generator.generate(30, seed=3)]
    assert len(set(texts)) == len(texts)
    assert release not in texts


@pytest.mark.parametrize("size", [1, 2, 7])
def test_sizes_scale_as_documented(tmp_path: Path, size: int) -> None:
    release = generator.load_release()
    info = generator.write_corpus(tmp_path / "corpus", size, seed=5)
    assert info.documents == size
    assert info.paragraphs == len(release.paragraphs) * size == 8 * size
    assert info.sentences == generator.release_sentences() * size == 34 * size
    assert len(list((tmp_path / "corpus").glob("*.txt"))) == size
    corpus = load_corpus(tmp_path / "corpus")
    assert len(corpus.documents) == size
    assert len(corpus.passages) == info.paragraphs
    # pysbd may split a recombined sentence differently: the documented tolerance is 1%
    assert abs(len(corpus.sentences) - info.sentences) <= max(1, info.sentences // 100)


def test_size_one_is_the_release_itself(tmp_path: Path) -> None:
    generator.write_corpus(tmp_path / "one", 1)
    (doc,) = read_documents(tmp_path / "one")
    assert doc.doc_id == generator.RELEASE_NAME
    assert doc.text == (generator.RELEASE_DIR / f"{generator.RELEASE_NAME}.txt").read_text(encoding="utf-8")


def test_every_synthetic_document_has_metadata(tmp_path: Path) -> None:
    generator.write_corpus(tmp_path / "corpus", 5, seed=9)
    documents = read_documents(tmp_path / "corpus")  # raises if any metadata is missing
    assert len(documents) == 5
    for path in (tmp_path / "corpus").glob("*.txt"):
        meta = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
        assert all(str(meta.get(key, "")).strip() for key in REQUIRED_META), path.name
    synthetic = [d for d in documents if d.doc_id.startswith(generator.SYNTHETIC_PREFIX)]
    assert len(synthetic) == 4
    assert all("seed 9" in d.source for d in synthetic)


def test_write_corpus_replaces_an_existing_folder(tmp_path: Path) -> None:
    generator.write_corpus(tmp_path / "corpus", 6, seed=1)
    generator.write_corpus(tmp_path / "corpus", 2, seed=1)
    assert len(list((tmp_path / "corpus").glob("*.txt"))) == 2
    assert (tmp_path / "corpus" / "profile.toml").is_file()  # the release's profile


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        list(generator.generate(0))
    with pytest.raises(ValueError):
        generator.synthetic_document(1, 0)
