"""Floors on the eval figures (eval/questions.toml), so a change that loses quality fails.

Measured on 2026-11-30 (see README, Quality): hybrid R@1 89.4%, MRR 0.924, answer hit 85.1%,
16/16 correct refusals, 1 false refusal. The floors sit a little below, not at, those figures.
"""

from __future__ import annotations

import pytest

from retrieval.evaluate import DEFAULT_QUESTIONS, evaluate, load_questions

HELD_OUT = DEFAULT_QUESTIONS.parent / "heldout.toml"

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
    assert h["answer_hit_rate"] >= 0.83
    assert h["correct_refusals"] == report["out_of_scope"]
    assert h["false_refusals"] <= 1


def test_off_topic_anchors_generalise_to_the_held_out_set(service) -> None:  # type: ignore[no-untyped-def]
    """eval/heldout.toml was written after the anchors and the tuning, by someone who saw neither.
    Measured: 10/14 refused with the anchors against 5/14 without, no false refusals; then, after
    the check of questions without the people's names was added (11/14, 1 false refusal)."""
    held_out = evaluate(service, HELD_OUT)
    h = held_out["methods"]["hybrid"]
    assert h["false_refusals"] <= 1
    assert h["correct_refusals"] >= 11
    without = next(
        r for r in held_out["threshold_sweep"] if r["threshold"] == 0.30 and r["margin"] == float("inf")
    )
    assert held_out["out_of_scope"] - without["wrongly_answered"] < h["correct_refusals"]
    assert h["recall@3"] >= 0.9 and h["answer_hit_rate"] >= 0.73
