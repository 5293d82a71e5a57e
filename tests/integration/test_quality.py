"""Floors on the eval figures (eval/questions.toml), so a change that loses quality fails.

Measured on 2026-11-30 (see README, Quality): hybrid R@1 89.4%, MRR 0.924, answer hit 80.9%,
11/16 correct refusals, 5 false refusals. The floors sit a little below, not at, those figures.
"""

from __future__ import annotations

import pytest

from retrieval.evaluate import DEFAULT_QUESTIONS, evaluate, load_questions

pytestmark = pytest.mark.slow


def test_question_set_is_big_and_varied_enough() -> None:
    questions = load_questions(DEFAULT_QUESTIONS)
    kinds = [q["kind"] for q in questions]
    assert len(questions) >= 40
    assert kinds.count("out_of_scope") >= 10
    assert kinds.count("paraphrase") >= 8 and kinds.count("speaker") >= 5


@pytest.fixture(scope="module")
def report(service):  # type: ignore[no-untyped-def]
    return evaluate(service)


def test_hybrid_beats_both_single_methods(report) -> None:  # type: ignore[no-untyped-def]
    m = report["methods"]
    for metric in ("recall@1", "mrr", "answer_hit_rate"):
        assert m["hybrid"][metric] > m["dense"][metric], metric
        assert m["hybrid"][metric] > m["bm25"][metric], metric


def test_quality_floors(report) -> None:  # type: ignore[no-untyped-def]
    h = report["methods"]["hybrid"]
    assert h["recall@1"] >= 0.87
    assert h["recall@3"] >= 0.89
    assert h["mrr"] >= 0.90
    assert h["answer_hit_rate"] >= 0.78
    assert h["correct_refusals"] >= 11
    assert h["false_refusals"] <= 5
