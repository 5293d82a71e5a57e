"""The Discord bot: a ``commands.Bot`` around the answering service.

Start-up order: log in (``GET /users/@me``, ``GET /oauth2/applications/@me``) -> ``setup_hook``:
load the model and the index in a worker thread, load the cogs as extensions (each cog module
ends in ``async def setup(bot)``), sync the slash commands, and, when ``DISCORD_API_BASE`` is set,
ask that base for the gateway URL -> connect to the gateway. ``cogs/launcher.py`` runs it.

``DISCORD_API_BASE`` points every REST call (interaction callbacks and webhook follow-ups too) at
another server: discord.py builds its URLs from ``discord.http.Route.BASE`` and opens its first
gateway connection to ``DiscordWebSocket.DEFAULT_GATEWAY``; both are class attributes, so they are
set process-wide. After READY, discord.py reconnects to READY's ``resume_gateway_url``.

A gateway event that discord.py cannot parse (a field it expects is missing) would raise out of
its websocket loop and end the client; ``GuardedState`` logs such an event with its traceback and
drops it, so one bad event costs that event only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.state import ConnectionState

from cogs import render
from cogs.common import InFlight, UserCooldown
from cogs.errors import SummitTree
from config.settings import Settings
from retrieval.api import (
    AnsweringService,
    Collection,
    Document,
    FeedbackStore,
    FeedbackUnavailable,
    GuildSettings,
    Topic,
    open_feedback,
    open_service,
)

log = logging.getLogger("summitbot")

API_VERSION_PATH = "/api/v10"
STOP_GRACE = 10.0  # seconds a shutdown waits for answers in progress
# The cogs, loaded as extensions in this order.
EXTENSIONS = (
    "cogs.qa",
    "cogs.topics",
    "cogs.admin",
    "cogs.passages",
    "cogs.feedback",
    "cogs.settings",
    "cogs.context_menu",
)


def invite_permissions() -> discord.Permissions:
    """What the bot needs in a channel: read it, answer in it and in its threads (and start a
    thread per question in answer channels), with embeds."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        read_message_history=True,
    )


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=invite_permissions(), scopes=("bot", "applications.commands")
    )


def intents() -> discord.Intents:
    """Guild events and guild messages, plus Message Content (the one privileged intent: answer
    channels, replies and follow-ups in threads need it; dropped at start-up when the application
    does not have it). Slash commands, the context menu and mentions need none of them."""
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.message_content = True
    return value


def rest_base(api_base: str) -> str:
    """``DISCORD_API_BASE`` as discord.py's REST base: ``/api/v10`` is added when the URL has no
    ``/api/vN`` path of its own (e.g. a rate-limit proxy given as ``http://proxy:8080``)."""
    base = api_base.rstrip("/")
    path = yarl.URL(base).path
    return base if "/api/v" in path else base + API_VERSION_PATH


def load_service(settings: Settings) -> AnsweringService:
    """Runs in a worker thread: imports and loads the model and the index (seconds)."""
    return open_service(settings)


def _guarded(event: str, parser: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse(data: Any) -> None:
        try:
            parser(data)
        except Exception:
            log.exception("Dropped a %s event that could not be parsed (the bot goes on)", event)

    return parse


class GuardedState(ConnectionState["SummitBot"]):
    """discord.py's connection state, with every gateway event parser guarded: an event it
    cannot parse is logged (type and traceback) and dropped instead of ending the client."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsers = {event: _guarded(event, parser) for event, parser in self.parsers.items()}


class SummitBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        service: AnsweringService | None = None,
        feedback: FeedbackStore | None = None,
        sync_only: bool = False,
        sync_guild: int | None = None,
        **options: Any,
    ) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warnings
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: there are no prefix commands
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=SummitTree,
            **options,
        )
        self.settings = settings
        self._service = service
        self.feedback = feedback or open_feedback(settings)  # opened on first use, off the loop
        self.cooldown = UserCooldown(settings.discord.cooldown_rate, settings.discord.cooldown_seconds)
        self.documents: dict[str, Document] = {}
        self.topics: list[Topic] = []
        self.collection: Collection = render.GENERIC
        self.in_flight = InFlight()
        self._guild_configs: dict[int, GuildSettings] = {}
        # `python bot.py sync`: log in, load the cogs, sync (always), never load the model
        self.sync_only = sync_only
        self.sync_guild = sync_guild
        self.synced: int | None = None  # how many commands the last sync sent (None: not synced)
        self.stopping = False
        self._stop_task: asyncio.Task[None] | None = None

    @property
    def service(self) -> AnsweringService:
        if self._service is None:
            raise RuntimeError("The answering service is not loaded yet.")
        return self._service

    def _get_state(self, **options: Any) -> GuardedState:  # type: ignore[override]
        return GuardedState(
            dispatch=self.dispatch, handlers=self._handlers, hooks=self._hooks, http=self.http, **options
        )

    # ------------------------------------------------------------------------------- start-up
    async def login(self, token: str) -> None:
        if self.settings.discord.api_base:
            discord.http.Route.BASE = rest_base(self.settings.discord.api_base)
            log.info("REST calls go to %s", discord.http.Route.BASE)
        await super().login(token)

    async def setup_hook(self) -> None:
        if self.sync_only:
            for extension in EXTENSIONS:
                await self.load_extension(extension)
            await self.sync_commands(force=True, guild_id=self.sync_guild or self.settings.discord.guild_id)
            return
        self.check_content_intent()
        if self._service is None:
            log.info("Loading the model and the index ...")
            self._service = await asyncio.to_thread(load_service, self.settings)
        await self.refresh_catalogue()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands(guild_id=self.settings.discord.guild_id)
        if self.settings.discord.api_base:
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            log.info("Gateway: %s", url)

    def check_content_intent(self) -> None:
        """Without the Message Content intent enabled in the developer portal (the application's
        flags say so), connect without it rather than be refused: slash commands, the context
        menu and mentions work; answer channels and follow-ups in threads do not. Logged once."""
        flags = self.application_flags
        if flags.gateway_message_content or flags.gateway_message_content_limited:
            return
        self._connection._intents.message_content = False
        log.warning(
            "The Message Content intent is not enabled for this application: slash commands, the "
            "Ask SummitBot menu and mentions work, but answer channels and follow-ups in threads need "
            "it (developer portal -> Bot -> Privileged Gateway Intents -> Message Content Intent)."
        )

    async def refresh_catalogue(self) -> None:
        """Cache what embeds need (document titles and dates, topic names, how to name the
        collection) off the event loop; after ``/reindex`` too."""
        service = self.service
        documents, topics, collection = await asyncio.to_thread(
            lambda: (service.documents(), service.topics(), service.collection())
        )
        self.documents = {d.doc_id: d for d in documents}
        self.topics = topics
        self.collection = collection

    async def sync_commands(self, *, force: bool = False, guild_id: int | None = None) -> None:
        """Sync the commands (to one server when ``guild_id``), unless their payload is the one
        synced last time for this application and scope (its SHA-256 is kept in the database).
        ``force`` syncs anyway (`python bot.py sync`)."""
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        scope = f"server {guild_id}" if guild_id else "global"
        key = f"command-sync:{self.application_id}:{guild_id or 'global'}"
        try:
            last = await asyncio.to_thread(self.feedback.get_state, key)
        except FeedbackUnavailable:
            last = None
        if last == digest and not force:
            log.info("Commands unchanged since the last sync (%s): not syncing", scope)
            return
        synced = await self.tree.sync(guild=guild)
        self.synced = len(synced)
        if guild_id:
            log.info("Synced %d commands to server %s", len(synced), guild_id)
        else:
            log.info("Synced %d global commands (they can take a while to appear)", len(synced))
        with contextlib.suppress(FeedbackUnavailable):
            await asyncio.to_thread(self.feedback.set_state, key, digest)

    # ------------------------------------------------------------------------- guild settings
    @property
    def content_intent(self) -> bool:
        """Whether the bot reads message content (answer channels and thread follow-ups need it)."""
        return bool(self.intents.message_content)

    async def guild_config(self, guild_id: int) -> GuildSettings:
        """The guild's answer channels (its own plus SUMMITBOT_ANSWER_CHANNELS) and thread mode,
        read from the database once (in a worker thread) and cached; without the database, the
        environment's channels with threads on."""
        cached = self._guild_configs.get(guild_id)
        if cached is not None:
            return cached
        try:
            stored = await asyncio.to_thread(self.feedback.guild_settings, guild_id)
        except FeedbackUnavailable:
            stored = GuildSettings(frozenset())
        config = GuildSettings(
            stored.answer_channels | set(self.settings.discord.answer_channels), stored.threads
        )
        self._guild_configs[guild_id] = config
        return config

    def forget_guild_config(self, guild_id: int) -> None:
        self._guild_configs.pop(guild_id, None)

    async def on_ready(self) -> None:
        user = self.user
        log.info("Ready as %s (id %s) in %d server(s)", user, user.id if user else "?", len(self.guilds))
        if self.application_id:
            log.info("Invite it to a server with %s", invite_url(self.application_id))

    async def on_resumed(self) -> None:
        log.info("Gateway session resumed")

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the QA cog listens for mentions and replies."""

    # ------------------------------------------------------------------------------- shut-down
    def request_stop(self, reason: str) -> None:
        """SIGINT/SIGTERM: let the answers in progress finish (at most ``STOP_GRACE`` s), then close."""
        if self.stopping:
            return
        log.info("%s received: closing ...", reason)
        self.stopping = True
        self._stop_task = asyncio.create_task(self._finish_and_close())

    async def _finish_and_close(self) -> None:
        if self.in_flight.count:
            log.info("Finishing %d answer(s) in progress ...", self.in_flight.count)
            if not await self.in_flight.wait_idle(STOP_GRACE):
                log.warning("Closing with %d answer(s) unfinished", self.in_flight.count)
        await self.close()
