"""The "Ask SummitBot" message context-menu command: the selected message's text as a question,
answered ephemerally with a button that posts the answer in the channel for everyone.

It needs no privileged intent: Discord resolves the selected message, content included. The
"Post in the channel" button is a ``DynamicItem`` that reposts the embed of the ephemeral message it
sits on (nothing is kept in memory, so it survives a restart); the public copy carries the same
"Show passages" button and its own 👍/👎.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import NO_MENTIONS, defer, send
from cogs.errors import report_interaction_error
from cogs.feedback import add_vote_buttons
from cogs.passages import PassagesButton
from cogs.qa import QA, check_question, strip_own_mention

if TYPE_CHECKING:
    from cogs.bot import SummitBot

log = logging.getLogger("summitbot.context_menu")

COMMAND_NAME = "Ask SummitBot"
PUBLISH_ID = "sb:pub"


class PublishButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.escape(PUBLISH_ID)):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Post in the channel",
                emoji="📢",
                style=discord.ButtonStyle.primary,
                custom_id=PUBLISH_ID,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PublishButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        bot: SummitBot = interaction.client  # type: ignore[assignment]
        async with bot.in_flight.track():
            try:
                message = interaction.message
                if message is None or not message.embeds:
                    await interaction.response.send_message(
                        "There is no answer here to post.", ephemeral=True, allowed_mentions=NO_MENTIONS
                    )
                    return
                await interaction.response.send_message(
                    embeds=message.embeds, view=public_view(message), allowed_mentions=NO_MENTIONS
                )
                log.info("User %s posted an answer of %s publicly", interaction.user.id, COMMAND_NAME)
            except Exception as error:
                await report_interaction_error(interaction, error)


def public_view(message: discord.Message) -> discord.ui.View:
    """The buttons of the public copy: the same "Show passages" and a fresh 👍/👎."""
    view = discord.ui.View(timeout=None)
    for row in message.components:
        for child in getattr(row, "children", []):
            custom_id = getattr(child, "custom_id", None) or ""
            if custom_id.startswith(render.PASSAGES_PREFIX):
                view.add_item(PassagesButton(custom_id))
    return add_vote_buttons(view)


class ContextMenu(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name=COMMAND_NAME, callback=self.ask_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def ask_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        async with self.bot.in_flight.track():
            me = self.bot.user
            role = message.guild.self_role if message.guild else None
            text = strip_own_mention(message.content, me.id if me else 0, role.id if role else None)
            if not text and message.embeds:  # e.g. one of the bot's own answers: its question
                text = (message.embeds[0].title or "").replace(render.ZWSP, "")
            check_question(text, self.bot.settings.answer.max_question_chars, self.bot.collection)
            retry_after = self.bot.cooldown.hit(interaction.user.id)
            if retry_after > 0:
                cooldown = app_commands.Cooldown(self.bot.cooldown.rate, self.bot.cooldown.per)
                raise app_commands.CommandOnCooldown(cooldown, retry_after)
            await defer(interaction, ephemeral=True)
            answer = await asyncio.to_thread(self.bot.service.ask, text)
            embed = render.answer_embed(answer, self.bot.documents)
            view = QA.view(answer)
            view.add_item(PublishButton())
            await send(interaction, embed=embed, view=view, ephemeral=True)


async def setup(bot: SummitBot) -> None:
    bot.add_dynamic_items(PublishButton)
    await bot.add_cog(ContextMenu(bot))
