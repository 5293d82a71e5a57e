"""``python bot.py run``: logging with the token redacted, signals, and one line for set-up failures.

Exit codes: 0 closed cleanly; 1 Discord unreachable; 2 set-up problem (missing or rejected token,
a privileged intent not enabled, a bad setting).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Iterable

import aiohttp
import discord

from cogs.bot import SummitBot
from config.settings import Settings
from retrieval.api import SetupError, UserError

log = logging.getLogger("summitbot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_SETUP = 2


async def serve(bot: SummitBot, token: str) -> int:
    """Run ``bot`` until it is closed; a process exit code. Set-up failures are one line on stderr."""
    base = bot.settings.discord.api_base
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        return fail(
            "Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the "
            "developer portal (Bot -> Reset Token)."
        )
    except discord.PrivilegedIntentsRequired:
        return fail(
            "Discord refused the Message Content intent: enable it in the developer portal "
            "(Bot -> Privileged Gateway Intents -> Message Content Intent)."
        )
    except UserError as error:
        return fail(error.message, error.exit_code)
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as error:
        if bot.stopping:
            return EXIT_OK
        return fail(f"cannot reach {base or 'Discord'}: {error}", EXIT_FAILURE)
    except Exception:
        if bot.stopping:  # a stop request interrupted start-up: not an error
            log.debug("Start-up interrupted by a stop request", exc_info=True)
            return EXIT_OK
        raise
    log.info("Closed cleanly")
    return EXIT_OK


def fail(message: str, code: int = EXIT_SETUP) -> int:
    print(f"error: {message}", file=sys.stderr, flush=True)
    return code


class RedactingFormatter(logging.Formatter):
    """Replaces secrets (the bot token) wherever they would appear in a log line or traceback."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("discord", "summitbot"):
        logging.getLogger(name).setLevel(level)


async def _main(settings: Settings, token: str) -> int:
    bot = SummitBot(settings=settings)
    install_stop_signals(asyncio.get_running_loop(), bot)
    return await serve(bot, token)


def install_stop_signals(loop: asyncio.AbstractEventLoop, bot: SummitBot) -> None:
    """SIGINT/SIGTERM ask the bot to finish and close. Where the loop cannot watch signals
    (Windows), ``signal.signal`` hands them to the loop thread-safely instead."""

    def handler(signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(bot.request_stop, signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, bot.request_stop, sig.name)
        except (NotImplementedError, RuntimeError):
            signal.signal(sig, handler)


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    bot = SummitBot(settings=settings, sync_only=True, sync_guild=guild_id)
    try:
        async with bot:
            await bot.login(token)  # runs setup_hook: loads the cogs and syncs
    except discord.LoginFailure:
        return fail("Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again.")
    except (aiohttp.ClientConnectionError, discord.HTTPException) as error:
        return fail(f"the sync failed: {error}", EXIT_FAILURE)
    scope = (
        f"server {guild_id or settings.discord.guild_id}"
        if guild_id or settings.discord.guild_id
        else "global"
    )
    print(f"Synced {bot.synced or 0} commands ({scope})", flush=True)
    return EXIT_OK


def run_sync(settings: Settings, guild_id: int | None = None) -> int:
    """``python bot.py sync [--guild ID]``: sync the commands now (whether or not they changed),
    without loading the model or connecting to the gateway."""
    token = settings.discord.token
    if not token:
        return fail("DISCORD_TOKEN is not set: put the bot token in the environment or in .env.")
    setup_logging(settings.discord.log_level, [token])
    try:
        return asyncio.run(_sync(settings, token, guild_id))
    except KeyboardInterrupt:
        return 130


def run_bot(settings: Settings) -> int:
    """``python bot.py run``: start the bot, return the process exit code (2: missing/rejected token)."""
    token = settings.discord.token
    if not token:
        return fail(
            "DISCORD_TOKEN is not set: put the bot token in the environment or in .env "
            "(see .env.example), or use `python bot.py chat` for the console."
        )
    setup_logging(settings.discord.log_level, [token])
    try:
        return asyncio.run(_main(settings, token))
    except SetupError as error:
        return fail(error.message, error.exit_code)
    except KeyboardInterrupt:
        return 130
