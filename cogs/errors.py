"""The one error handler. Order of handling (``describe``):

1. ``UserError`` (bad question, unknown topic, paragraph out of range, ...): its own message.
2. Discord-side refusals: cooldown, missing Manage Server, server-only command, bad option value.
3. Anything else is a bug: users get a short apology, the log gets the traceback.

Every user-facing reply is ephemeral for slash commands and buttons, and a reply without pings
for mentions. Exception texts other than ``UserError.message`` are never shown to users. Slash
commands reach it through ``SummitTree.on_error``; the button and the mention handler call the
``report_*`` functions themselves. While the bot shuts down, failures of cut-off answers are
logged in one line instead.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.common import NO_MENTIONS, PUBLIC_DEFER, working
from retrieval.api import UserError

log = logging.getLogger("summitbot.errors")

MISSING_MANAGE_SERVER = "Only members with the **Manage Server** permission can run this command."
GUILD_ONLY = "This command works only in a server."
MENTION_NOTICE_SECONDS = 15.0


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | commands.CommandInvokeError):
        error = error.original
    return error


def describe(error: BaseException) -> tuple[str, bool]:
    """(what to tell the user, whether it is a bug whose traceback belongs in the log)."""
    error = unwrap(error)
    if isinstance(error, UserError):
        return error.message, False
    if isinstance(error, app_commands.CommandOnCooldown):
        return render.cooldown_text(error.retry_after), False
    if isinstance(error, app_commands.MissingPermissions):
        return MISSING_MANAGE_SERVER if "manage_guild" in error.missing_permissions else str(error), False
    if isinstance(error, app_commands.NoPrivateMessage):
        return GUILD_ONLY, False
    if isinstance(error, app_commands.TransformerError):
        return f"That value for `{error.type.name}` is not valid: {render.trim(str(error.value), 100)}", False
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here.", False
    return render.APOLOGY, True


def log_error(error: BaseException, where: str) -> None:
    text, is_bug = describe(error)
    original = unwrap(error)
    if is_bug:
        log.error("Error in %s", where, exc_info=(type(original), original, original.__traceback__))
    else:
        log.info("Refused %s: %s", where, text)


def shutting_down(client: object) -> bool:
    return bool(getattr(client, "stopping", False))


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user ephemerally what went wrong; log it (with its traceback when it is a bug)."""
    where = _interaction_name(interaction)
    if shutting_down(interaction.client) and not isinstance(unwrap(error), UserError):
        log.info("%s was cut off by the shutdown: %s", where, unwrap(error))
        return
    log_error(error, where)
    text, _ = describe(error)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if interaction.extras.get(PUBLIC_DEFER):
            # The visible "thinking…" message would turn the next follow-up public: drop it so
            # that the error reaches only the user who asked.
            interaction.extras[PUBLIC_DEFER] = False
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                await interaction.edit_original_response(content=text, embeds=[], view=None)
                return
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error in %s", where, exc_info=True)


async def report_message_error(
    client: discord.Client, message: discord.Message, error: BaseException
) -> None:
    """The same for a mention or reply: a short reply (no pings) that deletes itself later."""
    if shutting_down(client) and not isinstance(error, UserError):
        log.info("The answer to message %s was cut off by the shutdown: %s", message.id, error)
        return
    log_error(error, f"message {message.id}")
    text, _ = describe(error)
    try:
        await message.reply(
            text, mention_author=False, allowed_mentions=NO_MENTIONS, delete_after=MENTION_NOTICE_SECONDS
        )
    except discord.HTTPException:
        log.warning("Could not reply to message %s about an error", message.id, exc_info=True)


def _interaction_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    data: dict[str, object] = dict(interaction.data or {})
    custom_id = data.get("custom_id")
    return f"component {custom_id}" if custom_id else f"interaction {interaction.id}"


class SummitTree(app_commands.CommandTree):
    """The command tree with the central error handler built in (it stays in place while the bot
    closes, when the cogs are already removed)."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        async with working(interaction.client):
            await report_interaction_error(interaction, error)
