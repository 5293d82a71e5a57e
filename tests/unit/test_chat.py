"""The console keeps its turns and asks follow-ups as standalone questions; /new starts afresh."""

from __future__ import annotations

from typing import Any

from cli.chat import Conversation, handle
from retrieval import followup
from retrieval.api import Answer, Turn
from tests.unit.test_followup import SPEAKERS


class RecordingService:
    """Answers every question with a fixed text and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        return Answer(question=question, answered=False, answer="(nothing)", coverage="none")

    def documents(self) -> list[Any]:
        return []

    def rewrite_followup(self, question: str, turns: list[Turn]) -> str:
        return followup.rewrite_followup(question, turns, SPEAKERS)  # as the real service does


def test_follow_ups_are_asked_as_standalone_questions_until_new() -> None:
    service, conversation = RecordingService(), Conversation()
    handle(service, "What did Tillerson say about cyber-security?", conversation)
    reply = handle(service, "and what did Lavrov say?", conversation)
    assert service.asked[-1] == "What did Lavrov say about cyber-security?"
    assert reply is not None and "asked as: What did Lavrov say about cyber-security?" in reply
    handle(service, "what about Ukraine?", conversation)
    assert service.asked[-1] == "What did Lavrov say about Ukraine?"
    assert "New conversation" in (handle(service, "/new", conversation) or "")
    handle(service, "why?", conversation)
    assert service.asked[-1] == "why?"


def test_only_the_last_turns_are_kept() -> None:
    conversation = Conversation()
    for i in range(10):
        conversation.add(f"question {i}?", "", None)
    assert [t.question for t in conversation.turns] == ["question 7?", "question 8?", "question 9?"]
