"""The fake Discord is strict where Discord is: the real discord.py (the bot's own HTTP client)
gets the errors Discord would give it, and the rules the bot relies on hold."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine
from typing import Any, TypeVar

import discord
import pytest

from cogs.bot import SummitBot
from tests.e2e.fake_discord import FakeDiscord, Interaction

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
T = TypeVar("T")


def on_bot(bot: SummitBot, coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run_coroutine_threadsafe(coro, bot.loop).result(30)


def channel(bot: SummitBot, fake: FakeDiscord) -> discord.TextChannel:
    found = bot.get_channel(fake.channel_id)
    assert isinstance(found, discord.TextChannel)
    return found


def http_error(bot: SummitBot, coro: Coroutine[Any, Any, Any]) -> discord.HTTPException:
    with pytest.raises(discord.HTTPException) as caught:
        on_bot(bot, coro)
    return caught.value


@pytest.mark.parametrize(
    ("what", "options"),
    [
        ("content over 2,000 characters", {"content": "x" * 2001}),
        ("a title over 256", {"embed": discord.Embed(title="t" * 257)}),
        ("a description over 4,096", {"embed": discord.Embed(description="d" * 4097)}),
        ("a field value over 1,024", {"embed": discord.Embed().add_field(name="n", value="v" * 1025)}),
        ("embeds over 6,000 in all", {"embeds": [discord.Embed(description="d" * 4000) for _ in range(2)]}),
    ],
)
def test_over_limit_messages_get_400_50035(
    fake: FakeDiscord, bot: SummitBot, what: str, options: Any
) -> None:
    error = http_error(bot, channel(bot, fake).send(**options))
    assert (error.status, error.code) == (400, 50035), what


def test_custom_ids_over_100_characters_get_400_50035(fake: FakeDiscord, bot: SummitBot) -> None:
    payload = {
        "content": "x",
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 2, "label": "b", "custom_id": "c" * 101}]}
        ],
    }
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=fake.channel_id)
    error = http_error(bot, bot.http.request(route, json=payload))
    assert (error.status, error.code) == (400, 50035)


def test_an_empty_message_is_refused(fake: FakeDiscord, bot: SummitBot) -> None:
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=fake.channel_id)
    error = http_error(bot, bot.http.request(route, json={"content": ""}))
    assert (error.status, error.code) == (400, 50006)


def test_a_429_with_rate_limit_headers_is_retried_by_discord_py(fake: FakeDiscord, bot: SummitBot) -> None:
    fake.rate_limit("POST", rf"/channels/{fake.channel_id}/messages", retry_after=0.3)
    start = time.monotonic()
    message = on_bot(bot, channel(bot, fake).send("after a rate limit"))
    assert message.content == "after a rate limit"
    assert fake.rate_limited == [("POST", f"/channels/{fake.channel_id}/messages")]
    assert time.monotonic() - start >= 0.3


def test_the_bots_own_messages_come_back_as_message_create(fake: FakeDiscord, bot: SummitBot) -> None:
    sent = on_bot(bot, channel(bot, fake).send("echo me"))
    assert fake._session is not None

    def echoed() -> bool:
        return any(
            e["t"] == "MESSAGE_CREATE" and e["d"]["id"] == str(sent.id) for e in list(fake._session.events)
        )

    fake.wait_for(echoed, 5, "the echo")


def test_an_interaction_not_acknowledged_within_3_seconds_is_unknown(fake: FakeDiscord) -> None:
    iid = fake.snowflake()
    token = f"itoken-{iid}"
    fake.interactions[token] = Interaction(iid, token, "late", 1, created=time.monotonic() - 3.1)
    request = urllib.request.Request(
        f"{fake.api_base}/interactions/{iid}/{token}/callback",
        data=json.dumps({"type": 5}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 404 and json.loads(caught.value.read())["code"] == 10062
    assert fake.late and fake.late[-1].token == token


def test_a_thread_name_over_100_characters_is_refused(fake: FakeDiscord, bot: SummitBot) -> None:
    message = on_bot(bot, channel(bot, fake).send("a starter"))
    error = http_error(bot, message.create_thread(name="n" * 101))
    assert (error.status, error.code) == (400, 50035)
    thread = on_bot(bot, message.create_thread(name="n" * 100))
    assert thread.id == message.id and thread.owner_id == fake.bot_id
