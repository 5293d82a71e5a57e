"""The real bot (cogs.bot) against a fake Discord that misbehaves: malformed and unknown events,
gateway reconnects, invalidated sessions, closes and a dead TCP connection, and interaction
callbacks that are rate limited, fail or are slow. After each, a question is answered correctly
and no question asked around the fault is lost. One bot serves the module (see conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import LogCollector
from tests.e2e.fake_discord import RATE_LIMITED, SERVER_ERROR, FakeDiscord, Interaction, slow

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

QUESTIONS = [  # (question, the paragraph its answer must cite)
    ("what did Tillerson say about Assad?", 4),
    ("Who will travel to Kyiv?", 5),
    ("What is the double freeze approach?", 7),
    ("what did Lavrov say about cyber-security?", 6),
]


def cited(fake: FakeDiscord, interaction: Interaction, timeout: float = 60.0) -> set[int]:
    answer = fake.wait_answer(interaction, timeout)
    assert answer.embeds, answer.body
    return {int(p) for f in answer.embeds[0].get("fields", []) for p in re.findall(r"¶(\d+)", f["name"])}


def ask(fake: FakeDiscord, n: int) -> tuple[Interaction, int]:
    question, paragraph = QUESTIONS[n % len(QUESTIONS)]
    return fake.slash("ask", user=fake.new_user(), question=question), paragraph


def assert_answered(fake: FakeDiscord, *asked: tuple[Interaction, int]) -> None:
    for interaction, paragraph in asked:
        assert paragraph in cited(fake, interaction), f"/{interaction.name} was not answered correctly"


# ------------------------------------------------------------------------------------ bad events
@pytest.mark.parametrize(
    "without",
    [("member.flags",), ("attachment_size_limit",), ("member.user",), ("id",)],
    ids=["member-flags", "attachment-size-limit", "member-user", "id"],
)
def test_a_malformed_interaction_is_dropped_and_the_bot_keeps_answering(
    fake: FakeDiscord, bot: Any, bot_logs: LogCollector, without: tuple[str, ...]
) -> None:
    identifies = len(fake.identifies)
    broken = fake.slash("ask", user=fake.new_user(), question=QUESTIONS[0][0], without=without)
    after = ask(fake, 1)
    assert_answered(fake, after)
    assert fake.sent_for(broken) == [], "a malformed event is dropped, not half-answered"
    assert not bot.is_closed()
    assert len(fake.identifies) == identifies, "the same gateway session goes on"
    fake.wait_for(lambda: "INTERACTION_CREATE" in bot_logs.text, 5, "the dropped event in the log")
    record = next(r for r in bot_logs.records if "INTERACTION_CREATE" in r.getMessage())
    assert record.levelname == "ERROR" and record.exc_info, "logged with its traceback"


def test_unknown_events_are_ignored(fake: FakeDiscord, bot: Any) -> None:
    fake.dispatch("SOMETHING_DISCORD_ADDED_LATER", {"id": "1", "whatever": [1, 2, 3]})
    fake.dispatch("GUILD_SOUNDBOARD_SOUND_CREATE", {"nonsense": True})
    assert_answered(fake, ask(fake, 2))
    assert not bot.is_closed()


@pytest.mark.parametrize(
    "question",
    ["Who is Kurt Volker?\ud800", "\x1b[31mWho is Kurt Volker?\x1b[0m", "Who is \udcffKurt Volker?"],
    ids=["lone-surrogate", "terminal-escape", "escaped-byte"],
)
def test_hostile_characters_in_ask_are_cleaned_and_answered(
    fake: FakeDiscord, bot: Any, question: str
) -> None:
    interaction = fake.slash("ask", user=fake.new_user(), question=question)
    answer = fake.wait_answer(interaction)
    assert "Sorry" not in answer.content, "answered, not apologised for"
    assert 5 in cited(fake, interaction)
    assert answer.embeds[0]["title"].startswith("Who is Kurt Volker?")


# ------------------------------------------------------------------------------------ gateway faults
def _resumed_after(fake: FakeDiscord, resumes: int) -> None:
    fake.wait_for(lambda: len(fake.resumes) > resumes and fake.live, 60, "a RESUME")


def test_op_7_reconnect_resumes_and_loses_no_question(fake: FakeDiscord, bot: Any) -> None:
    identifies, resumes = len(fake.identifies), len(fake.resumes)
    before = ask(fake, 0)
    fake.send_op(7)
    during = ask(fake, 1)
    _resumed_after(fake, resumes)
    assert_answered(fake, before, during, ask(fake, 2))
    assert len(fake.identifies) == identifies


def test_op_9_resumable_invalid_session_resumes(fake: FakeDiscord, bot: Any) -> None:
    identifies, resumes = len(fake.identifies), len(fake.resumes)
    before = ask(fake, 1)
    fake.send_op(9, True)
    during = ask(fake, 2)
    _resumed_after(fake, resumes)
    assert_answered(fake, before, during, ask(fake, 3))
    assert len(fake.identifies) == identifies


def test_op_9_invalid_session_identifies_again(fake: FakeDiscord, bot: Any) -> None:
    identifies = len(fake.identifies)
    before = ask(fake, 2)
    assert_answered(fake, before)
    fake.send_op(9, False)
    fake.wait_for(lambda: len(fake.identifies) > identifies and fake.live, 60, "a new IDENTIFY")
    fake.wait_for(lambda: bot.is_ready(), 30, "ready again")
    assert_answered(fake, ask(fake, 3), ask(fake, 0))


@pytest.mark.parametrize("code", [4000, 1000, 1001])
def test_a_gateway_close_resumes_and_loses_no_question(fake: FakeDiscord, bot: Any, code: int) -> None:
    identifies, resumes = len(fake.identifies), len(fake.resumes)
    before = ask(fake, 3)
    fake.drop_gateway(code=code)
    during = ask(fake, 0)
    _resumed_after(fake, resumes)
    assert_answered(fake, before, during, ask(fake, 1))
    assert len(fake.identifies) == identifies


def test_a_tcp_drop_resumes_and_loses_no_question(fake: FakeDiscord, bot: Any) -> None:
    identifies, resumes = len(fake.identifies), len(fake.resumes)
    before = ask(fake, 0)
    fake.drop_tcp()
    during = ask(fake, 2)
    _resumed_after(fake, resumes)
    assert_answered(fake, before, during, ask(fake, 3))
    assert len(fake.identifies) == identifies


# ------------------------------------------------------------------------------------ REST faults
@pytest.mark.parametrize("fault", [RATE_LIMITED, SERVER_ERROR, slow(2.0)], ids=["429", "500", "slow-2s"])
def test_a_failing_interaction_callback_is_retried_and_answered(
    fake: FakeDiscord, bot: Any, fault: Any
) -> None:
    served = len(fake.faults)
    fake.fail_callbacks(fault)
    interaction, paragraph = ask(fake, 1)
    assert paragraph in cited(fake, interaction, timeout=60)
    assert len(fake.faults) == served + 1 and fake.faults[-1][1].endswith("/callback")
    callbacks = [s for s in fake.sent_for(interaction) if s.kind == "callback"]
    assert len(callbacks) == 1 and callbacks[0].callback_type == 5, "deferred once, then answered"
    assert_answered(fake, ask(fake, 2))


def test_the_bot_is_still_connected_after_the_fault_pass(fake: FakeDiscord, bot: Any) -> None:
    assert not bot.is_closed() and bot.is_ready()
    assert fake.unhandled == []
