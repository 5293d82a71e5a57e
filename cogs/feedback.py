"""👍/👎 under every answer, a modal for the reason of a 👎, and ``/feedback`` (Manage Server).

The buttons are ``DynamicItem``s with fixed custom_ids (``sb:vote:up``, ``sb:vote:down``): the
answer they vote on is the message they sit under (its id keys the vote, its embed's title is the
question), so they keep working after a restart and nothing is stored when an answer is sent.
Every database call runs in a worker thread (``asyncio.to_thread``); with the database disabled
(locked or corrupt) a click gets a short private notice and answers carry on as before.

The reason modal's custom_id names the answer and the user (``sb:why:<message>:<user>``): the 👎 is
recorded when the button is pressed, and a reason submitted after a restart (when discord.py no
longer knows the modal) is still recorded by the cog's ``on_interaction`` listener.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import NO_MENTIONS, defer, send
from cogs.errors import report_interaction_error
from retrieval.api import FeedbackUnavailable, Vote

if TYPE_CHECKING:
    from cogs.bot import SummitBot

log = logging.getLogger("summitbot.feedback")

VOTE_PREFIX = "sb:vote:"
REASON_PREFIX = "sb:why:"
REASON_LIMIT = 500


def question_of(message: discord.Message | None) -> str:
    """The question an answer message answers: its embed's title, without the zero-width spaces
    that break mentions."""
    if message is None or not message.embeds or not message.embeds[0].title:
        return ""
    return message.embeds[0].title.replace(render.ZWSP, "").strip()


async def _reply(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(VOTE_PREFIX) + r"(?P<vote>up|down)",
):
    def __init__(self, vote: Vote) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=VOTE_PREFIX + vote,
            )
        )
        self.vote: Vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls("up" if match["vote"] == "up" else "down")

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        bot: SummitBot = interaction.client  # type: ignore[assignment]
        async with bot.in_flight.track():
            try:
                await self._record(bot, interaction)
            except Exception as error:  # the central handler logs and apologises
                await report_interaction_error(interaction, error)

    async def _record(self, bot: SummitBot, interaction: discord.Interaction) -> None:
        message = interaction.message
        question = question_of(message)
        if message is None or not question:
            await _reply(interaction, "There is no answer here to vote on.")
            return
        try:
            before = await asyncio.to_thread(
                bot.feedback.vote,
                message.id,
                interaction.user.id,
                question,
                self.vote,
                guild_id=interaction.guild_id,
            )
        except FeedbackUnavailable:
            await _reply(interaction, render.FEEDBACK_OFF)
            return
        log.info("Vote %s by user %s on answer %s", self.vote, interaction.user.id, message.id)
        if self.vote == "down":
            await interaction.response.send_modal(ReasonModal(message.id, interaction.user.id))
            return
        changed = before is not None and before != self.vote
        await _reply(interaction, render.vote_text(self.vote, changed=changed))


class ReasonModal(discord.ui.Modal):
    """ "What was wrong?" after a 👎: optional; the 👎 is already counted."""

    reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
        label="What was wrong with the answer? (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=REASON_LIMIT,
        placeholder="e.g. it quoted the wrong paragraph, or the release does answer this",
    )

    # the custom_ids of the modals discord.py holds in this process (see ``Feedback.on_interaction``)
    open_ids: ClassVar[set[str]] = set()

    def __init__(self, answer_id: int, user_id: int) -> None:
        custom_id = f"{REASON_PREFIX}{answer_id}:{user_id}"
        super().__init__(title="👎 Thanks: what went wrong?", custom_id=custom_id, timeout=600)
        self.answer_id = answer_id
        ReasonModal.open_ids.add(custom_id)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        ReasonModal.open_ids.discard(self.custom_id)
        await record_reason(interaction, self.answer_id, str(self.reason.value or ""))

    async def on_timeout(self) -> None:
        ReasonModal.open_ids.discard(self.custom_id)


async def record_reason(interaction: discord.Interaction, answer_id: int, reason: str) -> None:
    bot: SummitBot = interaction.client  # type: ignore[assignment]
    async with bot.in_flight.track():
        try:
            text = " ".join(reason.split())
            if text:
                await asyncio.to_thread(bot.feedback.set_reason, answer_id, interaction.user.id, text)
            await _reply(interaction, render.vote_text("down", reason=bool(text)))
        except FeedbackUnavailable:
            await _reply(interaction, render.FEEDBACK_OFF)
        except Exception as error:
            await report_interaction_error(interaction, error)


def submitted_text(components: list[Any]) -> str:
    """The values of the text inputs of a modal submission (action rows or labels)."""
    values: list[str] = []
    for c in components:
        if not isinstance(c, dict):
            continue
        if c.get("type") == 4:
            values.append(str(c.get("value") or ""))
        values.append(submitted_text(list(c.get("components") or [])))
        if isinstance(c.get("component"), dict):
            values.append(submitted_text([c["component"]]))
    return " ".join(v for v in values if v)


def add_vote_buttons(view: discord.ui.View | None) -> discord.ui.View:
    """``view`` (or a new persistent view) with 👍 and 👎 added."""
    view = view or discord.ui.View(timeout=None)
    view.add_item(VoteButton("up"))
    view.add_item(VoteButton("down"))
    return view


class Feedback(commands.Cog):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A reason modal submitted after a restart: discord.py discards it (it no longer holds
        the modal), so it is recorded here from its custom_id."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})  # type: ignore[arg-type]
        custom_id = str(data.get("custom_id") or "")
        match = re.fullmatch(re.escape(REASON_PREFIX) + r"(\d+):(\d+)", custom_id)
        if match is None or custom_id in ReasonModal.open_ids or int(match[2]) != interaction.user.id:
            return
        await record_reason(interaction, int(match[1]), submitted_text(list(data.get("components") or [])))

    @app_commands.command(
        name="feedback", description="Votes on the answers: totals and the worst-rated questions."
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def feedback(self, interaction: discord.Interaction) -> None:
        async with self.bot.in_flight.track():
            await defer(interaction, ephemeral=True)
            try:
                summary = await asyncio.to_thread(self.bot.feedback.summary, 10)
            except FeedbackUnavailable:
                await send(interaction, content=render.FEEDBACK_OFF, ephemeral=True)
                return
            await send(interaction, embed=render.feedback_embed(summary), ephemeral=True)


async def setup(bot: SummitBot) -> None:
    bot.add_dynamic_items(VoteButton)
    await bot.add_cog(Feedback(bot))
