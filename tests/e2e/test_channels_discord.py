"""Answer channels, threads and follow-ups: the real bot against the fake Discord.

The fake's text channel is an answer channel through SUMMITBOT_ANSWER_CHANNELS; the database is
the module's own temporary file. Every test uses fresh users (the per-user cooldown).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cogs.bot import SummitBot
from config.settings import ROOT
from tests.conftest import make_settings
from tests.e2e.conftest import TOKEN, BotThread
from tests.e2e.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord, Sent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
ADMIN = MEMBER_PERMISSIONS | MANAGE_GUILD


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord(token=TOKEN, heartbeat_interval=0.25) as server:
        yield server


@pytest.fixture(scope="module")
def bot(
    fake: FakeDiscord, session_index_dir: Path, tmp_path_factory: pytest.TempPathFactory, service: Any
) -> Iterator[SummitBot]:
    settings = make_settings(
        session_index_dir,
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base,
        SUMMITBOT_DB=str(tmp_path_factory.mktemp("channels-db") / "summitbot.sqlite3"),
        SUMMITBOT_ANSWER_CHANNELS=str(fake.channel_id),
    )
    runner = BotThread(settings, service, guild_ready_timeout=0.2)
    started = runner.start(fake)
    yield started
    assert runner.stop() == 0


def cited(sent: Sent) -> set[int]:
    return {int(p) for f in sent.embeds[0].get("fields", []) for p in re.findall(r"¶(\d+)", f["name"])}


def assert_no_pings(sent: Sent) -> None:
    allowed = sent.allowed_mentions
    assert allowed is not None and allowed.get("parse") == [] and not allowed.get("replied_user")
    assert sent.pings == []


def answer_in_thread(fake: FakeDiscord, question: dict[str, Any]) -> tuple[dict[str, Any], Sent]:
    thread = fake.wait_for(lambda: fake.threads_started_from(question), 30, "a thread")[0]
    answer = fake.wait_for(lambda: fake.bot_messages_in(int(thread["id"])), 30, "the answer in the thread")[0]
    return thread, answer


def next_answer(fake: FakeDiscord, channel_id: int, after: int) -> Sent:
    return fake.wait_for(lambda: fake.bot_messages_in(channel_id)[after:], 30, "another answer")[0]


def test_a_question_in_an_answer_channel_gets_a_thread_and_follow_ups_keep_the_subject(
    fake: FakeDiscord, bot: Any
) -> None:
    user = fake.new_user()
    question = fake.say("what did Tillerson say about cyber-security?", user=user)
    thread, answer = answer_in_thread(fake, question)
    assert thread["name"] == "what did Tillerson say about cyber-security?"
    assert thread["parent_id"] == str(fake.channel_id) and thread["owner_id"] == str(fake.bot_id)
    assert 6 in cited(answer) and answer.custom_ids()[-2:] == ["sb:vote:up", "sb:vote:down"]
    assert_no_pings(answer)
    thread_id = int(thread["id"])

    # follow-ups in the thread: no mention needed, the subject carries over
    fake.say("and what did Lavrov say?", user=user, channel_id=thread_id)
    lavrov = next_answer(fake, thread_id, 1)
    assert lavrov.embeds[0]["title"] == "What did Lavrov say about cyber-security?"
    assert 6 in cited(lavrov) and "Lavrov" in lavrov.embeds[0]["description"]
    fake.say("what about Ukraine?", user=user, channel_id=thread_id)
    ukraine = next_answer(fake, thread_id, 2)
    assert "Ukraine" in ukraine.embeds[0]["title"] and 5 in cited(ukraine)
    # chit-chat in the thread is not a question
    fake.say("lol", user=user, channel_id=thread_id)
    fake.say("thanks!", user=user, channel_id=thread_id)
    time.sleep(0.5)
    assert len(fake.bot_messages_in(thread_id)) == 3
    # the bot's own messages came back as MESSAGE_CREATE and were not answered: no loop
    assert len(fake.threads) == 1


def test_what_is_not_a_question_for_an_answer_channel(fake: FakeDiscord, bot: Any) -> None:
    user, other = fake.new_user(), fake.new_user()
    theirs = fake.say("nice summit", user=other)
    ignored = [
        theirs,
        fake.say("lol", user=user),
        fake.say("lol?", user=user),
        fake.say("great summit, nice work", user=user),
        fake.say("what about Syria?", user=user, reply_to=theirs),  # a reply to another member
        fake.say("what did Tillerson say about Assad?", user=fake.new_user("otherbot", bot=True)),
        fake.say("what did Tillerson say about Assad?", user=user, webhook_id=str(fake.snowflake())),
    ]
    barrier = fake.say("Who will travel to Kyiv?", user=user)
    _, answer = answer_in_thread(fake, barrier)
    assert 5 in cited(answer)
    time.sleep(0.5)
    for message in ignored:
        assert fake.threads_started_from(message) == [] and fake.replies_to(message) == []


def test_thread_names_are_cleaned_and_trimmed(fake: FakeDiscord, bot: Any) -> None:
    other = fake.new_user()
    long_question = (
        f"<@{other['id']}> @everyone what did Tillerson say about Assad and the Assad family and "
        "whether they can long continue in power in Syria, and about the ceasefire zone near Jordan?"
    )
    question = fake.say(long_question, user=fake.new_user())
    thread, answer = answer_in_thread(fake, question)
    assert len(thread["name"]) <= 100 and "<@" not in thread["name"] and "@everyone" not in thread["name"]
    assert thread["name"].startswith("what did Tillerson say about Assad")
    assert_no_pings(answer)


def test_a_follow_up_in_a_reply_chain_uses_the_replied_to_answer(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    first = fake.say(
        f"<@{fake.bot_id}> what did Tillerson say about Assad?", user=user, channel_id=fake.thread_id
    )
    answer = fake.wait_reply(first)
    assert 4 in cited(answer) and answer.message is not None
    follow_up = fake.say(
        "did he say anything else?", user=user, channel_id=fake.thread_id, reply_to=answer.message
    )
    reply = fake.wait_reply(follow_up)
    assert reply.embeds[0]["title"] == "Did Tillerson say anything else about Assad?"
    assert 4 in cited(reply)


def test_settings_commands_need_manage_server_and_switch_threads(fake: FakeDiscord, bot: Any) -> None:
    assert {"answer-channel", "threads"} <= {o["name"] for o in fake.commands["settings"]["options"]}
    assert fake.commands["settings"]["default_member_permissions"] == str(MANAGE_GUILD)
    refused = fake.wait_answer(fake.subcommand("settings answer-channel list", user=fake.new_user()))
    assert refused.ephemeral and "Manage Server" in refused.content
    listed = fake.wait_answer(
        fake.subcommand("settings answer-channel list", user=fake.new_user(), permissions=ADMIN)
    )
    assert listed.ephemeral and f"<#{fake.channel_id}> (from SUMMITBOT_ANSWER_CHANNELS)" in listed.content

    added = fake.wait_answer(
        fake.subcommand(
            "settings answer-channel add", user=fake.new_user(), permissions=ADMIN, channel_id=fake.thread_id
        )
    )
    assert "now an answer channel" in added.content
    listed = fake.wait_answer(
        fake.subcommand("settings answer-channel list", user=fake.new_user(), permissions=ADMIN)
    )
    assert f"<#{fake.thread_id}>" in listed.content
    removed = fake.wait_answer(
        fake.subcommand(
            "settings answer-channel remove",
            user=fake.new_user(),
            permissions=ADMIN,
            channel_id=fake.thread_id,
        )
    )
    assert "no longer" in removed.content

    off = fake.wait_answer(fake.subcommand("settings threads off", user=fake.new_user(), permissions=ADMIN))
    assert off.ephemeral and "reply" in off.content
    try:
        question = fake.say("Where is the ceasefire zone in Syria?", user=fake.new_user())
        reply = fake.wait_reply(question)
        assert 4 in cited(reply) and fake.threads_started_from(question) == []
        assert_no_pings(reply)
    finally:
        on = fake.wait_answer(fake.subcommand("settings threads on", user=fake.new_user(), permissions=ADMIN))
        assert "new thread" in on.content
    question = fake.say("Where is the ceasefire zone in Syria?", user=fake.new_user())
    answer_in_thread(fake, question)


def test_the_cooldown_covers_answer_channels(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    for _ in range(bot.settings.discord.cooldown_rate):
        answer_in_thread(fake, fake.say("How long did the meeting last?", user=user))
    notice = fake.wait_reply(fake.say("How long did the meeting last?", user=user))
    assert "wait" in notice.content and not notice.embeds
    assert_no_pings(notice)


def test_a_rate_limited_thread_start_is_retried(fake: FakeDiscord, bot: Any) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages/\d+/threads", retry_after=0.2)
    question = fake.say("What is the double freeze approach?", user=fake.new_user())
    _, answer = answer_in_thread(fake, question)
    assert 7 in cited(answer)
    assert any(path.endswith("/threads") for _, path in fake.rate_limited)


@pytest.mark.timeout(240)
def test_a_burst_of_50_questions_in_an_answer_channel_keeps_the_heartbeat(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The bot as `python bot.py run` in its own process (as in production and in `make bench`):
    in this process the fake's thread and the test would compete with the bot's event loop for
    the GIL and measure that instead."""
    questions = [
        "what did Tillerson say about Assad?",
        "what did Lavrov say about cyber-security?",
        "Who will travel to Kyiv?",
        "What is the double freeze approach?",
        "How long did the meeting last?",
    ]
    with FakeDiscord(token=TOKEN, heartbeat_interval=0.25) as server:
        env = {
            **cli_env,
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_BASE": server.api_base,
            "SUMMITBOT_ANSWER_CHANNELS": str(server.channel_id),
            "SUMMITBOT_DB": str(tmp_path / "db.sqlite3"),
            "SUMMITBOT_LOG_LEVEL": "WARNING",
        }
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "bot.py", "run"], cwd=ROOT, env=env, stdout=out, stderr=out
            )
        try:
            server.wait_for(
                lambda: proc.poll() is not None or (server.live and server.commands), 120, "the bot"
            )
            assert proc.poll() is None, log.read_text()[-2000:]
            answer_in_thread(server, server.say(questions[0], user=server.new_user()))  # warm-up
            time.sleep(1.0)
            start = time.monotonic()
            said = [server.say(questions[i % len(questions)], user=server.new_user()) for i in range(50)]
            answers = [answer_in_thread(server, m)[1] for m in said]
            end = max(a.at for a in answers)
            after = server.wait_for(
                lambda: max(server.last_heartbeat() - end, 0), 5, "a heartbeat after the burst"
            )
            gaps = server.heartbeat_gaps(start, end + after)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    worst = max(gaps)
    print(
        f"\n50 questions in an answer channel: answered in {end - start:.2f} s; "
        f"worst heartbeat gap {worst * 1000:.0f} ms"
    )
    assert all(a.embeds for a in answers)
    assert worst < 0.5
