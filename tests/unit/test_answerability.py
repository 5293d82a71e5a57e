"""The answerability decision and the anchor cache, with the fake embedder (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.answerability import (
    Decision,
    Evidence,
    Judge,
    Signals,
    Similarities,
    Thresholds,
    anchor_vectors,
    coverage_of,
    decide,
)
from retrieval.profile import load_profile
from tests.conftest import CORPUS
from tests.fakes import FakeEmbedder


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


T = Thresholds(min_similarity=0.3, off_topic_margin=0.1)


def _judge(anchors: list[str], vectors: list[np.ndarray]) -> Judge:
    stacked = np.stack(vectors) if vectors else np.zeros((0, 2), dtype=np.float32)
    return Judge(anchors, stacked, T)


def _decide(judge: Judge, release: float, vector: np.ndarray, covered: bool = False, rest=None):  # type: ignore[no-untyped-def]
    return judge.assess(release, vector, covered, lambda: rest)[1]


def test_refuses_below_the_similarity_threshold() -> None:
    decision = _decide(_judge(["weather"], [_unit(1, 0)]), 0.29, _unit(0, 1))
    assert not decision.answerable and "0.29 < 0.30" in decision.reason


def test_one_sentence_holding_every_word_lowers_the_floor_but_does_not_remove_it() -> None:
    judge = _judge(["weather"], [_unit(1, 0)])
    held = judge.assess(0.27, _unit(0, 1), True, lambda: None, in_one_sentence=True)[1]
    assert held.answerable
    assert not judge.assess(0.27, _unit(0, 1), True, lambda: None)[1].answerable
    low = judge.assess(0.2, _unit(0, 1), True, lambda: None, in_one_sentence=True)[1]
    assert not low.answerable and "0.20 < 0.25" in low.reason


def test_refuses_when_an_uncovered_subject_is_clearly_closer() -> None:
    judge = _judge(["weather", "cooking"], [_unit(1, 0), _unit(0, 1)])
    query = _unit(1, 0.05)  # cosine ~0.999 with "weather"
    decision = _decide(judge, 0.5, query)
    assert (
        not decision.answerable and "'weather'" in decision.reason and "uncovered subject" in decision.reason
    )
    # Within the margin (0.95 - 0.9 <= 0.1): answered.
    assert _decide(judge, 0.9, query).answerable
    # Every word of the question in the release: the anchors do not apply.
    assert _decide(judge, 0.5, query, covered=True).answerable


def test_an_anchor_is_weighed_against_the_release_s_own_subject_descriptions() -> None:
    # The question is closer to the anchor than to any sentence (0.8 vs 0.5), but as close to the
    # description of a subject the release covers: like against like, it is not refused.
    anchors, vectors = ["Japan and South Korea"], np.stack([_unit(1, 0.3)])
    query = _unit(1, 0.1)
    without = Judge(anchors, vectors, T)
    assert not _decide(without, 0.5, query).answerable
    subject = np.stack([_unit(1, 0.05)])  # "North Korea: the double freeze ..."
    judge = Judge(anchors, vectors, T, subjects=subject)
    decision = _decide(judge, 0.5, query)
    assert decision.answerable
    sims = judge.similarities(0.5, query)
    assert sims.subject > sims.off_topic and sims.gap <= T.off_topic_margin
    # A subject description far from the question changes nothing.
    far = Judge(anchors, vectors, T, subjects=np.stack([_unit(0, 1)]))
    assert not _decide(far, 0.5, query).answerable


def test_the_question_without_names_can_refuse_it() -> None:
    judge = _judge(["weather"], [_unit(1, 0)])
    names_only = (0.5, _unit(0, 1))  # without the names: far from the anchor -> still answered
    assert _decide(judge, 0.6, _unit(0, 1), rest=names_only).answerable
    weather = (0.4, _unit(1, 0))  # without the names: it is about the weather
    decision = _decide(judge, 0.6, _unit(0, 1), rest=weather)
    assert not decision.answerable and decision.confidence == 0.4


def test_the_second_look_is_taken_only_when_needed() -> None:
    judge = _judge(["weather"], [_unit(1, 0)])
    calls: list[int] = []

    def rest() -> tuple[float, np.ndarray]:
        calls.append(1)
        return 0.4, _unit(1, 0)

    judge.assess(0.1, _unit(0, 1), False, rest)  # refused anyway: no second encode
    judge.assess(0.6, _unit(0, 1), True, rest)  # every word covered: no second encode
    assert calls == []
    evidence, _ = judge.assess(0.1, _unit(0, 1), False, rest, full=True)  # eval: all of it
    assert calls == [1] and evidence.without_names is not None


def test_decide_is_the_same_rule_at_any_threshold() -> None:
    evidence = Evidence(Similarities(0.35, 0.2, "weather"), False, None)
    assert decide(evidence, Thresholds(0.3, 0.1)).answerable
    assert not decide(evidence, Thresholds(0.4, 0.1)).answerable
    off = Evidence(Similarities(0.35, 0.5, "weather"), False, None)
    assert not decide(off, Thresholds(0.3, 0.1)).answerable
    assert decide(off, Thresholds(0.3, float("inf"))).answerable  # margin inf: no anchors


def test_no_anchors_means_only_the_threshold_applies() -> None:
    judge = _judge([], [])
    assert _decide(judge, 0.31, _unit(1, 0)).answerable
    assert not _decide(judge, 0.2, _unit(1, 0)).answerable


def test_shipped_anchors_stay_off_the_release_topics() -> None:
    anchors = load_profile(CORPUS, []).off_topic
    assert len(anchors) >= 40
    covered = ("syria", "ukraine", "cyber", "north korea", "hacking of the election", "assad", "volker")
    offending = [a for a in anchors if any(word in a.lower() for word in covered)]
    assert offending == [], f"anchors that name a subject the release covers: {offending}"


def test_anchor_vectors_are_cached_per_model_and_anchors(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    names, vectors = anchor_vectors(["weather forecasts", "football results"], tmp_path / "cache", fake)
    assert names == ["weather forecasts", "football results"] and vectors.shape == (2, fake.dim)
    assert fake.calls == 1
    anchor_vectors(["weather forecasts", "football results"], tmp_path / "cache", fake)
    assert fake.calls == 1  # served from the cache
    names, vectors = anchor_vectors(["weather forecasts"], tmp_path / "cache", fake)
    assert names == ["weather forecasts"] and vectors.shape == (1, fake.dim) and fake.calls == 2
    names, _ = anchor_vectors(["weather forecasts"], tmp_path / "cache", FakeEmbedder("another-model"))
    assert names == ["weather forecasts"]


def _signals(*, supported: bool, detail_missing: bool = False, release: float = 0.2) -> Signals:
    sims = Similarities(release=release, off_topic=-1.0, anchor="")
    rule = Decision(answerable=release >= T.min_similarity, confidence=release, off_topic=-1.0, reason="")
    return Signals(
        evidence=Evidence(sims, words_covered=False, without_names=None),
        rule=rule,
        margin=0.0,
        agree=False,
        covered=0.5,
        detail_missing=detail_missing,
        supported=supported,
    )


def test_support_from_answered_questions_answers_below_the_similarity_floor() -> None:
    assert coverage_of(_signals(supported=False), None, T)[0] == "none"
    assert coverage_of(_signals(supported=True), None, T)[0] == "full"
    # ... but not a question asking for a detail the release lacks.
    assert coverage_of(_signals(supported=True, detail_missing=True), None, T)[0] == "none"
    assert coverage_of(_signals(supported=True, detail_missing=True, release=0.35), None, T)[0] == "partial"
