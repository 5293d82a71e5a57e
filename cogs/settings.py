"""``/settings answer-channel add|remove|list`` and ``/settings threads on|off`` (Manage Server).

Stored per guild in the database (``retrieval.api.FeedbackStore``, every call in a worker thread);
``SUMMITBOT_ANSWER_CHANNELS`` adds channels in every guild from the environment (listed, not
removable here). With the database unavailable the commands say so and the environment's
channels keep working.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import send
from retrieval.api import FeedbackUnavailable

if TYPE_CHECKING:
    from cogs.bot import SummitBot

AnswerChannel = discord.TextChannel | discord.ForumChannel


def _bot(interaction: discord.Interaction) -> SummitBot:
    return interaction.client  # type: ignore[return-value]


async def _reply(interaction: discord.Interaction, text: str) -> None:
    await send(interaction, content=text, ephemeral=True)


manage = app_commands.checks.has_permissions(manage_guild=True)


class AnswerChannels(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="answer-channel", description="Channels where every question is answered.")

    @app_commands.command(name="add", description="Answer every question in this channel, in a thread each.")
    @app_commands.describe(channel="The channel (default: this one)")
    @manage
    async def add(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await self._change(interaction, channel, add=True)

    @app_commands.command(name="remove", description="Stop answering every question in a channel.")
    @app_commands.describe(channel="The channel (default: this one)")
    @manage
    async def remove(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        await self._change(interaction, channel, add=False)

    @app_commands.command(name="list", description="The answer channels of this server.")
    @manage
    async def list_(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        assert interaction.guild_id is not None
        config = await bot.guild_config(interaction.guild_id)
        from_env = set(bot.settings.discord.answer_channels)
        await _reply(
            interaction, render.answer_channels_text(config.answer_channels, from_env, config.threads)
        )

    async def _change(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None, *, add: bool
    ) -> None:
        bot = _bot(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        channel_id = channel.id if channel else interaction.channel_id
        assert channel_id is not None
        store = bot.feedback
        try:
            if add:
                changed = await asyncio.to_thread(store.add_answer_channel, guild_id, channel_id)
            else:
                changed = await asyncio.to_thread(store.remove_answer_channel, guild_id, channel_id)
        except FeedbackUnavailable:
            await _reply(interaction, render.SETTINGS_OFF)
            return
        bot.forget_guild_config(guild_id)
        if not add and channel_id in bot.settings.discord.answer_channels:
            text = f"<#{channel_id}> is an answer channel through SUMMITBOT_ANSWER_CHANNELS; change it there."
        elif add:
            text = f"<#{channel_id}> is {'now' if changed else 'already'} an answer channel."
            if not bot.content_intent:
                text += " " + render.NEEDS_CONTENT_INTENT
        else:
            text = f"<#{channel_id}> is {'no longer' if changed else 'not'} an answer channel."
        await _reply(interaction, text)


class Threads(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(
            name="threads", description="Answer in a new thread per question (on) or in a reply (off)."
        )

    @app_commands.command(name="on", description="Answer each question in an answer channel in a new thread.")
    @manage
    async def on(self, interaction: discord.Interaction) -> None:
        await self._set(interaction, True)

    @app_commands.command(name="off", description="Answer questions in an answer channel with a reply.")
    @manage
    async def off(self, interaction: discord.Interaction) -> None:
        await self._set(interaction, False)

    async def _set(self, interaction: discord.Interaction, on: bool) -> None:
        bot = _bot(interaction)
        assert interaction.guild_id is not None
        try:
            await asyncio.to_thread(bot.feedback.set_threads, interaction.guild_id, on)
        except FeedbackUnavailable:
            await _reply(interaction, render.SETTINGS_OFF)
            return
        bot.forget_guild_config(interaction.guild_id)
        await _reply(
            interaction,
            "Questions in answer channels are now answered in a new thread each."
            if on
            else "Questions in answer channels are now answered with a reply.",
        )


class SettingsGroup(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(
            name="settings",
            description="SummitBot's settings for this server (Manage Server only).",
            guild_only=True,
            default_permissions=discord.Permissions(manage_guild=True),
        )
        self.add_command(AnswerChannels())
        self.add_command(Threads())


class Settings(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Settings(bot))
    bot.tree.add_command(SettingsGroup())
