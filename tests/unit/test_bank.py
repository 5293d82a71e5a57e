"""The question bank (retrieval/bank.py) with the fake embedder: reading, votes, known questions,
leaving one file out, and the caches (no model)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from config.errors import SetupError
from config.settings import load_settings
from retrieval.answer_types import question_form
from retrieval.bank import QuestionBank, bank_files, load_bank, read_bank
from retrieval.types import Sentence
from tests.fakes import FakeEmbedder

SENTENCES = [
    Sentence(f"d#p1.s{i}", "d", 1, i, 0, 0, text, "Putin" if i == 3 else None)
    for i, text in enumerate(
        [
            "The meeting was scheduled for 35 minutes.",
            "They sent the First Lady in, so she failed.",
            "Putin firmly denied Russia's involvement.",
        ],
        start=1,
    )
]

BANK = """
[[question]]
q = "how long was the meeting meant to take"
kind = "paraphrase"
coverage = "full"
paragraph = 1
key = "scheduled for 35 minutes"

[[question]]
q = "did melania manage to stop them"
kind = "yesno"
coverage = "full"
paragraph = 1
key = "so she failed"
parts = [
  { q = "did melania manage to stop them", paragraph = 1, key = "so she failed" },
  { q = "what did putin say about meddling", paragraph = 1, key = "firmly denied" },
]

[[question]]
q = "who is on the cyber working group"
kind = "detail"
coverage = "partial"

[[question]]
q = "a question whose words the corpus lost"
kind = "keyword"
coverage = "full"
paragraph = 1
key = "words no sentence holds"
"""


def _plain(q: str) -> tuple[str, str | None]:
    return q.lower(), None


def _bank(tmp_path: Path, embedder: FakeEmbedder | None = None, **kw: float) -> QuestionBank:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "asked.toml").write_text(BANK, encoding="utf-8")
    return load_bank(
        [tmp_path / "asked.toml"],
        SENTENCES,
        _plain,
        tmp_path / "index",
        embedder or FakeEmbedder(),
        neighbours=int(kw.get("neighbours", 10)),
        temperature=kw.get("temperature", 0.02),
        known_similarity=kw.get("known_similarity", 0.85),
    )


def test_every_question_and_part_is_read_with_the_sentence_its_key_is_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "asked.toml").write_text(BANK, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        asked = read_bank([tmp_path / "asked.toml"], SENTENCES, lambda q: (q.upper(), None))
    assert [(a.text, a.coverage, a.sentence) for a in asked] == [
        ("HOW LONG WAS THE MEETING MEANT TO TAKE", "full", 0),
        ("DID MELANIA MANAGE TO STOP THEM", "full", 1),
        ("WHAT DID PUTIN SAY ABOUT MEDDLING", "full", 2),
        ("WHO IS ON THE CYBER WORKING GROUP", "partial", -1),
    ]
    assert {a.source for a in asked} == {"asked.toml"}
    assert [a.alone for a in asked] == [True, True, False, True]  # a later part leans on the first
    assert "1 answer(s) no sentence of the corpus holds were dropped" in caplog.text


def test_a_file_that_cannot_be_read_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "broken.toml").write_text("[[question]\nq = ", encoding="utf-8")
    (tmp_path / "asked.toml").write_text(BANK, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        asked = read_bank([tmp_path / "broken.toml", tmp_path / "asked.toml"], SENTENCES, _plain)
    assert len(asked) == 4
    assert "skipping broken.toml" in caplog.text


def test_votes_go_to_the_sentences_that_answered_the_nearest_questions(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder)
    votes = bank.recall(embedder.encode_queries(["how long was the meeting meant to last"])[0]).votes
    assert votes is not None
    assert votes.sum() == pytest.approx(1.0)
    assert int(np.argmax(votes)) == 0  # the 35-minutes sentence
    assert votes[0] > 0.9  # the nearest question outweighs the others at temperature 0.02
    votes = bank.recall(embedder.encode_queries(["what did putin say about the meddling"])[0]).votes
    assert votes is not None and int(np.argmax(votes)) == 2


def test_with_a_high_temperature_the_neighbours_share_the_vote(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder, temperature=100.0)
    votes = bank.recall(embedder.encode_queries(["how long was the meeting meant to last"])[0]).votes
    assert votes is not None
    assert np.allclose(votes, [1 / 3, 1 / 3, 1 / 3], atol=0.01)  # three answerable questions, one each
    one = _bank(tmp_path / "one", embedder, neighbours=1)
    votes = one.recall(embedder.encode_queries(["how long was the meeting meant to last"])[0]).votes
    assert votes is not None and votes.tolist() == [1.0, 0.0, 0.0]


def test_a_question_asked_before_in_other_words_gets_its_coverage(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder)
    known = bank.recall(embedder.encode_queries(["who's on the cyber working group"])[0]).known
    assert known is not None and known[0] == "partial" and known[1] >= 0.85
    assert bank.recall(embedder.encode_queries(["what is the weather in paris"])[0]).known is None


def test_a_detail_found_missing_counts_only_for_a_question_of_the_same_form(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder)
    # "who is on ..." was partial: a "who" question in other words still is, a yes/no is not.
    same = bank.recall(embedder.encode_queries(["who's on the cyber working group"])[0], form="person")
    assert same.known is not None and same.known[0] == "partial"
    vector = embedder.encode_queries(["is anyone on the cyber working group"])[0]
    near = bank.recall(vector).known  # as near as the "who" question, of another form
    assert near is not None and near[0] == "partial" and near[1] >= 0.85
    assert bank.recall(vector, form="yesno").known is None
    # An answered question counts whatever the form.
    answered = bank.recall(
        embedder.encode_queries(["how long was the meeting meant to take?"])[0], form="yesno"
    )
    assert answered.known is not None and answered.known[0] == "full"


def test_a_detail_missing_for_any_question_holds_for_which_one_not_the_other_way(tmp_path: Path) -> None:
    (tmp_path / "asked.toml").write_text(
        "\n".join(
            f'[[question]]\nq = "{q}"\nkind = "detail"\ncoverage = "partial"\n'
            for q in ("what did they eat at the dinner", "which sanctions does trump want")
        ),
        encoding="utf-8",
    )
    embedder = FakeEmbedder()
    bank = load_bank(
        [tmp_path / "asked.toml"], SENTENCES, _plain, tmp_path / "index", embedder,
        neighbours=10, temperature=0.02, known_similarity=0.7,
    )  # fmt: skip

    def known(question: str) -> tuple[str, float] | None:
        return bank.recall(embedder.encode_queries([question])[0], form=question_form(question)).known

    # "what did they eat" (any) was not answered: nor is which food they ate
    found = known("which food did they eat at the dinner")
    assert found is not None and found[0] == "partial"
    # "which sanctions" was not answered: what trump wants on sanctions may well be
    assert question_form("what does trump want on sanctions") == "any"
    assert known("what does trump want on sanctions") is None
    assert bank.recall(embedder.encode_queries(["what does trump want on sanctions"])[0]).known is not None


def test_support_is_the_nearest_answered_question_against_the_nearest_unanswered(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder)
    support = bank.recall(embedder.encode_queries(["how long was the meeting meant to take"])[0]).support
    assert support is not None and support.sentence == 0  # the 35-minutes sentence
    assert support.answered == pytest.approx(1.0, abs=1e-5) and support.unanswered < support.answered
    near_partial = bank.recall(embedder.encode_queries(["who is on the cyber working group"])[0]).support
    assert near_partial is not None and near_partial.unanswered > near_partial.answered


def test_without_leaves_one_file_out(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    bank = _bank(tmp_path, embedder)
    assert len(bank) == 4
    empty = bank.without("asked.toml")
    assert len(empty) == 0
    assert empty.recall(embedder.encode_queries(["how long was the meeting"])[0]).votes is None
    assert empty.recall(embedder.encode_queries(["who is on the cyber working group"])[0]).known is None
    assert len(bank.without("other.toml")) == 4


def test_the_bank_is_read_and_encoded_once_while_nothing_changes(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    calls: list[str] = []

    def search_text(q: str) -> tuple[str, str | None]:
        calls.append(q)
        return q, None

    def load() -> QuestionBank:
        return load_bank(
            [tmp_path / "asked.toml"],
            SENTENCES,
            search_text,
            tmp_path / "index",
            embedder,
            neighbours=10,
            temperature=0.02,
            known_similarity=0.85,
        )

    (tmp_path / "asked.toml").write_text(BANK, encoding="utf-8")
    first = load()
    assert len(calls) == 4 and embedder.calls == 1
    second = load()
    assert len(calls) == 4 and embedder.calls == 1  # both from the cache
    assert second.asked == first.asked and np.array_equal(second.vectors, first.vectors)
    (tmp_path / "asked.toml").write_text(BANK.replace("meant to take", "supposed to take"), encoding="utf-8")
    third = load()
    assert len(calls) == 8 and embedder.calls == 2
    assert third.asked[0].text == "how long was the meeting supposed to take"


def test_bank_files_expands_globs_once_each(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml", "notes.md"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert bank_files(["*.toml", "a.toml", "missing/*.toml"], tmp_path) == [
        (tmp_path / "a.toml").resolve(),
        (tmp_path / "b.toml").resolve(),
    ]
    assert bank_files([str(tmp_path / "b.toml")], Path("/nonexistent")) == [(tmp_path / "b.toml").resolve()]


def test_the_bank_setting_lists_globs_and_none_turns_it_off() -> None:
    assert load_settings({}, dotenv=False).retrieval.question_bank == ("eval/*.toml",)
    two = load_settings({"SUMMITBOT_QUESTION_BANK": "eval/dev.toml, asked/*.toml"}, dotenv=False)
    assert two.retrieval.question_bank == ("eval/dev.toml", "asked/*.toml")
    assert load_settings({"SUMMITBOT_QUESTION_BANK": "none"}, dotenv=False).retrieval.question_bank == ()
    assert load_settings({}, dotenv=False).answer.known_question_similarity == 0.85
    with pytest.raises(SetupError, match="SUMMITBOT_KNOWN_QUESTION_SIMILARITY"):
        load_settings({"SUMMITBOT_KNOWN_QUESTION_SIMILARITY": "2"}, dotenv=False)


def test_a_question_about_another_speaker_neither_votes_nor_is_known(tmp_path: Path) -> None:
    # The search text leaves the asked speaker's name out, so the bank keeps who was asked about.
    def by_speaker(q: str) -> tuple[str, str | None]:
        for name in ("putin", "tillerson"):
            if name in q:
                return q.replace(f"{name}'s ", ""), name.title()
        return q, None

    embedder = FakeEmbedder()
    text = BANK.replace("what did putin say about meddling", "what is putin's view on meddling")
    (tmp_path / "asked.toml").write_text(text, encoding="utf-8")
    bank = load_bank(
        [tmp_path / "asked.toml"],
        SENTENCES,
        by_speaker,
        tmp_path / "index",
        embedder,
        neighbours=1,
        temperature=0.02,
        known_similarity=0.85,
    )
    vector = embedder.encode_queries(["what is view on meddling"])[0]
    putin = bank.recall(vector, "Putin").votes
    assert putin is not None and int(np.argmax(putin)) == 2
    tillerson = bank.recall(vector, "Tillerson").votes
    assert tillerson is not None and tillerson[2] == 0.0
    assert bank.recall(vector, None).votes is not None


def test_a_question_without_its_key_makes_the_file_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "asked.toml").write_text(
        '[[question]]\nq = "x"\ncoverage = "full"\nparagraph = 1\n', encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING):
        assert read_bank([tmp_path / "asked.toml"], SENTENCES, _plain) == []
    assert "skipping asked.toml" in caplog.text and "'key'" in caplog.text


def test_every_key_of_the_shipped_sets_lies_in_one_sentence_of_the_corpus(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A key across two sentences ("First Lady in ... That didn't work") can never be in an
    # answer, whose sentences are each followed by a citation, and the bank drops it.
    from retrieval.documents import load_corpus
    from tests.conftest import CORPUS

    sentences = load_corpus(CORPUS).sentences
    with caplog.at_level(logging.WARNING, logger="retrieval.bank"):
        files = bank_files(["eval/*.toml"], CORPUS.parent)
        asked = read_bank(files, sentences, lambda q: (q, None))
    assert len(files) > 20 and len(asked) > 2000
    assert not [r.message for r in caplog.records]
