"""Small pieces every cog shares: no-ping defaults, deferring, sending, the per-user cooldown, and
the count of answers in progress (so that a shutdown lets them finish)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import discord
from discord.utils import MISSING

NO_MENTIONS = discord.AllowedMentions.none()
PUBLIC_DEFER = "summitbot_public_defer"  # Interaction.extras key: deferred visibly, nothing sent yet


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge within Discord's 3-second window ("SummitBot is thinking…")."""
    if interaction.response.is_done():
        return
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[PUBLIC_DEFER] = not ephemeral


async def send(
    interaction: discord.Interaction,
    *,
    content: str = MISSING,
    embed: discord.Embed = MISSING,
    embeds: list[discord.Embed] = MISSING,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> None:
    """Send the response (or a follow-up after ``defer``), never pinging anyone."""
    options: dict[str, Any] = {
        "embed": embed,
        "embeds": embeds,
        "view": view or MISSING,
        "ephemeral": ephemeral,
        "allowed_mentions": NO_MENTIONS,
    }
    if interaction.response.is_done():
        await interaction.followup.send(content, **options)
        interaction.extras[PUBLIC_DEFER] = False
    else:
        await interaction.response.send_message(content, **options)


class UserCooldown:
    """At most ``rate`` questions per ``per`` seconds per user (a sliding window), shared by ``/ask``
    and mentions. ``hit`` records a question and returns 0, or returns how long to wait."""

    def __init__(self, rate: int, per: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}

    def hit(self, user_id: int) -> float:
        if self.per <= 0:
            return 0.0
        now = self._clock()
        window = self._hits.setdefault(user_id, deque())
        while window and window[0] <= now - self.per:
            window.popleft()
        if len(window) >= self.rate:
            return window[0] + self.per - now
        window.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for uid in [u for u, w in self._hits.items() if not w or w[-1] <= now - self.per]:
            del self._hits[uid]


class InFlight:
    """Answers in progress. Every handler runs inside ``track()``; on SIGINT/SIGTERM the bot waits
    (a bounded time) for ``wait_idle`` before it closes, so no answer is cut off half-sent."""

    SETTLE = 0.05  # an error handler starts right after its command ends: let it register

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """True when nothing is in progress any more, False when ``timeout`` ran out first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return self.count == 0
            try:
                await asyncio.wait_for(self._idle.wait(), remaining)
            except TimeoutError:
                return False
            await asyncio.sleep(self.SETTLE)
            if self.count == 0:
                return True


def working(client: Any) -> AbstractAsyncContextManager[None]:
    """``client.in_flight.track()`` when the client counts its work (SummitBot does)."""
    tracker = getattr(client, "in_flight", None)
    return tracker.track() if isinstance(tracker, InFlight) else contextlib.nullcontext()
