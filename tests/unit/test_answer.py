"""Sentence selection and citation numbering (no model)."""

from __future__ import annotations

import pytest

from retrieval.answer import (
    ADDITIONAL_MIN_RATIO,
    ADDITIONAL_MIN_SIMILARITY,
    cite,
    not_covered_message,
    render_quotes,
    select_sentences,
    word_count,
)
from retrieval.documents import load_corpus
from retrieval.hybrid import Hit
from retrieval.types import Topic
from tests.conftest import CORPUS

CORPUS_DATA = load_corpus(CORPUS)
SENTENCES = CORPUS_DATA.sentences
BY_REF = {s.sid.split("#")[1]: s for s in SENTENCES}  # "p6.s6" -> Sentence
PASSAGE_TEXT = {(p.doc_id, p.paragraph): p.text for p in CORPUS_DATA.passages}
LIMIT = 1000


def hit(ref: str, score: float = 0.9, dense: float = 0.6) -> Hit:
    return Hit(BY_REF[ref], score, dense, dense)


def refs(chosen: list[Hit]) -> list[str]:
    return [h.sentence.sid.split("#")[1] for h in chosen]


# --------------------------------------------------------------------------------- select_sentences
def test_at_most_three_sentences_and_eighty_words() -> None:
    many = [
        hit(r, 0.9 - i * 0.01) for i, r in enumerate(["p2.s2", "p2.s6", "p8.s3", "p3.s2", "p6.s3", "p4.s3"])
    ]
    chosen = select_sentences(many, SENTENCES, 3, 80)
    assert len(chosen) == 3
    assert refs(chosen) == ["p2.s2", "p2.s6", "p8.s3"]


def test_the_word_budget_skips_sentences_that_do_not_fit() -> None:
    # 58 + 51 words is over 80: the second long one is skipped, a short one still fits
    hits = [hit("p1.s1", 0.9), hit("p3.s1", 0.89), hit("p6.s3", 0.88)]
    chosen = select_sentences(hits, SENTENCES, 3, 80)
    assert refs(chosen) == ["p1.s1", "p6.s3"]
    assert sum(word_count(h.sentence.text) for h in chosen) <= 80


@pytest.mark.parametrize("max_sentences", [1, 2, 3])
@pytest.mark.parametrize("max_words", [10, 40, 80])
def test_limits_hold_for_every_budget(max_sentences: int, max_words: int) -> None:
    hits = [hit(s.sid.split("#")[1], 0.9 - 0.001 * i) for i, s in enumerate(SENTENCES)]
    chosen = select_sentences(hits, SENTENCES, max_sentences, max_words)
    assert 1 <= len(chosen) <= max_sentences
    if len(chosen) > 1:
        assert sum(word_count(h.sentence.text) for h in chosen) <= max_words


def test_further_sentences_must_be_nearly_as_good_and_relevant_on_their_own() -> None:
    best = hit("p6.s2", 1.0, 0.7)
    weak = hit("p6.s3", ADDITIONAL_MIN_RATIO * 0.99, 0.7)
    unrelated = hit("p5.s1", 0.95, ADDITIONAL_MIN_SIMILARITY * 0.9)
    assert refs(select_sentences([best, weak, unrelated], SENTENCES, 3, 80)) == ["p6.s2"]
    good = hit("p6.s3", ADDITIONAL_MIN_RATIO * 1.01, ADDITIONAL_MIN_SIMILARITY * 1.1)
    assert refs(select_sentences([best, good], SENTENCES, 3, 80)) == ["p6.s2", "p6.s3"]


def test_the_introducer_alone_is_never_chosen() -> None:
    assert BY_REF["p1.s2"].text == "Tillerson said,"
    assert select_sentences([hit("p1.s2", 1.0)], SENTENCES, 3, 80) == []
    chosen = select_sentences([hit("p1.s2", 1.0), hit("p2.s2", 0.9), hit("p1.s2", 0.9)], SENTENCES, 3, 80)
    assert refs(chosen) == ["p2.s2"]


def test_a_sentence_quoting_after_its_introducer_is_still_chosen() -> None:
    # 'Tillerson said, "By and large ...' is a sentence of its own, not a bare introducer
    assert refs(select_sentences([hit("p8.s2")], SENTENCES, 3, 80)) == ["p8.s2"]


def test_he_said_brings_the_previous_sentence_when_it_fits() -> None:
    assert BY_REF["p6.s6"].text.startswith("He said that he agreed")
    chosen = select_sentences([hit("p6.s6", 0.9)], SENTENCES, 3, 80)
    assert refs(chosen) == ["p6.s5", "p6.s6"]  # the subject comes right before its sentence
    assert chosen[0].score == chosen[1].score


def test_he_said_comes_alone_when_the_previous_sentence_does_not_fit() -> None:
    # p6.s6 has 19 words, p6.s5 25: together over a 30-word budget
    assert refs(select_sentences([hit("p6.s6")], SENTENCES, 3, 30)) == ["p6.s6"]
    assert refs(select_sentences([hit("p6.s6")], SENTENCES, 1, 80)) == ["p6.s6"]


def test_the_previous_sentence_is_not_added_twice() -> None:
    chosen = select_sentences([hit("p6.s6", 0.9), hit("p6.s5", 0.85)], SENTENCES, 3, 80)
    assert sorted(refs(chosen)) == ["p6.s5", "p6.s6"]


def test_a_first_sentence_has_no_previous_to_bring() -> None:
    # "Both foreign ministers ..." starts like a dependent sentence, but opens its paragraph
    chosen = select_sentences([hit("p8.s1")], SENTENCES, 3, 80)
    assert refs(chosen) == ["p8.s1"]


def test_no_hits_no_sentences() -> None:
    assert select_sentences([], SENTENCES, 3, 80) == []


def test_the_best_hit_is_always_chosen_and_nothing_twice() -> None:
    for top in ("p7.s1", "p1.s1", "p6.s6", "p4.s5"):
        hits = [hit(top, 1.0)] + [hit(s.sid.split("#")[1], 0.8) for s in SENTENCES if s.paragraph == 4]
        chosen = refs(select_sentences(hits, SENTENCES, 3, 80))
        assert top in chosen
        assert len(set(chosen)) == len(chosen)


# --------------------------------------------------------------------------------------------- cite
def test_citations_are_numbered_by_first_appearance_one_per_paragraph() -> None:
    chosen = [hit("p6.s2", 0.8), hit("p4.s3", 0.9), hit("p6.s3", 0.95)]
    quotes, citations = cite(chosen, PASSAGE_TEXT)
    assert [(c.n, c.paragraph) for c in citations] == [(1, 6), (2, 4)]
    assert [q.n for q in quotes] == [1, 2, 1]
    assert [q.text for q in quotes] == [h.sentence.text for h in chosen]
    assert [q.speaker for q in quotes] == ["Lavrov", "Tillerson", "Tillerson"]
    assert citations[0].text == PASSAGE_TEXT[(BY_REF["p6.s2"].doc_id, 6)]
    assert citations[0].score == pytest.approx(0.95)  # the best of its sentences
    assert citations[1].score == pytest.approx(0.9)


def test_citation_scores_are_capped_at_one() -> None:
    _, citations = cite([hit("p6.s2", 1.4)], PASSAGE_TEXT)
    assert citations[0].score == 1.0


def test_render_quotes_marks_every_sentence() -> None:
    quotes, _ = cite([hit("p2.s2"), hit("p7.s1")], PASSAGE_TEXT)
    text = render_quotes(quotes)
    assert text == f"{BY_REF['p2.s2'].text} [1] {BY_REF['p7.s1'].text} [2]"


def test_not_covered_lists_the_topics() -> None:
    message = not_covered_message([Topic("Syria", "d"), Topic("North Korea", "d")])
    assert "Syria, North Korea" in message
