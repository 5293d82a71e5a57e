"""``/reindex``: reload the corpus and rebuild the index without a restart (Manage Server only)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import defer, send

if TYPE_CHECKING:
    from cogs.bot import SummitBot

log = logging.getLogger("summitbot.admin")


class Admin(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="reindex",
        description="Reload the corpus, its profile and topics; rebuild the index (Manage Server only).",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reindex(self, interaction: discord.Interaction) -> None:
        log.info("Reindex requested by user %s in guild %s", interaction.user.id, interaction.guild_id)
        async with self.bot.in_flight.track():
            await defer(interaction, ephemeral=True)
            stats = await asyncio.to_thread(self.bot.service.reindex)
            await self.bot.refresh_catalogue()
            log.info("Reindex done: %s", render.reindex_text(stats))
            await send(interaction, content=render.reindex_text(stats), ephemeral=True)


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Admin(bot))
