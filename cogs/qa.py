"""Questions: ``/ask`` and mentions of the bot or replies to its messages (also in threads).

Every path is validate -> (cooldown) -> defer or typing -> ``asyncio.to_thread(service.ask)`` ->
render -> send with ``AllowedMentions.none()``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import NO_MENTIONS, defer, send
from cogs.errors import report_message_error
from cogs.feedback import add_vote_buttons
from cogs.passages import passages_view
from retrieval.api import Answer, clean_question

if TYPE_CHECKING:
    from cogs.bot import SummitBot

log = logging.getLogger("summitbot.qa")


def strip_own_mention(content: str, bot_id: int, role_id: int | None = None) -> str:
    """The question in a message that mentions the bot: the message without the bot's mention
    (``<@id>``, ``<@!id>``, or the bot's own managed role ``<@&role>``)."""
    pattern = rf"<@!?{bot_id}>" + (rf"|<@&{role_id}>" if role_id else "")
    return " ".join(re.sub(pattern, " ", content).split())


def check_question(text: str, max_chars: int) -> None:
    """The core's validator, run before deferring, so that an unusable question gets a private
    notice rather than a public "thinking…" (the service runs it again: it is the authority)."""
    clean_question(text, max_chars, empty_message=render.EMPTY_MENTION)


class QA(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    # ------------------------------------------------------------------------------------ /ask
    @app_commands.command(
        name="ask", description="Ask about the July 2017 Trump-Putin summit; answers quote the release."
    )
    @app_commands.describe(
        question="Your question, e.g. What did Tillerson say about Assad?",
        private="Only you see the answer (default: everyone in the channel)",
    )
    async def ask(self, interaction: discord.Interaction, question: str, private: bool = False) -> None:
        async with self.bot.in_flight.track():
            check_question(question, self.bot.settings.answer.max_question_chars)
            self._cooldown(interaction.user.id)
            await defer(interaction, ephemeral=private)
            answer = await asyncio.to_thread(self.bot.service.ask, question)
            await send(interaction, embed=self.render(answer), view=self.view(answer), ephemeral=private)

    def _cooldown(self, user_id: int) -> None:
        retry_after = self.bot.cooldown.hit(user_id)
        if retry_after > 0:
            cooldown = app_commands.Cooldown(self.bot.cooldown.rate, self.bot.cooldown.per)
            raise app_commands.CommandOnCooldown(cooldown, retry_after)

    def render(self, answer: Answer) -> discord.Embed:
        return render.answer_embed(answer, self.bot.documents)

    @staticmethod
    def view(answer: Answer) -> discord.ui.View:
        """Show passages (when something was cited) and the 👍/👎 buttons."""
        return add_vote_buttons(passages_view(answer.citations) if answer.answered else None)

    # --------------------------------------------------------------------- mentions and replies
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        async with self.bot.in_flight.track():
            try:
                await self.answer_message(message, question)
            except Exception as error:  # the central handler logs and apologises
                await report_message_error(self.bot, message, error)

    def question_in(self, message: discord.Message) -> str | None:
        """The question, when ``message`` mentions the bot or replies to it; else None."""
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return None
        if not (self._mentions_me(message, me.id) or self._replies_to_me(message, me.id)):
            return None
        role = message.guild.self_role if message.guild else None
        return strip_own_mention(message.content, me.id, role.id if role else None)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        check_question(question, self.bot.settings.answer.max_question_chars)
        retry_after = self.bot.cooldown.hit(message.author.id)
        if retry_after > 0:
            log.info("Cooldown for user %s (%.1f s)", message.author.id, retry_after)
            await message.reply(
                render.cooldown_text(retry_after),
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
                delete_after=15,
            )
            return
        async with message.channel.typing():
            answer = await asyncio.to_thread(self.bot.service.ask, question)
        await message.reply(
            embed=self.render(answer),
            view=self.view(answer),
            mention_author=False,
            allowed_mentions=NO_MENTIONS,
        )

    @staticmethod
    def _mentions_me(message: discord.Message, my_id: int) -> bool:
        """A direct mention of the bot (or of its managed role) — not ``@everyone``/``@here``."""
        if re.search(rf"<@!?{my_id}>", message.content):
            return True
        role = message.guild.self_role if message.guild else None
        return role is not None and role in message.role_mentions

    @staticmethod
    def _replies_to_me(message: discord.Message, my_id: int) -> bool:
        ref = message.reference
        if ref is None:
            return False
        replied = ref.resolved if isinstance(ref.resolved, discord.Message) else ref.cached_message
        return replied is not None and replied.author.id == my_id


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(QA(bot))
