"""Sentence selection and citation numbering (no model)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retrieval.answer import (
    ADDITIONAL_MIN_RATIO,
    ADDITIONAL_MIN_SIMILARITY,
    CLOSE_RATIO,
    FURTHER_MIN_RATIO,
    FURTHER_NEW_TERMS,
    QUOTE_REST_MAX_WORDS,
    choose_sentences,
    cite,
    is_comparison,
    not_covered_message,
    quote_rest,
    render_quotes,
    word_count,
)
from retrieval.documents import load_corpus
from retrieval.hybrid import Hit
from retrieval.types import Collection, Sentence, Topic
from tests.conftest import CORPUS

CORPUS_DATA = load_corpus(CORPUS)
SENTENCES = CORPUS_DATA.sentences
BY_REF = {s.sid.split("#")[1]: s for s in SENTENCES}  # "p6.s6" -> Sentence
PASSAGE_TEXT = {(p.doc_id, p.paragraph): p.text for p in CORPUS_DATA.passages}
LIMIT = 1000


def hit(ref: str, score: float = 0.9, dense: float = 0.6) -> Hit:
    return Hit(BY_REF[ref], score, dense, dense)


def refs(chosen: Sequence[Hit | Sentence]) -> list[str]:
    return [(h.sentence if isinstance(h, Hit) else h).sid.split("#")[1] for h in chosen]


# --------------------------------------------------------------------------------- choose_sentences
BY_SID = {s.sid: s for s in SENTENCES}
TERMS = {"assad": {"assad"}, "ceasefire": {"ceasefir"}}


def choose(hits: list[Hit], max_words: int = 80, **kw) -> list[Hit]:  # type: ignore[no-untyped-def]
    return choose_sentences(hits, BY_SID, max_words=max_words, **kw)


def test_one_sentence_when_the_next_adds_nothing() -> None:
    # p4.s5 (Assad) is the answer; p4.s2/p4.s3 (the ceasefire) score well below it and add no term asked
    hits = [hit("p4.s5", 1.0), hit("p4.s2", 0.7), hit("p4.s3", 0.65)]
    assert refs(choose(hits)) == ["p4.s5"]


def test_a_sentence_nearly_as_good_joins() -> None:
    hits = [hit("p4.s5", 1.0), hit("p4.s6", CLOSE_RATIO * 1.01)]
    assert refs(choose(hits)) == ["p4.s5", "p4.s6"]
    assert refs(choose([hit("p4.s5", 1.0), hit("p4.s6", CLOSE_RATIO * 0.99)])) == ["p4.s5"]


def test_a_sentence_with_question_terms_the_answer_lacks_joins() -> None:
    words = {
        "p4.s5": frozenset({"assad"}),
        "p4.s3": frozenset({"ceasefir", "jordan"}),
        "p4.s6": frozenset({"ceasefir"}),
    }
    by_text = {BY_REF[k].text: v for k, v in words.items()}

    def terms_of(text: str) -> frozenset[str]:
        return by_text.get(text, frozenset())

    def answer(hits, question_terms):  # type: ignore[no-untyped-def]
        return refs(choose(hits, question_terms=frozenset(question_terms), terms_of=terms_of))

    two_new = [hit("p4.s5", 1.0), hit("p4.s3", 0.6)]
    one_new = [hit("p4.s5", 1.0), hit("p4.s6", 0.6)]
    # the answer holds "assad": a further sentence must add FURTHER_NEW_TERMS more of the question's
    assert FURTHER_NEW_TERMS == 2
    assert answer(two_new, {"assad", "ceasefir", "jordan"}) == ["p4.s5", "p4.s3"]
    assert answer(one_new, {"assad", "ceasefir"}) == ["p4.s5"]  # one more term is padding
    assert answer(two_new, {"assad", "ceasefir"}) == ["p4.s5"]
    assert answer(two_new, {"assad"}) == ["p4.s5"]
    # an answer holding none of the question's terms takes a sentence adding one
    assert answer(one_new, {"ceasefir"}) == ["p4.s5", "p4.s6"]
    # ... and so does one whose paragraph never uses the term another paragraph's sentence adds
    by_text[BY_REF["p6.s1"].text] = frozenset({"cyber"})
    elsewhere = [hit("p4.s5", 1.0), hit("p6.s1", 0.6)]
    assert answer(elsewhere, {"assad", "cyber"}) == ["p4.s5", "p6.s1"]
    # ... when that term names something: with the names given, a word ("asked") does not do
    names = frozenset({"cyber"})
    assert refs(
        choose(elsewhere, question_terms=frozenset({"assad", "cyber"}), terms_of=terms_of, name_terms=names)
    ) == ["p4.s5", "p6.s1"]
    assert refs(
        choose(
            elsewhere, question_terms=frozenset({"assad", "cyber"}), terms_of=terms_of, name_terms=frozenset()
        )
    ) == ["p4.s5"]
    by_text[BY_REF["p4.s1"].text] = frozenset({"cyber"})  # now ¶4 uses it: padding again
    assert answer(elsewhere, {"assad", "cyber"}) == ["p4.s5"]
    # ... but only when it scores at least FURTHER_MIN_RATIO of the answer
    for ratio, expected in ((1.01, ["p4.s5", "p4.s3"]), (0.99, ["p4.s5"])):
        near = [hit("p4.s5", 1.0), hit("p4.s3", FURTHER_MIN_RATIO * ratio)]
        assert answer(near, {"assad", "ceasefir", "jordan"}) == expected


def test_the_other_side_of_a_comparison_joins() -> None:
    sides = {"p4.s5": "us", "p4.s6": "russia"}

    def side(sentence):  # type: ignore[no-untyped-def]
        return sides.get(sentence.sid.split("#")[1])

    hits = [hit("p4.s5", 1.0), hit("p4.s6", 0.6)]
    assert refs(choose(hits, side_of=side, comparison=True)) == ["p4.s5", "p4.s6"]
    assert refs(choose(hits, side_of=side, comparison=False)) == ["p4.s5"]


def test_the_expected_kind_of_answer_comes_first() -> None:
    # a "when" question: the sentence with a date wins over a better-scored one without
    hits = [hit("p5.s2", 1.0), hit("p5.s4", 0.9)]
    chosen = choose(hits, wants=lambda text: "July" in text)
    assert refs(chosen)[0] == "p5.s4"
    # ... unless it scores below ADDITIONAL_MIN_RATIO of the best
    far = [hit("p5.s2", 1.0), hit("p5.s4", ADDITIONAL_MIN_RATIO * 0.99)]
    # (p5.s2, "In response, Trump has appointed ...", brings the request it responds to)
    assert refs(choose(far, wants=lambda text: "July" in text))[:2] == ["p5.s1", "p5.s2"]


def test_further_sentences_must_be_relevant_on_their_own() -> None:
    best = hit("p6.s2", 1.0, 0.7)
    weak = hit("p6.s3", FURTHER_MIN_RATIO * 0.99, 0.7)
    unrelated = hit("p5.s1", 0.95, ADDITIONAL_MIN_SIMILARITY * 0.9)
    assert refs(choose([best, weak, unrelated])) == ["p6.s2"]


def test_the_word_budget_holds() -> None:
    hits = [hit("p1.s1", 1.0), hit("p3.s1", 0.99)]  # 58 + 51 words
    chosen = choose(hits)
    assert refs(chosen) == ["p1.s1"]
    for max_words in (30, 60, 80):
        many = [hit(s.sid.split("#")[1], 0.99 - 0.001 * i) for i, s in enumerate(SENTENCES)]
        chosen = choose(many, max_words)
        assert 1 <= len(chosen) <= 3
        if len(chosen) > 1:
            assert sum(word_count(h.sentence.text) for h in chosen) <= max_words


def test_the_introducer_alone_is_never_chosen() -> None:
    assert BY_REF["p1.s2"].text == "Tillerson said,"
    assert choose([hit("p1.s2", 1.0)]) == []
    assert refs(choose([hit("p1.s2", 1.0), hit("p2.s2", 0.9)])) == ["p2.s2"]
    # 'Tillerson said, "By and large ...' is whole (and brings the sentence closing its quotation)
    assert refs(choose([hit("p8.s2")])) == ["p8.s2", "p8.s3"]


def test_he_said_brings_the_previous_sentence_when_it_fits() -> None:
    assert BY_REF["p6.s6"].text.startswith("He said that he agreed")
    chosen = choose([hit("p6.s6", 0.9)])
    assert refs(chosen) == ["p6.s5", "p6.s6"]  # the subject comes right before its sentence
    assert refs(choose([hit("p6.s6")], 30)) == ["p6.s6"]  # 19 + 25 words: over a 30-word budget
    assert sorted(refs(choose([hit("p6.s6", 0.9), hit("p6.s5", 0.85)]))) == ["p6.s5", "p6.s6"]
    assert refs(choose([hit("p6.s6")], max_sentences=1)) == ["p6.s6"]  # the sentence cap holds too


def test_a_sentence_answering_the_one_before_brings_it() -> None:
    # "In response, Trump has appointed Ambassador Kurt Volker ...": in response to what ¶5 said first
    assert BY_REF["p5.s2"].text.startswith("In response,")
    assert refs(choose([hit("p5.s2", 1.0)])) == ["p5.s1", "p5.s2"]
    # ... and when the sentence before is chosen on its own too, it still comes first
    assert refs(choose([hit("p5.s2", 1.0), hit("p5.s1", CLOSE_RATIO * 1.01)])) == ["p5.s1", "p5.s2"]
    # ... and when it is the answer itself, it is quoted once, not again before the one after it
    assert refs(choose([hit("p5.s1", 1.0), hit("p5.s2", CLOSE_RATIO * 1.01)])) == ["p5.s1", "p5.s2"]
    # "In response to a question, Tillerson said ..." leans on nothing before it
    assert BY_REF["p4.s5"].text.startswith("In response to a question")
    assert refs(choose([hit("p4.s5", 1.0)])) == ["p4.s5"]


def test_what_was_done_about_the_answer_is_quoted_with_it() -> None:
    # The request (p5.s1) scores best, the reply (p5.s2, "In response, ...") far lower ("how did
    # the us respond to russia's request", "whats the deal w ukraine"): quoted together, the
    # request first.
    hits = [hit("p5.s1", 1.6), hit("p6.s2", 0.77), hit("p5.s2", 0.73)]
    assert refs(choose(hits)) == ["p5.s1", "p5.s2"]
    # ... only when the reply is among the candidates, and opens with "In response," or the like
    assert refs(choose([hit("p5.s1", 1.6), hit("p6.s2", 0.77)])) == ["p5.s1"]
    assert BY_REF["p4.s6"].text.startswith("Putin retains")
    assert refs(choose([hit("p4.s5", 1.0), hit("p4.s6", 0.5)])) == ["p4.s5"]


def test_a_quotation_the_answer_opens_is_quoted_to_its_end() -> None:
    # p3.s1 ends '... at one point, "They sent the First Lady in ...'; p3.s2-s3 (17 words) close it
    assert refs(quote_rest(BY_REF["p3.s1"], BY_SID)) == ["p3.s2", "p3.s3"]
    assert refs(choose([hit("p3.s1", 1.0), hit("p4.s2", 0.95)])) == ["p3.s1", "p3.s2", "p3.s3"]
    assert refs(choose([hit("p3.s1", 1.0)], 60)) == ["p3.s1"]  # 51 + 17 words: over a 60-word budget
    assert refs(choose([hit("p3.s1", 1.0)], max_sentences=2)) == ["p3.s1"]  # the sentence cap holds
    # the closing sentence as the answer, the opening one joining it: the answer stays first
    assert refs(choose([hit("p3.s3", 1.0), hit("p3.s1", 0.95)])) == ["p3.s3", "p3.s1", "p3.s2"]
    # the sentences inside or closing a quotation bring nothing; an open quotation longer than
    # QUOTE_REST_MAX_WORDS (p2.s1's runs the whole paragraph, p4.s1's never closes) is left as it is
    for ref in ("p2.s1", "p2.s3", "p3.s3", "p4.s1", "p4.s2", "p6.s5", "p8.s3"):
        assert quote_rest(BY_REF[ref], BY_SID) == [], ref
    assert sum(word_count(BY_REF[f"p2.s{i}"].text) for i in range(2, 7)) > QUOTE_REST_MAX_WORDS


def test_no_hits_no_sentences() -> None:
    assert choose([]) == []


def test_comparisons_are_recognised() -> None:
    assert is_comparison("how do the US and Russian views on Assad differ")
    assert is_comparison("us vs russia on assad")
    assert is_comparison("did lavrov and tillerson frame the cyber issue differently")
    assert is_comparison("comparing the two briefings, who said more")
    assert not is_comparison("what did Tillerson say about Assad")


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
    words = Collection("the press release", "press release", "release", "What?")
    message = not_covered_message([Topic("Syria", "d"), Topic("North Korea", "d")], words)
    assert message.startswith("The press release does not answer that.")
    assert "Syria, North Korea" in message


def test_a_summary_never_quotes_an_introducer_alone() -> None:
    from retrieval.summarise import topic_sentences

    introducer = hit("p1.s2", 0.99, 0.9)  # "Tillerson said,"
    assert introducer.sentence.text == "Tillerson said,"
    chosen = topic_sentences([introducer, hit("p1.s1", 0.8, 0.6)], None, 0.25)
    assert [h.sentence.sid for h in chosen] == [BY_REF["p1.s1"].sid]
    assert topic_sentences([introducer], None, 0.25) == []
