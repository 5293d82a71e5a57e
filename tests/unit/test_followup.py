"""The follow-up rewriter (retrieval/followup.py): pure, no model, no Discord."""

from __future__ import annotations

import pytest

from retrieval import followup
from retrieval.api import Turn, looks_like_question
from retrieval.documents import read_documents
from retrieval.profile import load_profile
from retrieval.speakers import Speakers
from tests.conftest import CORPUS

SPEAKERS = Speakers(load_profile(CORPUS, read_documents(CORPUS)).people)  # the shipped profile's people


def rewrite_followup(question: str, turns: list[Turn], max_turns: int = followup.MAX_TURNS) -> str:
    return followup.rewrite_followup(question, turns, SPEAKERS, max_turns)


def is_followup(question: str) -> bool:
    return followup.is_followup(question, SPEAKERS)


CYBER = Turn(
    "What did Tillerson say about cyber-security?",
    "On cyber-security, both sides agreed to establish a working group to collaborate on this issue. [1]",
    "Tillerson",
)
KOREA = Turn(
    "Does Trump believe sanctions on North Korea are necessary?",
    "Trump believes continuing sanctions are necessary. [1]",
)
SYRIA_BOTH = Turn("What did Trump and Putin agree on Syria?", "Both parties agreed on a ceasefire [1]")


@pytest.mark.parametrize(
    ("follow_up", "turns", "standalone"),
    [
        ("and what did Lavrov say?", [CYBER], "What did Lavrov say about cyber-security?"),
        ("and Lavrov?", [CYBER], "What did Lavrov say about cyber-security?"),
        ("why?", [CYBER], "Why did Tillerson say that about cyber-security?"),
        ("why?", [KOREA], "Why does Trump believe sanctions on North Korea are necessary?"),
        ("what about Ukraine?", [CYBER], "What did Tillerson say about Ukraine?"),
        ("what about Ukraine?", [KOREA], "What did Trump say about Ukraine?"),
        ("what about Putin?", [KOREA], "What did Putin say about North Korea?"),
        ("did he say anything else?", [CYBER], "Did Tillerson say anything else about cyber-security?"),
        ("did he say anything else?", [KOREA], "Did Trump say anything else about North Korea?"),
        ("what did he say about it?", [CYBER], "What did Tillerson say about cyber-security?"),
        ("did they discuss it?", [SYRIA_BOTH], "Did Trump and Putin discuss Syria?"),
        ("what did they say about Ukraine?", [SYRIA_BOTH], "What did Trump and Putin say about Ukraine?"),
    ],
)
def test_follow_ups_become_standalone_questions(follow_up: str, turns: list[Turn], standalone: str) -> None:
    assert is_followup(follow_up)
    assert rewrite_followup(follow_up, turns) == standalone


@pytest.mark.parametrize(
    "question",
    [
        "Who will travel to Kyiv?",
        "Did Tillerson say that Assad must go?",
        "Did they agree on a ceasefire?",
        "What is the double freeze approach?",
    ],
)
def test_standalone_questions_are_kept(question: str) -> None:
    assert rewrite_followup(question, [CYBER]) == question


@pytest.mark.parametrize("question", ["why?", "and what did Lavrov say?", "did he say anything else?"])
def test_a_follow_up_without_an_earlier_question_is_returned_as_is(question: str) -> None:
    assert rewrite_followup(question, []) == question
    assert rewrite_followup(question, [Turn("   ")]) == question


def test_the_latest_turn_wins_and_older_turns_fill_gaps() -> None:
    syria = Turn("What did Tillerson say about Assad?", "", "Tillerson")
    no_subject = Turn("What did Lavrov say?", "Lavrov pointed out that this problem involves pornography.")
    assert rewrite_followup("what about Ukraine?", [CYBER, syria]) == "What did Tillerson say about Ukraine?"
    # the last turn names no subject: the one before it gives it; its speaker is the new one
    assert rewrite_followup("did he say anything else?", [syria, no_subject]) == (
        "Did Lavrov say anything else about Assad?"
    )
    # only the last few turns count
    old = [syria] + [Turn("What did they say?", "")] * 3
    assert rewrite_followup("did he say anything else?", old, max_turns=3) == "Did he say anything else?"


def test_the_speaker_can_come_from_the_answer() -> None:
    turn = Turn("Who talked about pornography?", "Lavrov pointed out that this problem involves pornography.")
    assert rewrite_followup("what else did he say?", [turn]) == "What else did Lavrov say about pornography?"


@pytest.mark.parametrize(
    "text",
    [
        "what did Lavrov say about cyber-security?",
        "Who will travel to Kyiv",
        "tillerson on assad?",
        "is there a ceasefire in Syria",
        "tell me about north korea",
        "Did Putin deny it?",
    ],
)
def test_questions_for_an_answer_channel(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "lol",
        "lol?",
        "thanks!",
        "ok?",
        "great summit, nice work",
        "",
        "🤝🤝",
        "https://example.com/x?y=1",
        "why?",
    ],
)
def test_not_questions_for_an_answer_channel(text: str) -> None:
    assert not looks_like_question(text)


def test_in_a_conversation_a_one_word_follow_up_counts() -> None:
    assert looks_like_question("why?", in_conversation=True)
    assert looks_like_question("and Lavrov?", in_conversation=True)
    assert not looks_like_question("lol", in_conversation=True)
    assert not looks_like_question("thanks!", in_conversation=True)
