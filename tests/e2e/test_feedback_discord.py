"""👍/👎 on answers, the reason modal and /feedback: the real bot, a fake Discord, a real SQLite file.

Each test starts its own fake Discord and bot (with the session's loaded service) on a database in
its own temporary folder, so that restarts and a locked or corrupt database stay within the test.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retrieval.api import FeedbackStore
from tests.conftest import make_settings
from tests.e2e.conftest import TOKEN, BotThread, LogCollector
from tests.e2e.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord, Sent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

QUESTION = "what did Lavrov say about cyber-security?"
UP, DOWN = "sb:vote:up", "sb:vote:down"


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord(token=TOKEN, heartbeat_interval=0.25) as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "summitbot.sqlite3"


class Bots:
    """Starts bots on the test's fake Discord and database; stops whatever is still running."""

    def __init__(self, fake: FakeDiscord, session_index_dir: Path, db: Path, service: Any) -> None:
        self.settings = make_settings(
            session_index_dir, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, SUMMITBOT_DB=str(db)
        )
        self.fake, self.service = fake, service
        self.running: list[BotThread] = []

    def start(self) -> BotThread:
        runner = BotThread(self.settings, self.service, guild_ready_timeout=0.2)
        runner.start(self.fake)
        self.running.append(runner)
        return runner

    def stop(self, runner: BotThread) -> None:
        self.running.remove(runner)
        assert runner.stop() == 0

    def stop_all(self) -> None:
        for runner in list(self.running):
            self.stop(runner)


@pytest.fixture
def bots(fake: FakeDiscord, session_index_dir: Path, db: Path, service: Any) -> Iterator[Bots]:
    manager = Bots(fake, session_index_dir, db, service)
    yield manager
    manager.stop_all()


@pytest.fixture
def logs() -> Iterator[LogCollector]:
    collector = LogCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    old = root.level
    root.setLevel(logging.INFO)
    yield collector
    root.removeHandler(collector)
    root.setLevel(old)


def ask(fake: FakeDiscord, user: dict[str, Any] | None = None) -> Sent:
    answer = fake.wait_answer(fake.slash("ask", user=user or fake.new_user(), question=QUESTION))
    assert answer.message is not None and answer.custom_ids()[-2:] == [UP, DOWN]
    return answer


def notice(fake: FakeDiscord, interaction: Any) -> Sent:
    reply = fake.wait_answer(interaction)
    assert reply.callback_type == 4 and reply.ephemeral
    return reply


def test_a_vote_is_recorded_and_changed_and_a_reason_kept(fake: FakeDiscord, bots: Bots, db: Path) -> None:
    bots.start()
    answer = ask(fake)
    assert answer.message is not None
    voter = fake.new_user()
    assert "👍" in notice(fake, fake.click(answer.message, UP, user=voter)).content
    store = FeedbackStore(db)
    assert store.votes_on(int(answer.message["id"])) == {int(voter["id"]): "up"}

    # the second click changes the vote and opens the reason modal
    down = fake.click(answer.message, DOWN, user=voter)
    modal = fake.wait_modal(down)
    assert modal["custom_id"] == f"sb:why:{answer.message['id']}:{voter['id']}"
    assert store.votes_on(int(answer.message["id"])) == {int(voter["id"]): "down"}
    submitted = fake.submit_modal(modal, ["It left out Tillerson's part"], user=voter, message=answer.message)
    assert "reason" in notice(fake, submitted).content
    (worst,) = store.summary().answers
    assert worst.to_json() == {
        "question": QUESTION,
        "up": 0,
        "down": 1,
        "reasons": ["It left out Tillerson's part"],
    }
    # 👍 again: changed back, the reason for the 👎 goes
    assert "Changed" in notice(fake, fake.click(answer.message, UP, user=voter)).content
    assert store.summary().to_json()["answers"][0] == {
        "question": QUESTION,
        "up": 1,
        "down": 0,
        "reasons": [],
    }

    # /feedback: Manage Server only, ephemeral
    refused = fake.wait_answer(fake.slash("feedback", user=fake.new_user(), permissions=MEMBER_PERMISSIONS))
    assert refused.ephemeral and "Manage Server" in refused.content
    shown = fake.wait_answer(
        fake.slash("feedback", user=fake.new_user(), permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    )
    assert shown.ephemeral and "👍 1 · 👎 0" in shown.embeds[0]["description"]
    assert QUESTION in shown.embeds[0]["fields"][0]["name"]
    assert fake.commands["feedback"]["default_member_permissions"] == str(MANAGE_GUILD)


def test_a_restart_between_the_answer_and_the_vote_loses_nothing(
    fake: FakeDiscord, bots: Bots, db: Path
) -> None:
    first = bots.start()
    answer = ask(fake)
    assert answer.message is not None
    bots.stop(first)
    bots.start()  # a new process would do the same: the buttons are DynamicItems
    voter = fake.new_user()
    down = fake.click(answer.message, DOWN, user=voter)
    modal = fake.wait_modal(down)
    assert FeedbackStore(db).votes_on(int(answer.message["id"])) == {int(voter["id"]): "down"}
    # and a restart while the reason form is open: the reason still arrives
    bots.stop_all()
    bots.start()
    submitted = fake.submit_modal(modal, ["quoted the wrong paragraph"], user=voter, message=answer.message)
    assert "reason" in notice(fake, submitted).content
    assert FeedbackStore(db).summary().answers[0].reasons == ["quoted the wrong paragraph"]


def test_two_members_give_reasons_on_the_same_answer(fake: FakeDiscord, bots: Bots, db: Path) -> None:
    bots.start()
    answer = ask(fake)
    assert answer.message is not None
    first, second = fake.new_user(), fake.new_user()
    modal_one = fake.wait_modal(fake.click(answer.message, DOWN, user=first))
    modal_two = fake.wait_modal(fake.click(answer.message, DOWN, user=second))
    assert modal_one["custom_id"] != modal_two["custom_id"]
    for modal, user, why in ((modal_one, first, "one"), (modal_two, second, "two")):
        assert (
            "reason"
            in notice(fake, fake.submit_modal(modal, [why], user=user, message=answer.message)).content
        )
    assert sorted(FeedbackStore(db).summary().answers[0].reasons) == ["one", "two"]


def test_a_locked_database_disables_feedback_with_one_log_line_and_answers_go_on(
    fake: FakeDiscord, bots: Bots, db: Path, logs: LogCollector
) -> None:
    FeedbackStore(db).schema_version()  # created
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        bots.start()
        answer = ask(fake)
        assert answer.message is not None
        for _ in range(3):
            assert (
                "switched off" in notice(fake, fake.click(answer.message, UP, user=fake.new_user())).content
            )
        assert "Cyber" in str(ask(fake).embeds[0]) or "cyber" in str(ask(fake).embeds[0])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    disabled = [line for line in logs.lines if "Feedback disabled" in line]
    assert len(disabled) == 1 and "locked" in disabled[0]


def test_a_corrupt_database_disables_feedback_and_answers_go_on(
    fake: FakeDiscord, bots: Bots, db: Path, logs: LogCollector
) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"definitely not sqlite " * 200)
    bots.start()
    answer = ask(fake)
    assert answer.message is not None and "Lavrov" in answer.embeds[0]["description"]
    assert "switched off" in notice(fake, fake.click(answer.message, DOWN, user=fake.new_user())).content
    shown = fake.wait_answer(fake.slash("feedback", user=fake.new_user(), permissions=MANAGE_GUILD))
    assert shown.ephemeral and "switched off" in shown.content
    ask(fake)
    assert len([line for line in logs.lines if "Feedback disabled" in line]) == 1
