"""Reciprocal rank fusion arithmetic and the hybrid searcher on an index built with a fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import RetrievalSettings
from retrieval.hybrid import HybridSearcher, fuse, rrf
from retrieval.index import open_index
from tests.conftest import CORPUS, shipped_profile
from tests.fakes import FakeEmbedder


# ------------------------------------------------------------------------------------- arithmetic
def test_rrf_gives_one_over_k_plus_rank() -> None:
    assert rrf([5, 2, 9], 60) == {5: 1 / 61, 2: 1 / 62, 9: 1 / 63}
    assert rrf([], 60) == {}


def test_rrf_accepts_numpy_ids() -> None:
    import numpy as np

    out = rrf(np.array([3, 1], dtype=np.int64), 1)
    assert out == {3: 0.5, 1: 1 / 3}
    assert all(type(k) is int for k in out)


def test_fuse_adds_weighted_contributions() -> None:
    fused = fuse([([1, 2], 1.0), ([2, 3], 0.5)], 1)
    assert fused == pytest.approx({1: 1 / 2, 2: 1 / 3 + 0.5 / 2, 3: 0.5 / 3})


def test_fuse_prefers_agreement_between_rankings() -> None:
    # 7 is second in both rankings, 1 and 2 each top only one: agreement wins with a large k
    fused = fuse([([1, 7], 1.0), ([2, 7], 1.0)], 60)
    assert max(fused, key=lambda i: fused[i]) == 7
    assert fuse([], 60) == {}


def test_fuse_with_zero_weight_ignores_a_ranking() -> None:
    assert fuse([([1], 1.0), ([2], 0.0)], 3) == {1: 0.25, 2: 0.0}


# ------------------------------------------------------------------------------- hybrid searching
@pytest.fixture(scope="module")
def fake() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, fake: FakeEmbedder):  # type: ignore[no-untyped-def]
    index_dir: Path = tmp_path_factory.mktemp("fusion-index")
    people = shipped_profile().people
    return open_index(CORPUS, index_dir, "fake-model", 50000, lambda: fake, people=people)


def _search(data, fake, question, *, boost=0.5, speaker=None, method="hybrid", limit=50):  # type: ignore[no-untyped-def]
    retrieval = RetrievalSettings(
        rrf_k=3,
        candidates=30,
        bm25_weight=0.3,
        paragraph_weight=0.5,
        speaker_boost=boost,
        question_bank=(),
        bank_weight=0.0,
        bank_neighbours=10,
        bank_temperature=0.02,
    )
    searcher = HybridSearcher(data, retrieval)
    return searcher.search(
        question, fake.encode_queries([question])[0], speaker=speaker, method=method, limit=limit
    )


def test_speaker_boost_prefers_the_asked_speakers_sentence(data, fake) -> None:  # type: ignore[no-untyped-def]
    question = "What did Putin say about Assad?"
    plain = _search(data, fake, question)
    boosted = _search(data, fake, question, speaker="Putin")
    top_plain, top_boosted = plain.hits[0].sentence, boosted.hits[0].sentence
    assert top_plain.speaker != "Putin"  # without the boost another sentence wins ...
    assert top_boosted.speaker == "Putin"  # ... with it, Putin's own sentence does
    assert top_boosted.text.startswith("Putin retains his view that Assad")
    assert boosted.hits[0].speaker_match
    assert not any(h.speaker_match for h in plain.hits)


def test_the_boost_multiplies_only_the_speakers_sentences(data, fake) -> None:  # type: ignore[no-untyped-def]
    question = "What did Lavrov say about cyber-security?"
    plain = {h.sentence.sid: h.score for h in _search(data, fake, question).hits}
    boosted = _search(data, fake, question, boost=0.5, speaker="Lavrov").hits
    assert any(h.speaker_match for h in boosted)
    for h in boosted:
        expected = plain[h.sentence.sid] * (1.5 if h.sentence.speaker == "Lavrov" else 1.0)
        assert h.score == pytest.approx(expected)
        assert h.speaker_match == (h.sentence.speaker == "Lavrov")


@pytest.mark.parametrize("method", ["hybrid", "dense", "bm25"])
@pytest.mark.parametrize("speaker", [None, "Tillerson", "Lavrov"])
@pytest.mark.parametrize(
    "question",
    [
        "What did Tillerson say about Assad?",
        "cyber-security working group pornography",
        "zzzz qqqq",
        "the the the",
        "Syria Syria Syria ceasefire Jordan southwest Syria",
    ],
)
def test_scores_lie_between_zero_and_one_plus_boost(data, fake, method, speaker, question) -> None:  # type: ignore[no-untyped-def]
    boost = 0.5
    result = _search(data, fake, question, boost=boost, speaker=speaker, method=method)
    for h in result.hits:
        assert 0.0 <= h.score <= 1.0 + boost + 1e-9
        if not h.speaker_match:
            assert h.score <= 1.0 + 1e-9
        assert -1.0 - 1e-6 <= h.dense <= 1.0 + 1e-6
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    assert -1.0 - 1e-6 <= result.confidence <= 1.0 + 1e-6


@pytest.mark.parametrize("method", ["hybrid", "dense", "bm25"])
def test_a_sentence_first_in_every_ranking_scores_exactly_one(data, fake, method) -> None:  # type: ignore[no-untyped-def]
    # The query is a sentence of the release word for word: it and its paragraph come first in
    # every ranking, which is the best a sentence can do, so its normalised score is 1.
    sentence = next(s for s in data.corpus.sentences if s.text.startswith("Lavrov pointed out"))
    top = _search(data, fake, sentence.text, method=method).hits[0]
    assert top.sentence.sid == sentence.sid
    assert top.dense == pytest.approx(1.0, abs=1e-5)
    assert top.score == pytest.approx(1.0)
    boosted = _search(data, fake, sentence.text, method=method, boost=0.5, speaker="Lavrov").hits[0]
    assert boosted.score == pytest.approx(1.5)


def test_limit(data, fake) -> None:  # type: ignore[no-untyped-def]
    result = _search(data, fake, "Ukraine Volker Kyiv", limit=3)
    assert len(result.hits) == 3
    assert result.hits[0].sentence.paragraph == 5


def test_every_hit_carries_its_dense_similarities(data, fake) -> None:  # type: ignore[no-untyped-def]
    question = "double freeze sanctions"
    qv = fake.encode_queries([question])[0]
    index = {s.sid: i for i, s in enumerate(data.corpus.sentences)}
    pindex = {(p.doc_id, p.paragraph): i for i, p in enumerate(data.corpus.passages)}
    for h in _search(data, fake, question).hits:
        s = h.sentence
        assert h.dense == pytest.approx(float(data.sentence_vectors[index[s.sid]] @ qv), abs=1e-5)
        expected_para = float(data.passage_vectors[pindex[(s.doc_id, s.paragraph)]] @ qv)
        assert h.paragraph_dense == pytest.approx(expected_para, abs=1e-5)
