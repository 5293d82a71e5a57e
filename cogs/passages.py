"""The "Show passages" button under every cited answer: the full cited paragraphs, ephemerally.

The button is a ``DynamicItem``: its custom_id names the cited paragraphs (``render.encode_refs``),
so it keeps working after a restart and the bot stores nothing per message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from cogs import render
from cogs.common import defer, send
from cogs.errors import report_interaction_error
from retrieval.api import AnsweringService, Citation, Passage

if TYPE_CHECKING:
    from cogs.bot import SummitBot


class PassagesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(render.PASSAGES_PREFIX) + r"(?P<refs>.*)",
):
    def __init__(self, custom_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show passages", emoji="📜", style=discord.ButtonStyle.secondary, custom_id=custom_id
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PassagesButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        bot: SummitBot = interaction.client  # type: ignore[assignment]
        async with bot.in_flight.track():
            try:
                refs = render.decode_refs(self.custom_id)
                await defer(interaction, ephemeral=True)
                passages = await asyncio.to_thread(load_passages, bot.service, refs)
                for embeds in render.passages_messages(passages, bot.documents):
                    await send(interaction, embeds=embeds, ephemeral=True)
            except Exception as error:  # the central handler logs and apologises
                await report_interaction_error(interaction, error)


def load_passages(service: AnsweringService, refs: Sequence[render.PassageRef]) -> list[tuple[int, Passage]]:
    """Runs in a worker thread."""
    return [(ref.n, service.source(ref.paragraph, ref.doc)) for ref in refs]


def passages_view(citations: Sequence[Citation]) -> discord.ui.View | None:
    """A view holding the "Show passages" button, or None when nothing was cited."""
    custom_id = render.encode_refs(citations)
    if not citations or custom_id == render.PASSAGES_PREFIX:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PassagesButton(custom_id))
    return view


async def setup(bot: SummitBot) -> None:
    bot.add_dynamic_items(PassagesButton)
