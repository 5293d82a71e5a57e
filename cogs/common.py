"""Small pieces every cog shares: no-ping defaults, deferring, sending, and the per-user cooldown."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

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
    if interaction.response.is_done():
        await interaction.followup.send(
            content,
            embed=embed,
            embeds=embeds,
            view=view or MISSING,
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )
        interaction.extras[PUBLIC_DEFER] = False
    else:
        await interaction.response.send_message(
            content,
            embed=embed,
            embeds=embeds,
            view=view or MISSING,
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )


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
