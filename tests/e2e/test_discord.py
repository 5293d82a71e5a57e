"""The real discord.py bot (cogs.bot) against a fake Discord on 127.0.0.1.

One bot serves the whole module (it is started by ``serve`` exactly as ``python bot.py run`` does,
with the session's loaded service); the start-up, token and signal tests run ``python bot.py run``
as a subprocess against a fake Discord of their own. Each test uses fresh users, so the per-user
cooldown of one test never affects another.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from config.settings import ROOT
from tests.e2e.conftest import EXPLODE, TOKEN, LogCollector
from tests.e2e.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, MESSAGE_CONTENT, FakeDiscord, Sent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

DOC_TITLE = "Trump and Putin Agree They Have Same Goals, Different Approaches"
COMMANDS = {
    "ask",
    "summary",
    "positions",
    "topics",
    "source",
    "help",
    "reindex",
    "feedback",
    "settings",
    "Ask SummitBot",
}
PRIVILEGED_INTENTS_OTHER_THAN_CONTENT = (1 << 1) | (1 << 8)  # GUILD_MEMBERS, GUILD_PRESENCES
QUESTIONS = [  # (question, the paragraph its answer must cite)
    ("what did Tillerson say about Assad?", 4),
    ("what did Lavrov say about cyber-security?", 6),
    ("Does Trump believe sanctions on North Korea are necessary?", 7),
    ("Who was appointed Special Representative for Ukraine Negotiations?", 5),
    ("Did Putin deny hacking the election?", 6),
    ("What is the double freeze approach?", 7),
    ("Where is the ceasefire zone in Syria?", 4),
    ("How long did the meeting last?", 3),
    ("Who will travel to Kyiv?", 5),
    ("Did the two leaders have good chemistry?", 2),
]


# ------------------------------------------------------------------------------------------ helpers
def embed(sent: Sent) -> dict[str, Any]:
    assert sent.embeds, f"expected an embed, got {sent.body!r}"
    return sent.embeds[0]


def cited(sent: Sent) -> set[int]:
    """The ¶ numbers of the source fields of the answer's embed."""
    return {int(p) for f in embed(sent).get("fields", []) for p in re.findall(r"¶(\d+)", f["name"])}


def assert_no_pings(sent: Sent) -> None:
    """``AllowedMentions.none()`` was sent, and Discord would have notified nobody."""
    allowed = sent.allowed_mentions
    assert allowed is not None and allowed.get("parse") == [], sent.body
    assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user")
    assert sent.pings == []


def mention(fake: FakeDiscord) -> str:
    return f"<@{fake.bot_id}>"


# -------------------------------------------------------------------------------- start-up, sync
def test_connects_syncs_commands_and_uses_the_gateway_from_the_api_base(fake: FakeDiscord, bot: Any) -> None:
    assert set(fake.commands) == COMMANDS
    assert fake.command_scope == "global"
    requests = fake.requests
    startup = {("GET", "/users/@me"), ("GET", "/oauth2/applications/@me"), ("GET", "/gateway/bot")}
    order = [r for r in requests if r in startup]
    assert order[:3] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me"), ("GET", "/gateway/bot")]
    put = requests.index(("PUT", f"/applications/{fake.app_id}/commands"))
    assert put < requests.index(("GET", "/gateway/bot")), "commands are synced before the gateway connects"
    assert fake.connections and fake.identifies
    intents = fake.identifies[0]["intents"]
    assert intents & MESSAGE_CONTENT
    assert not intents & PRIVILEGED_INTENTS_OTHER_THAN_CONTENT
    assert fake.unhandled == []


def test_command_definitions(fake: FakeDiscord, bot: Any) -> None:
    ask = {o["name"]: o for o in fake.commands["ask"]["options"]}
    assert ask["question"]["type"] == 3 and ask["question"]["required"]
    assert ask["private"]["type"] == 5 and not ask.get("private", {}).get("required")
    for name in ("summary", "positions"):
        (topic,) = fake.commands[name]["options"]
        assert topic["name"] == "topic" and topic["autocomplete"] is True
    assert fake.commands["source"]["options"][0]["type"] == 4
    assert fake.commands["reindex"]["default_member_permissions"] == str(MANAGE_GUILD)


# ---------------------------------------------------------------------------------------- /ask
def test_ask_answers_with_numbered_citations(fake: FakeDiscord, bot: Any, service: Any) -> None:
    user = fake.new_user()
    interaction = fake.slash("ask", user=user, question="what did Tillerson say about Assad?")
    answer = fake.wait_answer(interaction)
    first = fake.sent_for(interaction)[0]
    assert first.callback_type == 5, "the interaction is deferred first"
    assert not answer.ephemeral
    e = embed(answer)
    assert "Assad" in e["description"] and "[1]" in e["description"]
    assert 4 in cited(answer)
    assert e["fields"][0]["value"].startswith("> ")
    assert DOC_TITLE in e["footer"]["text"] and "July 2017" in e["footer"]["text"]
    assert any(cid.startswith("sb:psg:") for cid in answer.custom_ids())
    assert_no_pings(answer)
    # the quoted sentences are the corpus, word for word
    paragraph = service.source(4).text
    for sentence in re.split(r" \[\d+\]\s*", e["description"]):
        assert sentence.strip() in paragraph


def test_ask_private_is_ephemeral(fake: FakeDiscord, bot: Any) -> None:
    interaction = fake.slash(
        "ask", user=fake.new_user(), question="What is the double freeze approach?", private=True
    )
    answer = fake.wait_answer(interaction)
    assert fake.sent_for(interaction)[0].data.get("flags", 0) & 64, "deferred ephemerally"
    assert answer.ephemeral and 7 in cited(answer)


def test_show_passages_button_shows_full_paragraphs_ephemerally(
    fake: FakeDiscord, bot: Any, service: Any
) -> None:
    user = fake.new_user()
    answer = fake.wait_answer(
        fake.slash("ask", user=user, question="what did Lavrov say about cyber-security?")
    )
    (custom_id,) = [c for c in answer.custom_ids() if c.startswith("sb:psg:")]
    assert answer.message is not None
    click = fake.click(answer.message, custom_id, user=fake.new_user())
    shown = fake.wait_answer(click)
    assert shown.ephemeral
    full = service.source(6).text
    assert any(full in e["description"] for e in shown.embeds)
    assert any("¶6" in e["title"] for e in shown.embeds)


def test_question_the_release_does_not_cover_lists_topics(fake: FakeDiscord, bot: Any) -> None:
    answer = fake.wait_answer(
        fake.slash("ask", user=fake.new_user(), question="what is the capital of France?")
    )
    e = embed(answer)
    assert "does not cover" in e["description"]
    topics = " ".join(f["value"] for f in e["fields"])
    for name in ("Syria", "Ukraine", "North Korea"):
        assert name in topics
    assert answer.custom_ids() == ["sb:vote:up", "sb:vote:down"], "nothing cited: no passages button"


# ------------------------------------------------------------------------------ topics, sources
def test_summary_autocompletes_topics_and_answers(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    choices = fake.wait_autocomplete(fake.autocomplete("summary", "topic", "sy", user=user))
    assert choices and choices[0] == {"name": "Syria", "value": "Syria"}
    everything = fake.wait_autocomplete(fake.autocomplete("summary", "topic", "", user=user))
    assert {c["name"] for c in everything} >= {"Syria", "Ukraine", "Cyber-security", "North Korea"}
    assert len(everything) <= 25
    by_description = fake.wait_autocomplete(fake.autocomplete("positions", "topic", "sanction", user=user))
    assert {"name": "North Korea", "value": "North Korea"} in by_description

    summary = fake.wait_answer(fake.slash("summary", user=user, topic="Syria"))
    e = embed(summary)
    assert e["title"] == "Summary: Syria" and "[1]" in e["description"]
    assert 4 in cited(summary)


def test_summary_accepts_free_text_and_refuses_unknown_topics(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    free = fake.wait_answer(fake.slash("summary", user=user, topic="sanctions"))
    assert 7 in cited(free)
    unknown = fake.slash("summary", user=user, topic="bananas and apples")
    refusal = fake.wait_answer(unknown)
    assert refusal.ephemeral and "Syria" in refusal.content
    assert any(s.kind == "delete" for s in fake.sent_for(unknown)), (
        "the public 'thinking…' message is removed"
    )


def test_positions_side_by_side(fake: FakeDiscord, bot: Any) -> None:
    answer = fake.wait_answer(fake.slash("positions", user=fake.new_user(), topic="North Korea"))
    e = embed(answer)
    fields = {f["name"]: f for f in e["fields"]}
    us, russia = fields["🇺🇸 United States"], fields["🇷🇺 Russia"]
    assert us["inline"] and russia["inline"]
    assert "sanctions" in us["value"] and "[1]" in us["value"]
    assert "double freeze" in russia["value"]
    assert 7 in cited(answer)


def test_topics_source_and_help(fake: FakeDiscord, bot: Any, service: Any) -> None:
    user = fake.new_user()
    topics = embed(fake.wait_answer(fake.slash("topics", user=user)))
    for topic in service.topics():
        assert topic.name in topics["description"]
    source = embed(fake.wait_answer(fake.slash("source", user=user, paragraph=4)))
    assert source["title"] == "¶4"
    assert source["description"] == "> " + service.source(4).text
    missing = fake.wait_answer(fake.slash("source", user=user, paragraph=99))
    assert missing.ephemeral and "no paragraph 99" in missing.content
    help_ = fake.wait_answer(fake.slash("help", user=user))
    assert help_.ephemeral and "/ask" in str(embed(help_)["fields"])


# -------------------------------------------------------------------------- mentions, replies
def test_mention_in_a_thread_is_answered_in_a_reply(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    question = fake.say(
        f"{mention(fake)} what did Lavrov say about cyber-security?", user=user, channel_id=fake.thread_id
    )
    reply = fake.wait_reply(question)
    assert reply.channel_id == fake.thread_id
    assert str(reply.body["message_reference"]["message_id"]) == question["id"]
    assert 6 in cited(reply) and "Lavrov" in embed(reply)["description"]
    assert_no_pings(reply)
    assert any(s.kind == "typing" and s.channel_id == fake.thread_id for s in fake.sent)

    # a reply to the bot's answer is a question too, with or without the reply ping
    follow_up = fake.say(
        "and what is the double freeze approach?",
        user=user,
        channel_id=fake.thread_id,
        reply_to=reply.message,
    )
    assert 7 in cited(fake.wait_reply(follow_up))
    quiet = fake.say(
        "Who will travel to Kyiv?",
        user=user,
        channel_id=fake.thread_id,
        reply_to=reply.message,
        ping_reply=False,
    )
    assert 5 in cited(fake.wait_reply(quiet))


def test_reply_to_a_slash_command_answer(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    answer = fake.wait_answer(fake.slash("ask", user=user, question=QUESTIONS[3][0]))
    assert answer.message is not None
    follow_up = fake.say("How long did the meeting last?", user=user, reply_to=answer.message)
    assert 3 in cited(fake.wait_reply(follow_up))


def test_messages_not_for_the_bot_are_ignored(fake: FakeDiscord, bot: Any) -> None:
    user, other = fake.new_user(), fake.new_user()
    theirs = fake.say("what did Tillerson say about Assad?", user=other)
    ignored = [
        fake.say("@everyone what did Tillerson say about Assad?", user=user),
        fake.say(f"<@{other['id']}> what about North Korea?", user=user),
        fake.say("what about Syria?", user=user, reply_to=theirs),
    ]
    barrier = fake.say(f"{mention(fake)} Who will travel to Kyiv?", user=user)
    fake.wait_reply(barrier)
    time.sleep(0.5)  # answers take ~50 ms: a wrong answer to an earlier message would be here by now
    assert all(fake.replies_to(m) == [] for m in ignored)


# ------------------------------------------------------------------------- Ask SummitBot (menu)
def test_ask_summitbot_on_a_message_answers_privately_and_can_post_publicly(
    fake: FakeDiscord, bot: Any
) -> None:
    menu = fake.commands["Ask SummitBot"]
    assert menu["type"] == 3 and not menu.get("description")
    other = fake.new_user()
    target = fake.say("Who will travel to Kyiv?", user=other)
    asker = fake.new_user()
    interaction = fake.message_command("Ask SummitBot", target, user=asker)
    answer = fake.wait_answer(interaction)
    assert fake.sent_for(interaction)[0].callback_type == 5, "deferred first"
    assert answer.message is not None and answer.message["flags"] & 64, "the defer's visibility is kept"
    assert 5 in cited(answer)
    assert answer.custom_ids()[-1] == "sb:pub" and "sb:vote:up" in answer.custom_ids()
    assert answer.message["id"] == fake.sent_for(interaction)[0].message["id"], (
        "it edits the thinking message"
    )
    assert_no_pings(answer)

    posted = fake.wait_answer(fake.click(answer.message, "sb:pub", user=asker))
    assert posted.callback_type == 4 and not posted.ephemeral
    assert posted.embeds[0]["title"] == answer.embeds[0]["title"]
    ids = posted.custom_ids()
    assert any(c.startswith("sb:psg:") for c in ids) and ids[-2:] == ["sb:vote:up", "sb:vote:down"]
    assert_no_pings(posted)


def test_ask_summitbot_refuses_an_empty_message_and_counts_for_the_cooldown(
    fake: FakeDiscord, bot: Any
) -> None:
    user = fake.new_user()
    empty = fake.say("🤝", user=fake.new_user())
    refused = fake.wait_answer(fake.message_command("Ask SummitBot", empty, user=user))
    assert refused.callback_type == 4 and refused.ephemeral and "question" in refused.content
    target = fake.say("How long did the meeting last?", user=fake.new_user())
    for _ in range(bot.settings.discord.cooldown_rate):
        assert 3 in cited(fake.wait_answer(fake.message_command("Ask SummitBot", target, user=user)))
    late = fake.wait_answer(fake.message_command("Ask SummitBot", target, user=user))
    assert late.ephemeral and "wait" in late.content


# --------------------------------------------------------------------------------------- safety
def test_everyone_and_mentions_in_a_question_ping_nobody(fake: FakeDiscord, bot: Any) -> None:
    user, other = fake.new_user(), fake.new_user()
    pings = f"@everyone @here <@&{fake.guild_id}> <@{other['id']}> <@!{other['id']}>"
    interaction = fake.slash("ask", user=user, question=f"{pings} what did Tillerson say about Assad?")
    answer = fake.wait_answer(interaction)
    assert 4 in cited(answer)
    title = embed(answer)["title"]
    assert "@everyone" not in title and "<@" not in title.replace("<@\u200b", "")
    for sent in fake.sent_for(interaction):
        if sent.has_message:
            assert_no_pings(sent)

    question = fake.say(f"{mention(fake)} {pings} {QUESTIONS[3][0]}", user=user)
    reply = fake.wait_reply(question)
    assert 5 in cited(reply)
    assert_no_pings(reply)


def test_bad_inputs_get_a_private_explanation(fake: FakeDiscord, bot: Any) -> None:
    user = fake.new_user()
    empty = fake.wait_answer(fake.slash("ask", user=user, question=""))
    too_long = fake.wait_answer(
        fake.slash("ask", user=user, question=("what did Tillerson say? " * 300)[:6000])
    )
    only_mentions = fake.wait_answer(
        fake.slash("ask", user=user, question=f"<@{user['id']}> <@&1234> @everyone")
    )
    no_topic = fake.wait_answer(fake.slash("summary", user=user, topic="   "))
    for sent in (empty, too_long, only_mentions, no_topic):
        assert sent.kind == "callback" and sent.callback_type == 4, "refused before deferring"
        assert sent.ephemeral and sent.content
        assert_no_pings(sent)
    assert "Ask me a question" in empty.content and "Ask me a question" in only_mentions.content
    assert "6,000 characters" in too_long.content
    assert "name a topic" in no_topic.content

    bare = fake.say(mention(fake), user=user)
    assert "Ask me a question" in fake.wait_reply(bare).content
    long_mention = fake.say(f"{mention(fake)} " + "why? " * 1200, user=user)
    assert "characters" in fake.wait_reply(long_mention).content


def test_cooldown_per_user_on_ask_and_mentions(fake: FakeDiscord, bot: Any) -> None:
    rate = bot.settings.discord.cooldown_rate
    user, other = fake.new_user(), fake.new_user()
    for i in range(rate):
        question, paragraph = QUESTIONS[i]
        assert paragraph in cited(fake.wait_answer(fake.slash("ask", user=user, question=question)))
    refused = fake.wait_answer(fake.slash("ask", user=user, question=QUESTIONS[2][0]))
    assert refused.callback_type == 4 and refused.ephemeral and "wait" in refused.content
    notice = fake.wait_reply(fake.say(f"{mention(fake)} {QUESTIONS[2][0]}", user=user))
    assert "wait" in notice.content and not notice.embeds
    assert_no_pings(notice)
    # someone else is not affected
    assert 7 in cited(fake.wait_answer(fake.slash("ask", user=other, question=QUESTIONS[2][0])))


def test_reindex_needs_manage_server(fake: FakeDiscord, bot: Any) -> None:
    refused = fake.wait_answer(fake.slash("reindex", user=fake.new_user(), permissions=MEMBER_PERMISSIONS))
    assert refused.callback_type == 4 and refused.ephemeral
    assert "Manage Server" in refused.content

    admin = fake.slash("reindex", user=fake.new_user(), permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    done = fake.wait_answer(admin)
    assert done.ephemeral and "1 document" in done.content
    assert fake.sent_for(admin)[0].callback_type == 5, "deferred: a rebuild can take seconds"
    # still answering after the swap
    assert 4 in cited(fake.wait_answer(fake.slash("ask", user=fake.new_user(), question=QUESTIONS[0][0])))


def test_a_bug_gets_an_apology_and_the_log_gets_the_traceback(
    fake: FakeDiscord, bot: Any, bot_logs: LogCollector
) -> None:
    interaction = fake.slash("ask", user=fake.new_user(), question=EXPLODE)
    apology = fake.wait_answer(interaction)
    assert apology.ephemeral and "Sorry" in apology.content
    assert "boom" not in apology.content
    fake.wait_for(lambda: "boom: the answering core failed" in bot_logs.text, 5, "the traceback in the log")
    assert "Traceback (most recent call last)" in bot_logs.text

    message = fake.say(f"{mention(fake)} {EXPLODE}", user=fake.new_user())
    reply = fake.wait_reply(message)
    assert "Sorry" in reply.content and "boom" not in reply.content


# ------------------------------------------------------------------------------------ load, gateway
@pytest.mark.parametrize("delay", [0.0, 0.2], ids=["real-speed", "slow-core"])
def test_twenty_concurrent_questions_keep_the_heartbeat(fake: FakeDiscord, bot: Any, delay: float) -> None:
    """With ``delay`` each answer also takes 0.2 s more in the core (as on a slow machine): run on
    the event loop, 20 of them would stop the heartbeat for 4 s."""
    bot.service.delay = delay
    try:
        asked = [(QUESTIONS[i % len(QUESTIONS)], fake.new_user()) for i in range(20)]
        start = time.monotonic()
        interactions = [(fake.slash("ask", user=u, question=q), p) for (q, p), u in asked]
        for interaction, paragraph in interactions:
            assert paragraph in cited(fake.wait_answer(interaction, timeout=90))
        answered = time.monotonic()
    finally:
        bot.service.delay = 0.0
    after = fake.wait_for(lambda: max(fake.last_heartbeat() - answered, 0), 5, "a heartbeat after the burst")
    gaps = fake.heartbeat_gaps(start, answered + after)
    assert gaps, "heartbeats were recorded around the burst"
    worst = max(gaps)
    speed = f"+{delay:.1f} s per answer" if delay else "real speed"
    print(
        f"\n20 concurrent /ask ({speed}) answered in {answered - start:.2f} s; heartbeat interval 250 ms: "
        f"{len(gaps)} gaps, worst {worst * 1000:.0f} ms, mean {sum(gaps) / len(gaps) * 1000:.0f} ms"
    )
    assert worst < 1.0


def test_gateway_drop_and_resume_loses_no_question(fake: FakeDiscord, bot: Any) -> None:
    identifies, resumes = len(fake.identifies), len(fake.resumes)
    before = fake.slash("ask", user=fake.new_user(), question=QUESTIONS[0][0])
    fake.drop_gateway(code=4000, hold=True)  # reconnections wait until released
    during = [(fake.slash("ask", user=fake.new_user(), question=q), p) for q, p in QUESTIONS[1:4]]
    said = fake.say(f"{mention(fake)} {QUESTIONS[4][0]}", user=fake.new_user())
    assert not fake.live
    fake.release_gateway()
    fake.wait_for(lambda: len(fake.resumes) > resumes, 30, "a RESUME")
    assert 4 in cited(fake.wait_answer(before))
    for interaction, paragraph in during:
        assert paragraph in cited(fake.wait_answer(interaction))
    assert QUESTIONS[4][1] in cited(fake.wait_reply(said))
    assert len(fake.identifies) == identifies, "resumed, not re-identified"
    assert 4 in cited(fake.wait_answer(fake.slash("ask", user=fake.new_user(), question=QUESTIONS[0][0])))


# --------------------------------------------------------------------------------------- audits
def test_no_message_ever_allowed_a_ping(fake: FakeDiscord, bot: Any) -> None:
    messages = [s for s in fake.all_messages() if s.has_message]
    assert len(messages) > 30
    for sent in messages:
        assert_no_pings(sent)


def test_the_token_never_appears_in_logs_or_messages(
    fake: FakeDiscord, bot: Any, bot_logs: LogCollector
) -> None:
    assert bot_logs.lines
    assert TOKEN not in bot_logs.text
    assert all(TOKEN not in str(s.body) for s in fake.sent)


# --------------------------------------------------------------- python bot.py run (subprocesses)
def run_env(cli_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The CLI test environment (no DISCORD_* or SUMMITBOT_* from the developer) plus ``extra``."""
    return {**cli_env, **extra}


def bot_py_run(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "bot.py", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    return proc, log


def test_missing_token_is_one_clear_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = run_env(cli_env)
    done = subprocess.run(
        [sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "DISCORD_TOKEN" in lines[0]


def test_rejected_token_is_one_clear_line_without_the_token(cli_env: dict[str, str], tmp_path: Path) -> None:
    wrong = "MTIzNDU2.wrong-token.never-show-me"
    with FakeDiscord(token=TOKEN) as server:
        env = run_env(cli_env, DISCORD_TOKEN=wrong, DISCORD_API_BASE=server.api_base)
        done = subprocess.run(
            [sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert ("GET", "/users/@me") in server.requests
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "DISCORD_TOKEN" in errors[0] and "401" in errors[0]
    assert "Traceback" not in done.stderr
    assert wrong not in done.stderr + done.stdout


@pytest.mark.timeout(180)
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_bot_py_run_serves_and_stops_cleanly_on_a_signal(
    cli_env: dict[str, str], tmp_path: Path, signame: str
) -> None:
    with FakeDiscord(token=TOKEN) as server:
        env = run_env(
            cli_env,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=server.api_base,
            DISCORD_GUILD_ID=str(server.guild_id),
            SUMMITBOT_LOG_LEVEL="DEBUG",
        )
        proc, log = bot_py_run(env, tmp_path)
        try:
            server.wait_for(lambda: server.identifies, 120, "the bot to connect")
            assert server.command_scope == "guild", "DISCORD_GUILD_ID syncs to that server at once"
            assert 6 in cited(
                server.wait_answer(server.slash("ask", user=server.new_user(), question=QUESTIONS[1][0]))
            )
            # a question in progress when the signal comes is still answered
            in_progress = server.slash("ask", user=server.new_user(), question=QUESTIONS[0][0])
            server.wait_for(lambda: server.sent_for(in_progress), 30, "the bot to defer")
            proc.send_signal(getattr(signal, signame))
            assert 4 in cited(server.wait_answer(in_progress))
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    stderr = log.read_text(errors="replace")
    assert code == 0, stderr[-3000:]
    assert f"{signame} received" in stderr and "Closed cleanly" in stderr
    at = stderr.find("Traceback")
    assert at < 0, stderr[max(0, at - 1500) : at + 3000]
    assert TOKEN not in stderr
    assert "Loading the model" in stderr  # loaded by setup_hook, in the real process
    assert stderr.index("Loading the model") < stderr.index("Synced")


@pytest.mark.timeout(180)
def test_without_the_message_content_intent_the_bot_starts_and_says_what_needs_it(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with FakeDiscord(token=TOKEN, message_content_enabled=False) as server:
        env = run_env(
            cli_env,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=server.api_base,
            SUMMITBOT_ANSWER_CHANNELS=str(server.channel_id),
            SUMMITBOT_DB=str(tmp_path / "db.sqlite3"),
        )
        proc, log = bot_py_run(env, tmp_path)
        try:
            server.wait_for(lambda: server.identifies, 120, "the bot to connect")
            assert not server.identifies[0]["intents"] & MESSAGE_CONTENT
            user = server.new_user()
            assert 6 in cited(server.wait_answer(server.slash("ask", user=user, question=QUESTIONS[1][0])))
            # a mention is delivered with its content, and answered
            mentioned = server.say(f"<@{server.bot_id}> {QUESTIONS[3][0]}", user=user)
            assert 5 in cited(server.wait_reply(mentioned))
            # the context menu gets the message resolved, content included
            target = server.say(QUESTIONS[6][0], user=server.new_user())
            assert 4 in cited(server.wait_answer(server.message_command("Ask SummitBot", target, user=user)))
            # the answer channel's message came without content: not answered
            time.sleep(0.5)
            assert server.threads_started_from(target) == [] and server.replies_to(target) == []
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    stderr = log.read_text(errors="replace")
    assert code == 0, stderr[-3000:]
    assert stderr.count("Message Content intent is not enabled") == 1
    assert "answer channels" in stderr and "Traceback" not in stderr and TOKEN not in stderr


@pytest.mark.timeout(180)
def test_commands_sync_only_when_changed_or_on_bot_py_sync(
    cli_env: dict[str, str], tmp_path: Path, discord_settings: Any, service: Any, bot_logs: LogCollector
) -> None:
    from tests.conftest import make_settings
    from tests.e2e.conftest import BotThread

    db = tmp_path / "sync.sqlite3"
    with FakeDiscord(token=TOKEN) as server:
        settings = make_settings(
            discord_settings.index_dir,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=server.api_base,
            SUMMITBOT_DB=str(db),
        )
        global_put = ("PUT", f"/applications/{server.app_id}/commands")
        guild_put = ("PUT", f"/applications/{server.app_id}/guilds/{server.guild_id}/commands")
        for _ in range(2):
            runner = BotThread(settings, service, guild_ready_timeout=0.2)
            runner.start(server)
            assert runner.stop() == 0
        assert server.requests.count(global_put) == 1, "the second start finds the commands unchanged"
        assert "Commands unchanged since the last sync (global): not syncing" in bot_logs.text

        env = run_env(cli_env, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=server.api_base, SUMMITBOT_DB=str(db))
        for args, route in ((["sync"], global_put), (["sync", "--guild", str(server.guild_id)], guild_put)):
            done = subprocess.run(
                [sys.executable, "bot.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            assert re.search(r"Synced \d+ commands", done.stdout)
            assert "Loading the model" not in done.stderr and not server.identifies[2:]
            assert route in server.requests
        assert server.requests.count(global_put) == 2 and server.requests.count(guild_put) == 1
        assert server.command_scope == "guild" and "Ask SummitBot" in server.commands
