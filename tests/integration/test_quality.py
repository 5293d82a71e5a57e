"""Floors on the eval figures, so a change that loses quality fails (see docs/quality.md).

Measured on 2026-12-02 (late evening) to 2026-12-05 (night) with the real model (hybrid). Every set is
answered with the question bank (eval/*.toml) less its own questions (``evaluate`` leaves the set
out), so a set's figures never come from its own answers:
- eval/heldout32_blind.toml (116, run once on 2026-12-05 after set 31's run, with no change made
  in between, against the bank of the 33 sets before it; spent since): answer hit 79/84,
  multi-part 11/12, unanswerable not answered 31/32, 2 false refusals, 43.5 words; summaries
  11/12.
- eval/heldout31_blind.toml (116, run once on 2026-12-05 after the night's three changes, the last
  d6046d0, against the bank of the 32 sets before it; spent since): answer hit 83/84, multi-part
  12/12, unanswerable not answered 30/32, 0 false refusals, 44.1 words; summaries 12/12.
- eval/heldout30_blind.toml (116, run once on 2026-12-04 in the evening after one change made since
  set 29's run, 51d1f97, against the bank of the 31 sets before it; spent since): answer hit
  79/84, multi-part 10/12, unanswerable not answered 30/32, 2 false refusals, 42.2 words;
  summaries 11/12.
- eval/heldout29_blind.toml (116, run once on 2026-12-04 in the evening after the six changes made
  since set 28's run, the last e437b9a, against the bank of the 30 sets before it; spent since):
  answer hit 78/84, multi-part 10/12, unanswerable not answered 32/32, 0 false refusals, 36.6
  words; summaries 11/12.
- eval/heldout28_blind.toml (116, run once on 2026-12-04 in the evening after the session's six
  changes, the last b3f7067, against the bank of the 29 sets before it; spent since): answer hit
  76/80, multi-part 11/12, unanswerable not answered 35/36, 0 false refusals, 38.5 words;
  summaries 12/12.
- eval/heldout27_blind.toml (116, run once on 2026-12-04 after the session's last change, 0f54ccd,
  against the bank of the 28 sets before it; spent since): answer hit 71/80, multi-part 9/12,
  unanswerable not answered 34/36, 4 false refusals, 37.8 words; summaries 11/12.
- eval/heldout26_blind.toml (116, run once on 2026-12-03 in the evening after the session's last
  change, against the bank of the 27 sets before it; spent since): answer hit 78/81, multi-part
  12/12, unanswerable not answered 33/35, 0 false refusals, 40.3 words; summaries 11/12.
- eval/heldout24_blind.toml and heldout25_blind.toml (116 each, run once on 2026-12-03 in the
  evening, one at a time; 24 after this evening's first seven changes, 25 after two changes set 24
  prompted; spent since): answer hit 65/78 and 76/81, multi-part 7/12 and 12/12, unanswerable
  not answered 35/38 and 34/35, 2 and 2 false refusals, 39.4 and 39.0 words; summaries 12/12 and
  12/12. Set 24 now, after its fixes: 68/78, 10/12.
- eval/heldout22_blind.toml and heldout23_blind.toml (116 each, run once on 2026-12-03 in the
  afternoon, one at a time; 23 after three changes 22 prompted; spent since): answer hit 71/80
  and 68/79, multi-part 6/12 and 7/12, unanswerable not answered 31/36 and 34/37, 2 and 3 false
  refusals, 36.4 and 39.6 words; summaries 11/12 and 12/12.
- eval/heldout19_blind.toml, heldout20_blind.toml and heldout21_blind.toml (116 each, run once on
  2026-12-03 in the afternoon, one at a time, each against the bank of the sets before it; 19 and
  20 after the same code, 21 after three changes set 20 prompted; spent since): answer hit 69/75,
  68/79 and 69/76, multi-part 10/12, 8/12 and 9/12, unanswerable not answered 36/41, 35/37 and
  36/40, false refusals 1, 4 and 2, mean words 40.9, 38.3 and 37.3; summaries 11/12, 11/12, 12/12.
- eval/heldout18_blind.toml (116, run once on 2026-12-03 after the session's last change, against
  the bank of the 19 sets before it, spent since): answer hit 73/75, multi-part 11/12,
  unanswerable not answered 33/41, 1 false refusal, 38.4 words; summaries 10/12.
- eval/heldout16_blind.toml and heldout17_blind.toml (116 each, run once on 2026-12-03, set 16
  against the bank of the 17 sets before it, set 17 with set 16 in it too; spent since): answer
  hit 77/84 and 75/84, multi-part 11/12 and 8/12, unanswerable not answered 29/32 and 29/32, 0
  and 1 false refusals; summaries 12/12 and 10/12 (one key of set 17 is in no sentence: "First
  Lady in ... That didn’t work").
- eval/heldout15_blind.toml and heldout14_blind.toml (116 each, run once on 2026-12-03 against
  the bank without either, spent since): answer hit 78/82 and 77/84, multi-part 10/12 and 11/12,
  unanswerable not answered 32/34 and 28/32, 1 and 1 false refusal; summaries 11/12 and 12/12
  (with each other in the bank: 80/82 and 78/84, 32/34 and 29/32).
- eval/dev.toml (138 questions, the tuning set): answer hit 93/99, multi-part 14/14, unanswerable
  not answered 36/39, 1 false refusal, mean 40.0 words; free-text summaries 16/16 (87/99, 12/14,
  35/39, 3 on 2026-12-02).
- eval/questions.toml (63, the first set): answer hit 42/47, 16/16 not answered, 1 false refusal.
- eval/heldout.toml (42, the first held-out set, spent): 12 of 14 not answered, no false refusal.
- eval/heldout13_blind.toml and heldout12_blind.toml (116 each, the last blind sets, run once
  with the bank, spent since): answer hit 74/84 and 71/84, multi-part 6/12 and 8/12, unanswerable
  not answered 31/32 and 30/32, 2 and 7 false refusals; summaries 11/12 and 11/12.
- eval/heldout11_blind.toml and heldout10_blind.toml (116 each, run once with the bank before
  sets 12 and 13 existed, spent since): answer hit 79/84 and 71/84, multi-part 10/12 and 9/12,
  unanswerable not answered 28/32 and 31/32, 2 and 8 false refusals; summaries 11/12 and 12/12.
- eval/heldout9_blind.toml, heldout8_blind.toml, heldout7_blind.toml (spent, in the bank for
  the others): 69/84, 77/84, 71/84; multi-part 9, 11, 10 of 12; not answered 30, 29, 30 of 32;
  8, 3, 4 false refusals; summaries 8, 12, 11 of 12.
The floors sit a little below, not at, those figures.
"""

from __future__ import annotations

import pytest

from retrieval.evaluate import DEFAULT_QUESTIONS, evaluate, load_set

EVAL = DEFAULT_QUESTIONS.parent
pytestmark = pytest.mark.slow


def test_the_dev_set_is_big_and_varied_enough() -> None:
    questions, summaries = load_set(DEFAULT_QUESTIONS)
    kinds = [q["kind"] for q in questions]
    assert DEFAULT_QUESTIONS.name == "dev.toml" and len(questions) >= 100
    assert sum(q["coverage"] != "full" for q in questions) >= 30
    assert sum(q["coverage"] == "partial" for q in questions) >= 15
    assert {"instruction", "chitchat", "multi", "typo", "casual", "comparison", "why", "when"} <= set(kinds)
    paragraphs = {p["paragraph"] for q in questions for p in q["parts"]}
    assert paragraphs == set(range(1, 9))
    assert len(summaries) >= 10


@pytest.fixture(scope="module")
def dev(service):  # type: ignore[no-untyped-def]
    return evaluate(service)


@pytest.fixture(scope="module")
def first(service):  # type: ignore[no-untyped-def]
    return evaluate(service, EVAL / "questions.toml")


def test_dev_floors(dev) -> None:  # type: ignore[no-untyped-def]
    o = dev["overall"]
    assert o["answer_hit"] >= 90
    assert o["multi_full_hit"] >= 12
    assert o["not_answered"] >= 33
    assert o["false_refusals"] <= 3
    assert o["mean_words"] <= 41
    k = dev["kinds"]
    assert k["instruction"]["not_answered"] == k["instruction"]["unanswerable"]
    assert k["chitchat"]["not_answered"] == k["chitchat"]["unanswerable"]
    assert k["off_topic"]["not_answered"] == k["off_topic"]["unanswerable"]
    assert k["typo"]["answer_hit"] >= 8
    assert dev["summaries"]["passed"] >= 14


def test_hybrid_ranks_better_than_either_method(first) -> None:  # type: ignore[no-untyped-def]
    m = first["methods"]
    for metric in ("recall@1", "mrr"):
        assert m["hybrid"][metric] > m["dense"][metric], metric
        assert m["hybrid"][metric] > m["bm25"][metric], metric


def test_first_set_floors(first) -> None:  # type: ignore[no-untyped-def]
    h = first["methods"]["hybrid"]
    assert h["recall@1"] >= 0.87 and h["recall@3"] >= 0.89 and h["mrr"] >= 0.90
    assert first["overall"]["answer_hit"] >= 40
    assert h["correct_refusals"] == first["out_of_scope"]
    assert h["false_refusals"] <= 1


def test_the_first_held_out_set_still_holds(service) -> None:  # type: ignore[no-untyped-def]
    """eval/heldout.toml was written after the anchors, by someone who saw neither (spent since)."""
    held_out = evaluate(service, EVAL / "heldout.toml")
    h = held_out["methods"]["hybrid"]
    assert h["false_refusals"] <= 2
    assert h["correct_refusals"] >= 11
    without = next(
        r for r in held_out["threshold_sweep"] if r["threshold"] == 0.30 and r["margin"] == float("inf")
    )
    assert held_out["out_of_scope"] - without["wrongly_answered"] < h["correct_refusals"]


@pytest.mark.parametrize(
    ("name", "hit", "multi", "not_answered", "false_refusals", "summaries"),
    [
        ("heldout32_blind.toml", 77, 10, 29, 3, 10),
        ("heldout31_blind.toml", 80, 11, 28, 2, 11),
        ("heldout30_blind.toml", 76, 9, 28, 3, 10),
        ("heldout29_blind.toml", 75, 9, 30, 2, 10),
        ("heldout28_blind.toml", 73, 10, 33, 2, 11),
        ("heldout27_blind.toml", 68, 8, 32, 5, 10),
        ("heldout26_blind.toml", 75, 10, 31, 2, 10),
        ("heldout25_blind.toml", 73, 10, 32, 3, 11),
        ("heldout24_blind.toml", 65, 8, 33, 3, 11),
        ("heldout23_blind.toml", 65, 6, 32, 4, 11),
        ("heldout22_blind.toml", 70, 6, 30, 3, 10),
        ("heldout21_blind.toml", 66, 8, 34, 3, 11),
        ("heldout20_blind.toml", 66, 7, 33, 4, 10),
        ("heldout19_blind.toml", 67, 9, 34, 2, 10),
        ("heldout18_blind.toml", 71, 10, 31, 2, 9),
        ("heldout17_blind.toml", 75, 9, 27, 2, 9),
        ("heldout16_blind.toml", 75, 10, 28, 1, 11),
        ("heldout15_blind.toml", 77, 9, 30, 3, 10),
        ("heldout14_blind.toml", 75, 10, 27, 3, 11),
        ("heldout13_blind.toml", 71, 5, 29, 3, 10),
        ("heldout12_blind.toml", 68, 7, 28, 8, 10),
        ("heldout11_blind.toml", 74, 9, 26, 3, 10),  # 78 -> 75: two of the padding rule's five
        ("heldout10_blind.toml", 68, 8, 29, 9, 11),
        ("heldout9_blind.toml", 66, 8, 28, 9, 7),
        ("heldout8_blind.toml", 74, 10, 27, 4, 11),
        ("heldout7_blind.toml", 68, 9, 28, 5, 10),
    ],
)
def test_the_last_blind_sets_do_not_regress(  # type: ignore[no-untyped-def]
    service, name: str, hit: int, multi: int, not_answered: int, false_refusals: int, summaries: int
) -> None:
    """The last blind sets measured the figures once each; now they guard them."""
    o = evaluate(service, EVAL / name)
    r, s = o["overall"], o["summaries"]
    assert r["answer_hit"] >= hit and r["multi_full_hit"] >= multi
    assert r["not_answered"] >= not_answered and r["false_refusals"] <= false_refusals
    assert s["passed"] >= summaries


def test_the_risk_coverage_table_is_consistent(dev) -> None:  # type: ignore[no-untyped-def]
    rows = dev["risk_coverage"]
    assert rows[0]["min_probability"] == 0.0
    assert [r["answered"] for r in rows] == sorted((r["answered"] for r in rows), reverse=True)
    # every answered question is either a hit or wrong
    assert rows[0]["answered"] - rows[0]["wrong"] == dev["overall"]["answer_hit"]
