"""End-to-end fixtures: a fake Discord on 127.0.0.1 and the real bot (cogs.bot) connected to it.

The bot runs in its own thread and event loop, exactly as ``run_bot`` runs it (``serve``), with the
session's already-loaded service passed in (``SummitBot(service=...)``) so the model loads once per
test session. The fake server runs in another thread, so the heartbeat gaps it measures do not
depend on the bot's loop. Every server and bot started here is stopped at teardown.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cogs.bot import SummitBot
from cogs.launcher import serve
from config.settings import Settings
from retrieval.api import AnsweringService
from tests.conftest import make_settings
from tests.e2e.fake_discord import FakeDiscord

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake-bot-token.do-not-log-me"
EXPLODE = "please explode"  # a question on which the wrapped service raises (a bug, not a user error)


class InstrumentedService:
    """The real service, except that one question raises like a bug would, and ``ask`` can be
    made slower (``delay`` seconds, as on a slow machine) to prove it never runs on the event loop."""

    def __init__(self, inner: AnsweringService) -> None:
        self._inner = inner
        self.delay = 0.0

    def ask(self, question: str) -> Any:
        if EXPLODE in question:
            raise RuntimeError("boom: the answering core failed")
        if self.delay:
            time.sleep(self.delay)
        return self._inner.ask(question)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BotThread:
    """The real SummitBot, run by ``cogs.launcher.serve`` in a thread with its own event loop."""

    def __init__(self, settings: Settings, service: Any, **options: Any) -> None:
        self.settings = settings
        self.service = service
        self.options = options
        self.bot: SummitBot | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.exit_code: int | None = None
        self.error: BaseException | None = None
        self._created = threading.Event()
        self._thread = threading.Thread(target=self._run, name="summitbot", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by stop()
            self.error = exc
            self._created.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.bot = SummitBot(settings=self.settings, service=self.service, **self.options)
        self._created.set()
        assert self.settings.discord.token
        self.exit_code = await serve(self.bot, self.settings.discord.token)

    def start(self, fake: FakeDiscord, timeout: float = 30.0) -> SummitBot:
        self._thread.start()
        if not self._created.wait(timeout) or self.bot is None:
            raise RuntimeError(f"the bot did not start: {self.error!r}")
        bot = self.bot
        fake.wait_for(lambda: bot.is_ready() or self.error, timeout, "the bot to be ready")
        if self.error:
            raise self.error
        return bot

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.loop is not None and self.bot is not None and self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self.bot.close(), self.loop).result(timeout)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the bot thread did not stop"
        if self.error:
            raise self.error
        return self.exit_code


class LogCollector(logging.Handler):
    """Every log line (with tracebacks) emitted in this process while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(scope="module")
def bot_logs() -> Iterator[LogCollector]:
    collector = LogCollector()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(collector)
    root.setLevel(logging.INFO)
    for name in ("discord", "summitbot"):
        logging.getLogger(name).setLevel(logging.INFO)
    yield collector
    root.removeHandler(collector)
    root.setLevel(old_level)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord(token=TOKEN, heartbeat_interval=0.25) as server:
        yield server


@pytest.fixture(scope="module")
def discord_settings(session_index_dir: Any, fake: FakeDiscord) -> Settings:
    return make_settings(session_index_dir, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base)


@pytest.fixture(scope="module")
def bot(
    fake: FakeDiscord, discord_settings: Settings, service: Any, bot_logs: LogCollector
) -> Iterator[SummitBot]:
    runner = BotThread(discord_settings, InstrumentedService(service), guild_ready_timeout=0.2)
    started = runner.start(fake)
    yield started
    assert runner.stop() == 0
