"""Topics and sources: ``/summary`` (autocompleted), ``/positions``, ``/topics``, ``/source``, ``/help``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import defer, send
from cogs.passages import passages_view
from retrieval.api import BadQuestion

if TYPE_CHECKING:
    from cogs.bot import SummitBot

TOPIC_HELP = "A topic such as Syria or North Korea (pick one or type your own)"


def check_topic(topic: str, max_chars: int) -> None:
    """Checks done before deferring (the service remains the authority on unknown topics)."""
    if not topic.strip():
        raise BadQuestion("Please name a topic, e.g. Syria — `/topics` lists them.")
    if len(topic) > max_chars:
        raise BadQuestion(f"Please keep the topic under {max_chars:,} characters.")


class Topics(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=v) for n, v in render.choices_for(self.bot.topics, current)]

    @app_commands.command(name="summary", description="A cited summary of one topic of the documents.")
    @app_commands.describe(topic=TOPIC_HELP)
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def summary(self, interaction: discord.Interaction, topic: str) -> None:
        async with self.bot.in_flight.track():
            check_topic(topic, self.bot.settings.answer.max_question_chars)
            await defer(interaction)
            result = await asyncio.to_thread(self.bot.service.summary, topic)
            embed = render.summary_embed(result, self.bot.documents, self.bot.collection)
            await send(interaction, embed=embed, view=passages_view(result.citations))

    @app_commands.command(name="positions", description="Each side's positions on a topic, side by side.")
    @app_commands.describe(topic=TOPIC_HELP)
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def positions(self, interaction: discord.Interaction, topic: str) -> None:
        async with self.bot.in_flight.track():
            check_topic(topic, self.bot.settings.answer.max_question_chars)
            await defer(interaction)
            result = await asyncio.to_thread(self.bot.service.positions, topic)
            embed = render.positions_embed(result, self.bot.documents, self.bot.collection)
            await send(interaction, embed=embed, view=passages_view(result.citations))

    @app_commands.command(name="topics", description="The topics the documents cover.")
    async def topics(self, interaction: discord.Interaction) -> None:
        async with self.bot.in_flight.track():
            await send(interaction, embed=render.topics_embed(self.bot.topics, self.bot.collection))

    @app_commands.command(name="source", description="The full text of one paragraph of the documents.")
    @app_commands.describe(paragraph="Paragraph number, as in the [n] ¶ citations")
    async def source(
        self, interaction: discord.Interaction, paragraph: app_commands.Range[int, 1, 100_000]
    ) -> None:
        async with self.bot.in_flight.track():
            await defer(interaction)
            passage = await asyncio.to_thread(self.bot.service.source, paragraph)
            document = self.bot.documents.get(passage.doc_id)
            await send(interaction, embed=render.source_embed(passage, document))

    @app_commands.command(name="help", description="What SummitBot can do and how to ask.")
    async def help(self, interaction: discord.Interaction) -> None:
        async with self.bot.in_flight.track():
            me = self.bot.user
            await send(
                interaction,
                embed=render.help_embed(me.name if me else "SummitBot", self.bot.collection),
                ephemeral=True,
            )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Topics(bot))
