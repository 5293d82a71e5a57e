"""Index build, reload without re-embedding, rebuild on change, recovery from damage: real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.service import SummitService
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


class CountingChooser:
    """The real EmbedderChooser, counting how often the corpus gets embedded."""

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        from retrieval.backends import EmbedderChooser

        self.inner = EmbedderChooser(settings)
        self.document_texts = 0

    def reference(self):  # type: ignore[no-untyped-def]
        ref = self.inner.reference()
        original = ref.encode_documents

        def counting(texts, *, progress=False):  # type: ignore[no-untyped-def]
            self.document_texts += len(texts)
            return original(texts, progress=progress)

        ref.encode_documents = counting  # type: ignore[method-assign]
        return ref

    def query(self):  # type: ignore[no-untyped-def]
        return self.inner.query()

    def prepare(self, data, *, rebuild=False) -> None:  # type: ignore[no-untyped-def]
        self.inner.prepare(data, rebuild=rebuild)


def _open(settings) -> tuple[SummitService, CountingChooser]:  # type: ignore[no-untyped-def]
    chooser = CountingChooser(settings)
    service = SummitService(settings, chooser)
    service._open()
    return service, chooser


def test_lifecycle(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "index", corpus_copy)
    first, chooser = _open(settings)
    assert first.stats.rebuilt and first.stats.reason == "no index on disk yet"
    assert chooser.document_texts == first.stats.sentences + first.stats.passages
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["model"] == "all-MiniLM-L6-v2" and manifest["dim"] == 384
    assert manifest["index_type"] == "flat" and manifest["counts"]["passages"] == 8
    answer = first.ask("Who was appointed Special Representative for Ukraine Negotiations?")

    # Second start over the unchanged corpus: nothing is embedded again, same answer.
    second, chooser = _open(settings)
    assert not second.stats.rebuilt and chooser.document_texts == 0
    assert second.ask("Who was appointed Special Representative for Ukraine Negotiations?") == answer

    # The corpus changes: a rebuild that says why, and the new text is searchable.
    release = corpus_copy / "summit-2017-07-press-release.txt"
    release.write_text(
        release.read_text(encoding="utf-8") + "\n\nOn Iran, both ministers agreed to meet again in Vienna.\n",
        encoding="utf-8",
    )
    third, chooser = _open(settings)
    assert third.stats.rebuilt and third.stats.reason == "corpus changed" and chooser.document_texts > 0
    assert third.stats.passages == 9
    assert 9 in {c.paragraph for c in third.ask("What did the ministers agree on Iran?").citations}

    # A damaged FAISS file is detected by its checksum and repaired by a rebuild.
    (settings.index_dir / "sentences.faiss").write_bytes(b"garbage")
    fourth, _ = _open(settings)
    assert fourth.stats.rebuilt and "corrupt" in fourth.stats.reason
    assert fourth.ask("Where is the ceasefire zone in Syria?").answered
