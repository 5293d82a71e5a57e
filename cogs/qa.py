"""Questions: ``/ask``; mentions of the bot and replies to its answers; every question in an
answer channel (in a new thread per question); follow-ups in the bot's threads and reply chains.

Every path is validate -> (cooldown) -> defer or typing -> ``asyncio.to_thread(service.ask)`` ->
render -> send with ``AllowedMentions.none()``. A follow-up ("and what did Lavrov say?") is
rewritten into a standalone question from the earlier turns, read from Discord itself: the
replied-to answer, or the bot's last answers in its thread (the service's ``rewrite_followup``).
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
from cogs.errors import report_message_error
from cogs.feedback import add_vote_buttons
from cogs.passages import passages_view
from retrieval.api import (
    MAX_TURNS,
    Answer,
    Collection,
    Turn,
    clean_question,
    looks_like_question,
)

if TYPE_CHECKING:
    from cogs.bot import SummitBot

log = logging.getLogger("summitbot.qa")
HISTORY_LIMIT = 30  # messages of a thread read back for the earlier turns


def strip_own_mention(content: str, bot_id: int, role_id: int | None = None) -> str:
    """The question in a message that mentions the bot: the message without the bot's mention
    (``<@id>``, ``<@!id>``, or the bot's own managed role ``<@&role>``)."""
    pattern = rf"<@!?{bot_id}>" + (rf"|<@&{role_id}>" if role_id else "")
    return " ".join(re.sub(pattern, " ", content).split())


def check_question(text: str, max_chars: int, words: Collection = render.GENERIC) -> None:
    """The core's validator, run before deferring, so that an unusable question gets a private
    notice rather than a public "thinking…" (the service runs it again: it is the authority)."""
    clean_question(text, max_chars, empty_message=render.empty_mention(words))


class QA(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    # ------------------------------------------------------------------------------------ /ask
    @app_commands.command(
        name="ask", description="Ask about the documents; answers quote them word for word, with sources."
    )
    @app_commands.describe(
        question="Your question about the documents",
        private="Only you see the answer (default: everyone in the channel)",
    )
    async def ask(self, interaction: discord.Interaction, question: str, private: bool = False) -> None:
        async with self.bot.in_flight.track():
            check_question(question, self.bot.settings.answer.max_question_chars, self.bot.collection)
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
        return render.answer_embed(answer, self.bot.documents, self.bot.collection)

    @staticmethod
    def view(answer: Answer) -> discord.ui.View:
        """Show passages (when something was cited) and the 👍/👎 buttons."""
        return add_vote_buttons(passages_view(answer.citations) if answer.answered else None)

    # ------------------------------------------------ mentions, replies, answer channels, threads
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None or message.author.id == me.id:
            return
        async with self.bot.in_flight.track():
            try:
                route = await self.route(message, me.id)
                if route is not None:
                    await self.answer_message(message, *route)
            except Exception as error:  # the central handler logs and apologises
                await report_message_error(self.bot, message, error)

    async def route(self, message: discord.Message, my_id: int) -> tuple[str, list[Turn], bool] | None:
        """What to answer and how: (the question, the earlier turns, in a new thread?), or None
        when the message is not for the bot. In order:

        1. a reply to another member is not for the bot unless it mentions the bot;
        2. a reply to one of the bot's answers: a follow-up of that answer;
        3. a mention of the bot: a question (in one of the bot's threads, a follow-up there);
        4. in a thread the bot started: a follow-up, when it is a question (``looks_like_question``);
        5. in an answer channel: a question answered in a new thread (or a reply, threads off).
        """
        role = message.guild.self_role if message.guild else None
        text = strip_own_mention(message.content, my_id, role.id if role else None)
        replied = await self._replied_message(message)
        mentioned = self._mentions_me(message, my_id)
        if replied is not None and replied.author.id != my_id:
            return (text, [], False) if mentioned else None
        if replied is not None:
            return text, [turn_of(replied)] if turn_of(replied).question else [], False
        channel = message.channel
        in_my_thread = isinstance(channel, discord.Thread) and channel.owner_id == my_id
        if mentioned:
            return text, await self._thread_turns(channel) if in_my_thread else [], False
        if in_my_thread:
            if not looks_like_question(text, in_conversation=True):
                return None
            return text, await self._thread_turns(channel), False
        if message.guild is None or isinstance(channel, discord.Thread):
            return None
        config = await self.bot.guild_config(message.guild.id)
        if channel.id not in config.answer_channels or not looks_like_question(text):
            return None
        return text, [], config.threads

    async def _replied_message(self, message: discord.Message) -> discord.Message | None:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return None
        if isinstance(ref.resolved, discord.Message):
            return ref.resolved
        if ref.cached_message is not None:
            return ref.cached_message
        if isinstance(ref.resolved, discord.DeletedReferencedMessage):
            return None
        try:
            return await message.channel.fetch_message(ref.message_id)
        except discord.HTTPException:
            return None

    async def _thread_turns(self, thread: Any) -> list[Turn]:
        """The earlier turns of a conversation in a thread: the bot's recent answers there (their
        titles are the questions as asked), oldest first. Read from Discord, so a restart loses
        nothing."""
        turns: list[Turn] = []
        me = self.bot.user
        async for old in thread.history(limit=HISTORY_LIMIT):
            if me is not None and old.author.id == me.id:
                turn = turn_of(old)
                if turn.question:
                    turns.append(turn)
                    if len(turns) >= MAX_TURNS:
                        break
        return list(reversed(turns))

    async def answer_message(
        self, message: discord.Message, text: str, turns: list[Turn] | None = None, in_thread: bool = False
    ) -> None:
        check_question(text, self.bot.settings.answer.max_question_chars, self.bot.collection)
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
        question = self.bot.service.rewrite_followup(text, turns or [])
        if question != text:
            log.info("Follow-up %r asked as %r", text, question)
        target: discord.abc.Messageable = message.channel
        if in_thread:
            target = await self._start_thread(message, text) or message.channel
        async with target.typing():
            answer = await asyncio.to_thread(self.bot.service.ask, question)
        embed, view = self.render(answer), self.view(answer)
        if target is message.channel:
            await message.reply(embed=embed, view=view, mention_author=False, allowed_mentions=NO_MENTIONS)
        else:
            await target.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)

    async def _start_thread(self, message: discord.Message, question: str) -> discord.Thread | None:
        """A thread from the question's message, or None (then the answer is a reply)."""
        try:
            return await message.create_thread(name=render.thread_name(question), auto_archive_duration=1440)
        except discord.HTTPException as error:
            log.warning(
                "Could not start a thread on message %s (%s): answering with a reply", message.id, error
            )
            return None

    @staticmethod
    def _mentions_me(message: discord.Message, my_id: int) -> bool:
        """A direct mention of the bot (or of its managed role) — not ``@everyone``/``@here``."""
        if re.search(rf"<@!?{my_id}>", message.content):
            return True
        role = message.guild.self_role if message.guild else None
        return role is not None and role in message.role_mentions


def turn_of(message: discord.Message) -> Turn:
    """One of the bot's answers as a turn of a conversation: its embed's title is the question it
    answered (follow-ups already rewritten), its description the answer."""
    if not message.embeds:
        return Turn("")
    embed = message.embeds[0]
    title = (embed.title or "").replace(render.ZWSP, "")
    if title.startswith(("Summary: ", "Positions: ")):
        title = "What about " + title.split(": ", 1)[1] + "?"
    return Turn(title, (embed.description or "").replace(render.ZWSP, ""))


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(QA(bot))
