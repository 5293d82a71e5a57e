"""A small fake Discord for end-to-end tests: REST routes and a websocket gateway on 127.0.0.1.

The real discord.py client connects to it through ``DISCORD_API_BASE``. The server runs in its own
thread and event loop, so what it measures (heartbeat gaps above all) is independent of the bot's
event loop; tests drive it from the test thread through a small synchronous API:

- users act: ``slash`` (application commands), ``autocomplete``, ``click`` (buttons),
  ``submit_modal``, ``message_command`` (message context menu, with the resolved message),
  ``say`` (messages, mentions, replies; in a channel or a thread);
- strict where Discord is (discord/discord-api-docs): an interaction not acknowledged within
  3 s gets 10062 Unknown interaction; content over 2,000 characters, embeds over their limits,
  custom_ids over 100 characters, thread names over 100 and empty messages get 400 / 50035; the
  first follow-up after a deferred reply edits the "thinking…" message and keeps its visibility;
  the bot's own channel messages come back as MESSAGE_CREATE; message content is empty when the
  Message Content intent was not granted (except mentions of the bot and its own messages);
  ``rate_limit`` makes a route answer 429 with the rate-limit headers; threads start from a
  message (THREAD_CREATE) and keep their own history (``GET /channels/{id}/messages``);
- the gateway can be dropped and held, so events queue up and are replayed on RESUME;
- faults: ``send_op`` (op 7 RECONNECT, op 9 INVALIDATE_SESSION, ...), ``drop_gateway`` with any
  close code, ``drop_tcp`` (no close frame), ``dispatch`` of any event (unknown ones too),
  ``slash(..., without=...)`` for an event missing fields, and ``fail_callbacks`` to answer the
  next interaction callbacks with a 429, a 5xx or after a delay (``faults`` records them);
- everything the bot sends is recorded (``sent``): interaction callbacks, webhook follow-ups,
  edits, channel messages, each with its ``allowed_mentions`` and the pings Discord would make.

Only what the bot calls is implemented. Facts it relies on: discord.py parses a JSON body only when
Content-Type is exactly ``application/json``; INTERACTION_CREATE needs ``attachment_size_limit``;
member objects need ``flags``; plain-text gateway frames work although the client asks for zlib.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

T = TypeVar("T")
JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MANAGE_GUILD = 1 << 5
MESSAGE_CONTENT = 1 << 15  # the privileged intent
ALL_PERMISSIONS = (1 << 50) - 1
MEMBER_PERMISSIONS = 0x0000_0000_0006_4C40  # view, send, embed, attach, read history, ...
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")
ACK_DEADLINE = 3.0  # seconds Discord waits for the first response to an interaction
CONTENT_LIMIT = 2000
CUSTOM_ID_LIMIT = 100
THREAD_NAME_LIMIT = 100
EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256}
FIELD_LIMITS = {"name": 256, "value": 1024}
MAX_FIELDS = 25
EMBED_TOTAL = 6000
MAX_EMBEDS = 10
_WEBHOOK = re.compile(r"^/webhooks/(\d+)/([^/]+)(/messages/(@original|\d+))?$")


def form_error(errors: JSON) -> web.Response:
    """Discord's 400 for a body it will not take: 50035 Invalid Form Body with the field errors."""
    return json_response({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)


def message_problems(body: JSON, *, allow_empty: bool = False) -> JSON:
    """What Discord would reject in a message body (an empty dict when it is fine)."""
    errors: JSON = {}
    content = body.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        errors["content"] = f"Must be {CONTENT_LIMIT} or fewer in length."
    embeds = body.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        errors["embeds"] = f"Must be {MAX_EMBEDS} or fewer in length."
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            value = e.get(key)
            text = value.get("text") or value.get("name") or "" if isinstance(value, dict) else value or ""
            total += len(text)
            if len(text) > limit:
                errors[f"embeds.{i}.{key}"] = f"Must be {limit} or fewer in length."
        fields = e.get("fields") or []
        if len(fields) > MAX_FIELDS:
            errors[f"embeds.{i}.fields"] = f"Must be {MAX_FIELDS} or fewer in length."
        for j, f in enumerate(fields):
            for key, limit in FIELD_LIMITS.items():
                text = str(f.get(key) or "")
                total += len(text)
                if not text:
                    errors[f"embeds.{i}.fields.{j}.{key}"] = "This field is required"
                elif len(text) > limit:
                    errors[f"embeds.{i}.fields.{j}.{key}"] = f"Must be {limit} or fewer in length."
    if total > EMBED_TOTAL:
        errors["embeds"] = f"Embed size exceeds maximum size of {EMBED_TOTAL}"
    for row in body.get("components") or []:
        for c in row.get("components", []):
            if len(str(c.get("custom_id") or "")) > CUSTOM_ID_LIMIT:
                errors["components"] = f"custom_id must be {CUSTOM_ID_LIMIT} or fewer in length."
    has_something = (
        content or embeds or body.get("components") or body.get("attachments") or body.get("sticker_ids")
    )
    if not has_something and not allow_empty:
        errors["content"] = "Cannot send an empty message"
    return errors


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Not web.json_response: discord.py wants the Content-Type exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def pings(content: str, allowed: JSON | None, replied_author: int | None) -> list[str]:
    """Whom Discord would notify for a message with this content and ``allowed_mentions``
    (embeds never ping). Without ``allowed_mentions`` everything in the content pings, and a
    reply pings the replied-to author."""
    parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
    users = {str(u) for u in allowed.get("users", [])} if allowed is not None else set()
    roles = {str(r) for r in allowed.get("roles", [])} if allowed is not None else set()
    out: list[str] = []
    if "everyone" in parse:
        out += [f"@{m}" for m in _EVERYONE.findall(content)]
    out += [f"user:{u}" for u in _USER_MENTION.findall(content) if "users" in parse or u in users]
    out += [f"role:{r}" for r in _ROLE_MENTION.findall(content) if "roles" in parse or r in roles]
    if replied_author is not None and (allowed is None or allowed.get("replied_user")):
        out.append(f"user:{replied_author}")
    return out


@dataclass
class Sent:
    """Something the bot sent: an interaction callback, a follow-up, an edit, a channel message."""

    kind: str  # "callback" | "followup" | "edit" | "delete" | "message" | "typing" | "message_delete"
    path: str
    body: JSON
    at: float
    token: str | None = None  # interaction token (callbacks, follow-ups, edits)
    channel_id: int | None = None
    message: JSON | None = None  # the message it created or edited
    pings: list[str] = field(default_factory=list)

    @property
    def callback_type(self) -> int | None:
        return self.body.get("type") if self.kind == "callback" else None

    @property
    def data(self) -> JSON:
        """The message fields (content, embeds, flags, allowed_mentions, components)."""
        return self.body.get("data") or {} if self.kind == "callback" else self.body

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds") or [])

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def ephemeral(self) -> bool:
        return bool((self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def allowed_mentions(self) -> JSON | None:
        return self.data.get("allowed_mentions")

    @property
    def has_message(self) -> bool:
        """Carries something a user reads (not a bare defer, typing or autocomplete)."""
        if self.kind == "callback" and self.callback_type not in (4, 7):
            return False
        return self.kind in ("callback", "followup", "edit", "message") and bool(self.content or self.embeds)

    def custom_ids(self) -> list[str]:
        return [
            c.get("custom_id", "")
            for row in self.data.get("components") or []
            for c in row.get("components", [])
        ]


@dataclass
class Interaction:
    id: int
    token: str
    name: str
    user_id: int
    created: float = field(default_factory=time.monotonic)
    channel_id: int = 0
    deferred_flags: int | None = None  # the defer's flags while "thinking…" is shown
    source_message: JSON | None = None  # the message a component sits on
    original_id: int | None = None  # the message the callback created


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    number: int
    query: dict[str, str]
    request: web.Request | None = None
    heartbeats: list[float] = field(default_factory=list)


@dataclass
class _Session:
    id: str
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    resumable: bool = True


@dataclass(frozen=True)
class CallbackFault:
    """How the fake answers one interaction callback: ``status`` (429: rate limited, with
    ``retry_after``; 5xx: a server error) or, with status 0, a normal answer after ``delay`` s."""

    status: int = 0
    delay: float = 0.0
    retry_after: float = 0.2


RATE_LIMITED = CallbackFault(status=429)
SERVER_ERROR = CallbackFault(status=500)


def slow(seconds: float) -> CallbackFault:
    return CallbackFault(delay=seconds)


class FakeDiscord:
    """``with FakeDiscord(token=...) as fake:`` serves on a random 127.0.0.1 port."""

    def __init__(
        self,
        *,
        token: str,
        heartbeat_interval: float = 0.25,
        message_content_enabled: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        assert host == "127.0.0.1", "the fake Discord listens on loopback only"
        self.token = token
        self.message_content_enabled = message_content_enabled  # the portal's privileged-intent switch
        self.host = host
        self.heartbeat_interval = heartbeat_interval
        self.port = 0
        self._ids = itertools.count(1)
        self.app_id = self.snowflake()
        self.bot_id = self.app_id
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.thread_id = self.snowflake()
        self.bot_role_id = self.snowflake()
        self.bot_user: JSON = self._user(self.bot_id, "SummitBot", bot=True)
        self.users: dict[int, JSON] = {}
        # recordings (appended on the server thread, read on the test thread)
        self._cond = threading.Condition()
        self.sent: list[Sent] = []
        self.requests: list[tuple[str, str]] = []
        self.unhandled: list[tuple[str, str]] = []
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self.connections: list[_Connection] = []
        self.commands: dict[str, JSON] = {}
        self.command_scope: str | None = None  # "global" or "guild"
        self.messages: dict[int, JSON] = {}
        self.interactions: dict[str, Interaction] = {}
        self._callback_faults: list[CallbackFault] = []
        self.faults: list[tuple[CallbackFault, str]] = []  # faults served, with the request path
        self.threads: dict[int, JSON] = {}  # threads started through the API, by id
        self.rate_limits: list[tuple[str, re.Pattern[str], float]] = []  # (method, path, retry_after)
        self.rate_limited: list[tuple[str, str]] = []  # the requests that got a 429
        self.rejected: list[tuple[str, str, JSON]] = []  # requests refused with 400 (and why)
        self.modals: dict[str, JSON] = {}  # interaction token -> the modal the bot opened
        self.late: list[Interaction] = []  # interactions whose first response came after 3 s
        # gateway state (server thread only)
        self._session: _Session | None = None
        self._live: _Connection | None = None
        self._hold: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None

    # ---------------------------------------------------------------------------------- lifecycle
    def __enter__(self) -> FakeDiscord:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve_forever, name="fake-discord", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fake Discord did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _serve_forever(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._hold = asyncio.Event()
        self._hold.set()
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/{version}/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._started.set()
        await self._stop.wait()
        for conn in list(self.connections):
            if not conn.ws.closed:
                await conn.ws.close(code=1001)
        await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    def _call(self, fn: Callable[[], T], timeout: float = 10) -> T:
        """Run ``fn`` on the server thread and return its result."""
        assert self._loop is not None

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    # ------------------------------------------------------------------------------------- ids
    def snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._ids) & 0x3FFFFF)

    @staticmethod
    def _user(uid: int, name: str, *, bot: bool = False) -> JSON:
        return {
            "id": str(uid),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": bot,
            "flags": 0,
            "public_flags": 0,
        }

    def new_user(self, name: str | None = None, *, bot: bool = False) -> JSON:
        uid = self.snowflake()
        user = self._user(uid, name or f"user{len(self.users) + 1}", bot=bot)
        self.users[uid] = user
        return user

    def _member(self, user: JSON, permissions: int | None = None, roles: list[int] | None = None) -> JSON:
        member: JSON = {
            "user": user,
            "roles": [str(r) for r in roles or []],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    # ---------------------------------------------------------------------------------- guild data
    def _text_channel(self) -> JSON:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }

    def _thread_channel(self) -> JSON:
        return {
            "id": str(self.thread_id),
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.channel_id),
            "owner_id": str(next(iter(self.users), self.bot_id)),
            "name": "summit questions",
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }

    def _channel(self, channel_id: int) -> JSON:
        if channel_id in self.threads:
            return self.threads[channel_id]
        return self._thread_channel() if channel_id == self.thread_id else self._text_channel()

    @property
    def content_granted(self) -> bool:
        """Whether the live session identified with the Message Content intent (and the portal
        allows it)."""
        intents = self.identifies[-1].get("intents", 0) if self.identifies else 0
        return bool(intents & MESSAGE_CONTENT) and self.message_content_enabled

    def _guild(self) -> JSON:
        everyone = {"id": str(self.guild_id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS)}
        bot_role = {
            "id": str(self.bot_role_id),
            "name": "SummitBot",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 1,
            "managed": True,
            "tags": {"bot_id": str(self.bot_id)},
        }
        return {
            "id": str(self.guild_id),
            "name": "Summit Watchers",
            "unavailable": False,
            "owner_id": str(self.snowflake()),
            "member_count": 3,
            "large": False,
            "joined_at": now_iso(),
            "features": [],
            "roles": [everyone, bot_role],
            "emojis": [],
            "stickers": [],
            "channels": [self._text_channel()],
            "threads": [self._thread_channel()],
            "members": [self._member(self.bot_user, roles=[self.bot_role_id])],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "preferred_locale": "en-US",
        }

    # ------------------------------------------------------------------------------------ gateway
    async def _send(self, conn: _Connection, payload: JSON) -> None:
        if not conn.ws.closed:
            await conn.ws.send_str(json.dumps(payload))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        assert self._hold is not None
        await self._hold.wait()  # a held gateway accepts the connection but says nothing yet
        conn = _Connection(ws, len(self.connections) + 1, dict(request.query), request)
        with self._cond:
            self.connections.append(conn)
            self._cond.notify_all()
        await self._send(conn, {"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_gateway_message(conn, json.loads(msg.data))
        finally:
            if self._live is conn:
                self._live = None
        return ws

    async def _on_gateway_message(self, conn: _Connection, payload: JSON) -> None:
        op, d = payload.get("op"), payload.get("d")
        if op == 1:
            with self._cond:
                conn.heartbeats.append(time.monotonic())
                self._cond.notify_all()
            await self._send(conn, {"op": 11})
        elif op == 2:
            if d.get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            with self._cond:
                self.identifies.append(d)
                self._cond.notify_all()
            if d.get("intents", 0) & MESSAGE_CONTENT and not self.message_content_enabled:
                await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            self._session = _Session(id=f"session-{self.snowflake()}")
            self._live = conn
            await self._dispatch_now(
                "READY",
                {
                    "v": 10,
                    "user": self.bot_user,
                    "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                    "session_id": self._session.id,
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(self.app_id), "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                },
            )
            await self._dispatch_now("GUILD_CREATE", self._guild())
        elif op == 6:
            session = self._session
            if (
                d.get("token") != self.token
                or session is None
                or not session.resumable
                or d.get("session_id") != session.id
            ):
                await self._send(conn, {"op": 9, "d": False})
                return
            with self._cond:
                self.resumes.append(d)
                self._cond.notify_all()
            self._live = conn
            last = d.get("seq") or 0
            for event in session.events:
                if event["s"] > last:
                    await self._send(conn, event)
            await self._dispatch_now("RESUMED", {})

    def _as_received(self, message: JSON) -> JSON:
        """A MESSAGE_CREATE as the bot receives it: without the Message Content intent, content,
        embeds, attachments and components are empty unless the message mentions the bot (a
        reply that pings it does) or is the bot's own."""
        if self.content_granted:
            return message
        own = str(message.get("author", {}).get("id")) == str(self.bot_id)
        mentions_me = any(str(u.get("id")) == str(self.bot_id) for u in message.get("mentions") or [])
        if own or mentions_me:
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _dispatch_now(self, event: str, data: JSON) -> int:
        session = self._session
        assert session is not None, "no gateway session yet"
        if event == "MESSAGE_CREATE":
            data = self._as_received(data)
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(payload)
        if self._live is not None:
            await self._send(self._live, payload)
        return session.seq

    def dispatch(self, event: str, data: JSON) -> int:
        """Send a gateway event; while the gateway is down it is queued for the RESUME replay."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._dispatch_now(event, data), self._loop).result(10)

    def drop_gateway(self, *, code: int = 4000, hold: bool = False) -> None:
        """Close the live gateway connection (a resumable close code by default). With ``hold``,
        reconnections wait (HELLO is not sent) until ``release_gateway``."""

        async def drop() -> None:
            assert self._hold is not None
            if hold:
                self._hold.clear()
            live, self._live = self._live, None
            if live is not None:
                await live.ws.close(code=code, message=b"fake gateway drop")

        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def send_op(self, op: int, d: Any = None) -> None:
        """Send a raw gateway payload (e.g. op 7 RECONNECT, op 9 INVALIDATE_SESSION) on the live
        connection. Op 9 with ``d`` false also ends the session: a RESUME of it is refused."""

        async def send() -> None:
            if op == 9 and not d and self._session is not None:
                self._session.resumable = False
            if self._live is not None:
                await self._send(self._live, {"op": op, "d": d})

        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)

    def drop_tcp(self) -> None:
        """Cut the live gateway connection without a close frame, as a dead network does."""

        async def drop() -> None:
            live, self._live = self._live, None
            if live is not None and live.request is not None and live.request.transport is not None:
                live.request.transport.abort()

        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def fail_callbacks(self, *faults: CallbackFault) -> None:
        """Answer the next interaction callbacks with these faults, one each, in order."""
        with self._cond:
            self._callback_faults.extend(faults)

    def release_gateway(self) -> None:
        assert self._loop is not None and self._hold is not None
        self._loop.call_soon_threadsafe(self._hold.set)

    @property
    def live(self) -> bool:
        return self._live is not None

    # ------------------------------------------------------------------------------ user actions
    def _interaction(
        self,
        itype: int,
        data: JSON,
        user: JSON,
        permissions: int,
        channel_id: int | None,
        message: JSON | None = None,
        without: tuple[str, ...] = (),
    ) -> Interaction:
        channel_id = channel_id or self.channel_id
        iid = self.snowflake()
        token = f"itoken-{iid}"
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self._channel(channel_id),
            "member": self._member(user, permissions),
            "token": token,
            "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        for dotted in without:  # a malformed event: drop fields discord.py expects
            *parents, last = dotted.split(".")
            target = payload
            for key in parents:
                target = target[key]
            target.pop(last, None)
        name = str(data.get("name") or data.get("custom_id"))
        interaction = Interaction(
            iid, token, name, int(user["id"]), channel_id=channel_id, source_message=message
        )
        with self._cond:
            self.interactions[token] = interaction
        self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _command_data(self, name: str, options: dict[str, Any], focused: str | None = None) -> JSON:
        command = self.commands.get(name)
        types = {o["name"]: o["type"] for o in (command or {}).get("options", [])}
        data: JSON = {
            "id": command["id"] if command else str(self.snowflake()),
            "name": name,
            "type": 1,
            "options": [
                {
                    "name": k,
                    "type": types.get(k, 3),
                    "value": v,
                    **({"focused": True} if k == focused else {}),
                }
                for k, v in options.items()
            ],
        }
        if self.command_scope == "guild":
            data["guild_id"] = str(self.guild_id)
        return data

    def slash(
        self,
        name: str,
        *,
        user: JSON,
        permissions: int = MEMBER_PERMISSIONS,
        channel_id: int | None = None,
        without: tuple[str, ...] = (),
        **options: Any,
    ) -> Interaction:
        """A user runs ``/name option:value ...``; ``without`` names fields (dotted paths, e.g.
        ``member.flags``) to leave out of the INTERACTION_CREATE event."""
        data = self._command_data(name, options)
        return self._interaction(2, data, user, permissions, channel_id, without=without)

    def subcommand(
        self,
        path: str,
        *,
        user: JSON,
        permissions: int = MEMBER_PERMISSIONS,
        channel_id: int | None = None,
        **options: Any,
    ) -> Interaction:
        """A user runs a subcommand, e.g. ``subcommand("settings answer-channel add")``: the
        options nest as Discord nests them (subcommand groups type 2, subcommands type 1)."""
        name, *parts = path.split()
        leaf: list[JSON] = [
            {"name": k, "type": 3 if isinstance(v, str) else 4, "value": v} for k, v in options.items()
        ]
        for i, part in reversed(list(enumerate(parts))):
            leaf = [{"name": part, "type": 1 if i == len(parts) - 1 else 2, "options": leaf}]
        data = self._command_data(name, {})
        data["options"] = leaf
        interaction = self._interaction(2, data, user, permissions, channel_id)
        interaction.name = path
        return interaction

    def autocomplete(self, name: str, option: str, typed: str, *, user: JSON, **others: Any) -> Interaction:
        data = self._command_data(name, {**others, option: typed}, focused=option)
        return self._interaction(4, data, user, MEMBER_PERMISSIONS, None)

    def click(self, message: JSON, custom_id: str, *, user: JSON) -> Interaction:
        """A user presses the button ``custom_id`` on ``message`` (as the bot sent it)."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(message.get("channel_id") or self.channel_id)
        return self._interaction(3, data, user, MEMBER_PERMISSIONS, channel_id, message=message)

    def wait_modal(self, interaction: Interaction, timeout: float = 10.0) -> JSON:
        """The modal the bot opened in response to ``interaction`` (callback type 9)."""
        return self.wait_for(lambda: self.modals.get(interaction.token), timeout, "a modal")

    def submit_modal(
        self, modal: JSON, values: list[str], *, user: JSON, message: JSON | None = None
    ) -> Interaction:
        """A user submits ``modal`` (as the bot sent it) with one value per text input, in order;
        the components come back in the modal's own layout (action rows or labels)."""
        remaining = list(values)

        def answer(component: JSON) -> JSON:
            if component.get("type") == 4:
                return {
                    "type": 4,
                    "custom_id": component["custom_id"],
                    "value": remaining.pop(0) if remaining else "",
                }
            if component.get("type") == 18:  # a label holds one component
                return {"type": 18, "component": answer(component["component"])}
            return {
                "type": component.get("type", 1),
                "components": [answer(c) for c in component.get("components", [])],
            }

        data = {
            "custom_id": modal["custom_id"],
            "components": [answer(c) for c in modal.get("components", [])],
        }
        channel_id = int(message["channel_id"]) if message else None
        return self._interaction(5, data, user, MEMBER_PERMISSIONS, channel_id, message=message)

    def message_command(self, name: str, target: JSON, *, user: JSON) -> Interaction:
        """A user picks the message context-menu command ``name`` on ``target`` (resolved in full,
        content included: Discord sends it without the Message Content intent)."""
        command = self.commands.get(name)
        data: JSON = {
            "id": command["id"] if command else str(self.snowflake()),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if self.command_scope == "guild":
            data["guild_id"] = str(self.guild_id)
        channel_id = int(target["channel_id"])
        return self._interaction(2, data, user, MEMBER_PERMISSIONS, channel_id)

    def say(
        self,
        content: str,
        *,
        user: JSON,
        channel_id: int | None = None,
        reply_to: JSON | None = None,
        ping_reply: bool = True,
        **extra: Any,
    ) -> JSON:
        """A user posts a message (optionally a reply to ``reply_to``); MESSAGE_CREATE is sent.
        ``extra`` fields go into the message as they are (e.g. ``webhook_id``)."""
        channel_id = channel_id or self.channel_id
        mentioned = {u for u in _USER_MENTION.findall(content)}
        mentions = [self.bot_user if int(u) == self.bot_id else self.users.get(int(u)) for u in mentioned]
        message = self._message(
            channel_id, user, content, member=self._member(user, MEMBER_PERMISSIONS), **extra
        )
        message["mentions"] = [m for m in mentions if m]
        message["mention_roles"] = _ROLE_MENTION.findall(content)
        message["mention_everyone"] = bool(_EVERYONE.search(content))
        if reply_to is not None:
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                "guild_id": str(self.guild_id),
            }
            message["referenced_message"] = reply_to
            if ping_reply and reply_to.get("author") and reply_to["author"] not in message["mentions"]:
                message["mentions"].append(reply_to["author"])
        with self._cond:
            self.messages[int(message["id"])] = message
        self.dispatch("MESSAGE_CREATE", message)
        return message

    def _message(self, channel_id: int, author: JSON, content: str, **extra: Any) -> JSON:
        mid = self.snowflake()
        message: JSON = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        message.update(extra)
        return message

    # --------------------------------------------------------------------------------------- REST
    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _body(self, request: web.Request) -> JSON:
        if not request.can_read_body:
            return {}
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(raw) if isinstance(raw, str) else {}
        text = await request.text()
        return json.loads(text) if text else {}

    def _record(self, sent: Sent) -> None:
        with self._cond:
            self.sent.append(sent)
            self._cond.notify_all()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        with self._cond:
            self.requests.append((method, path))
        body = await self._body(request)
        route = (method, path)

        match = _WEBHOOK.match(path)
        if match or path.startswith("/interactions/"):
            return await self._interaction_routes(request, method, path, body, match)
        if not self._authorised(request):
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        limited = self._rate_limited(method, path)
        if limited is not None:
            return limited
        if route == ("GET", "/gateway/bot"):
            return json_response(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if route == ("GET", "/users/@me"):
            return json_response(self.bot_user)
        if route == ("GET", "/oauth2/applications/@me"):
            return json_response(
                {
                    "id": str(self.app_id),
                    "name": "SummitBot",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "owner": self._user(self.snowflake(), "owner"),
                    "verify_key": "0" * 64,
                    # GATEWAY_MESSAGE_CONTENT_LIMITED: the portal's Message Content switch is on
                    "flags": (1 << 19) if self.message_content_enabled else 0,
                }
            )
        if method == "PUT" and re.fullmatch(rf"/applications/{self.app_id}(/guilds/\d+)?/commands", path):
            return self._sync_commands(path, body)
        if (m := re.fullmatch(r"/channels/(\d+)/messages", path)) and method == "POST":
            return self._channel_message(int(m.group(1)), body, path)
        if (m := re.fullmatch(r"/channels/(\d+)/messages", path)) and method == "GET":
            return self._history(int(m.group(1)), request.query)
        if (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)) and method == "POST":
            return self._start_thread(int(m.group(1)), int(m.group(2)), body, path)
        if (m := re.fullmatch(r"/channels/(\d+)", path)) and method == "GET":
            return json_response(self._channel(int(m.group(1))))
        if m := re.fullmatch(r"/channels/(\d+)/typing", path):
            self._record(Sent("typing", path, {}, time.monotonic(), channel_id=int(m.group(1))))
            return web.Response(status=204)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path):
            mid = int(m.group(2))
            if method == "DELETE":
                self._record(Sent("message_delete", path, {}, time.monotonic(), channel_id=int(m.group(1))))
                self.messages.pop(mid, None)
                return web.Response(status=204)
            if method == "GET" and mid in self.messages:
                return json_response(self.messages[mid])
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        with self._cond:
            self.unhandled.append(route)
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    def _sync_commands(self, path: str, body: Any) -> web.Response:
        commands = []
        for spec in body:
            command = {
                **spec,
                "id": str(self.snowflake()),
                "application_id": str(self.app_id),
                "version": str(self.snowflake()),
                "default_member_permissions": (
                    None
                    if spec.get("default_member_permissions") is None
                    else str(spec["default_member_permissions"])
                ),
                "type": spec.get("type", 1),
                "description": spec.get("description") or "",  # "" for context-menu commands
            }
            if "/guilds/" in path:
                command["guild_id"] = str(self.guild_id)
            commands.append(command)
        with self._cond:
            self.commands = {c["name"]: c for c in commands}
            self.command_scope = "guild" if "/guilds/" in path else "global"
            self._cond.notify_all()
        return json_response(commands)

    def rate_limit(self, method: str, path_pattern: str, retry_after: float = 0.3) -> None:
        """The next request matching ``method`` and ``path_pattern`` (a regex over the path after
        /api/v10) answers 429 with Discord's rate-limit headers, once."""
        with self._cond:
            self.rate_limits.append((method, re.compile(path_pattern), retry_after))

    def _rate_limited(self, method: str, path: str) -> web.Response | None:
        with self._cond:
            hit = next((r for r in self.rate_limits if r[0] == method and r[1].fullmatch(path)), None)
            if hit is None:
                return None
            self.rate_limits.remove(hit)
            self.rate_limited.append((method, path))
        retry_after = hit[2]
        headers = {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": "fake-bucket-" + re.sub(r"\d+", "id", path).strip("/").replace("/", "-"),
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",  # Discord's 429s carry it; without it discord.py assumes a ban
            "Retry-After": str(max(1, round(retry_after))),
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        return json_response(body, status=429, headers=headers)

    def _reject(self, method: str, path: str, errors: JSON) -> web.Response:
        with self._cond:
            self.rejected.append((method, path, errors))
            self._cond.notify_all()
        if list(errors.values()) == ["Cannot send an empty message"]:
            return json_response({"message": "Cannot send an empty message", "code": 50006}, status=400)
        return form_error(errors)

    def _history(self, channel_id: int, query: Any) -> web.Response:
        """``GET /channels/{id}/messages``: newest first, ``limit`` (1-100, default 50), ``before``."""
        limit = max(1, min(100, int(query.get("limit", 50))))
        before = int(query["before"]) if query.get("before") else None
        with self._cond:
            found = [
                m
                for mid, m in self.messages.items()
                if int(m["channel_id"]) == channel_id and (before is None or mid < before)
            ]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return json_response([self._as_received(m) for m in found[:limit]])

    def _start_thread(self, channel_id: int, message_id: int, body: JSON, path: str) -> web.Response:
        """Start a thread from a message: the thread's id is the message's; THREAD_CREATE follows."""
        name = str(body.get("name") or "")
        if not name or len(name) > THREAD_NAME_LIMIT:
            return self._reject(
                "POST", path, {"name": f"Must be between 1 and {THREAD_NAME_LIMIT} in length."}
            )
        starter = self.messages.get(message_id)
        if starter is None or int(starter["channel_id"]) != channel_id:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        if message_id in self.threads:
            return json_response(
                {"message": "A thread has already been created for this message", "code": 160004}, status=400
            )
        thread = {
            **self._thread_channel(),
            "id": str(message_id),
            "parent_id": str(channel_id),
            "owner_id": str(self.bot_id),
            "name": name,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": now_iso(),
                "locked": False,
                "create_timestamp": now_iso(),
            },
        }
        with self._cond:
            self.threads[message_id] = thread
            starter["thread"] = thread
            self._cond.notify_all()
        self._record(Sent("thread", path, body, time.monotonic(), channel_id=channel_id, message=thread))
        self._echo("THREAD_CREATE", {**thread, "newly_created": True})
        return json_response(thread)

    def _echo(self, event: str, data: JSON) -> None:
        """Dispatch an event caused by a REST call (on the server loop, after the response)."""
        if self._session is not None:
            asyncio.get_running_loop().create_task(self._dispatch_now(event, data))

    def _channel_message(self, channel_id: int, body: JSON, path: str) -> web.Response:
        if problems := message_problems(body):
            return self._reject("POST", path, problems)
        ref = body.get("message_reference") or {}
        replied = self.messages.get(int(ref["message_id"])) if ref.get("message_id") else None
        message = self._message(
            channel_id,
            self.bot_user,
            body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            flags=body.get("flags") or 0,
        )
        if ref:
            message["type"] = 19
            message["message_reference"] = {**ref, "guild_id": str(self.guild_id)}
            message["referenced_message"] = replied
        replied_author = int(replied["author"]["id"]) if replied else None
        self.messages[int(message["id"])] = message
        self._echo("MESSAGE_CREATE", message)
        self._record(
            Sent(
                "message",
                path,
                body,
                time.monotonic(),
                channel_id=channel_id,
                message=message,
                pings=pings(message["content"], body.get("allowed_mentions"), replied_author),
            )
        )
        return json_response(message)

    async def _interaction_routes(
        self, request: web.Request, method: str, path: str, body: JSON, match: re.Match[str] | None
    ) -> web.Response:
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            if method != "POST":
                return json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
            with self._cond:
                fault = self._callback_faults.pop(0) if self._callback_faults else None
                if fault is not None:
                    self.faults.append((fault, path))
                    self._cond.notify_all()
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.status == 429:
                return json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": fault.retry_after,
                        "global": False,
                    },
                    status=429,
                    headers={
                        "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
                        "Retry-After": str(fault.retry_after),
                        "X-RateLimit-Scope": "user",
                    },
                )
            if fault is not None and fault.status:
                return json_response(
                    {"message": "500: Internal Server Error", "code": 0}, status=fault.status
                )
            return self._callback(int(m.group(1)), m.group(2), body, path)
        assert match is not None
        app_id, token, _, which = match.groups()
        interaction = self.interactions.get(token)
        if int(app_id) != self.app_id or interaction is None:
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        channel_id = interaction.channel_id or self.channel_id
        if which is None and method == "POST":
            if problems := message_problems(body):
                return self._reject(method, path, problems)
            if interaction.deferred_flags is not None and interaction.original_id is not None:
                # The first follow-up after a deferred reply edits the "thinking…" message and keeps
                # the defer's visibility, whatever flags it asks for.
                flags = interaction.deferred_flags
                interaction.deferred_flags = None
                message = self._bot_message(
                    channel_id, {**body, "flags": flags}, interaction, message_id=interaction.original_id
                )
            else:
                message = self._bot_message(channel_id, body, interaction)
            self._record(self._sent("followup", path, body, token, message))
            if not message["flags"] & EPHEMERAL:
                self._echo("MESSAGE_CREATE", message)
            if request.query.get("wait") in ("1", "true", "True"):
                return json_response(message)
            return web.Response(status=204)
        if which == "@original" and method == "PATCH":
            if problems := message_problems(body, allow_empty=True):
                return self._reject(method, path, problems)
            flags = (
                interaction.deferred_flags if interaction.deferred_flags is not None else body.get("flags")
            )
            interaction.deferred_flags = None
            message = self._bot_message(
                channel_id, {**body, "flags": flags or 0}, interaction, message_id=interaction.original_id
            )
            self._record(self._sent("edit", path, body, token, message))
            return json_response(message)
        if which == "@original" and method == "DELETE":
            self._record(Sent("delete", path, {}, time.monotonic(), token=token))
            return web.Response(status=204)
        if which == "@original" and method == "GET":
            original = self.messages.get(interaction.original_id or 0)
            return json_response(original or self._bot_message(channel_id, {}, interaction))
        with self._cond:
            self.unhandled.append((method, path))
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    def _bot_message(
        self, channel_id: int, data: JSON, interaction: Interaction, *, message_id: int | None = None
    ) -> JSON:
        message = self._message(
            channel_id,
            self.bot_user,
            data.get("content") or "",
            embeds=data.get("embeds") or [],
            components=data.get("components") or [],
            flags=data.get("flags") or 0,
            webhook_id=str(self.app_id),
            application_id=str(self.app_id),
            interaction_metadata={
                "id": str(interaction.id),
                "type": 2,
                "user": self.users.get(interaction.user_id) or self._user(interaction.user_id, "someone"),
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            },
        )
        if message_id is not None:
            message["id"] = str(message_id)
        self.messages[int(message["id"])] = message
        return message

    @staticmethod
    def _modal_problems(data: JSON) -> JSON:
        errors: JSON = {}
        if not data.get("title") or len(data["title"]) > 45:
            errors["title"] = "Must be between 1 and 45 in length."
        if len(str(data.get("custom_id") or "")) > CUSTOM_ID_LIMIT or not data.get("custom_id"):
            errors["custom_id"] = f"Must be between 1 and {CUSTOM_ID_LIMIT} in length."
        if not 1 <= len(data.get("components") or []) <= 5:
            errors["components"] = "Must be between 1 and 5 in length."
        return errors

    def _sent(self, kind: str, path: str, body: JSON, token: str, message: JSON | None) -> Sent:
        data = body.get("data") or {} if kind == "callback" else body
        content = (message or {}).get("content") or ""
        return Sent(
            kind,
            path,
            body,
            time.monotonic(),
            token=token,
            channel_id=int(message["channel_id"]) if message else self.channel_id,
            message=message,
            pings=pings(content, data.get("allowed_mentions"), None) if message else [],
        )

    def _callback(self, iid: int, token: str, body: JSON, path: str) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None or interaction.id != iid:
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        if time.monotonic() - interaction.created > ACK_DEADLINE:
            with self._cond:
                self.late.append(interaction)
                self._cond.notify_all()
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        already = any(s.kind == "callback" and s.token == token for s in self.sent)
        if already:
            return json_response(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype == 4 and (problems := message_problems(data)):
            return self._reject("POST", path, problems)
        if ctype == 9:
            modal_problems = self._modal_problems(data)
            if modal_problems:
                return self._reject("POST", path, modal_problems)
            with self._cond:
                self.modals[token] = data
        message = None
        channel_id = interaction.channel_id or self.channel_id
        if ctype in (4, 5):
            flags = (data.get("flags") or 0) | (LOADING if ctype == 5 else 0)
            message = self._bot_message(channel_id, {**data, "flags": flags}, interaction)
            interaction.original_id = int(message["id"])
            if ctype == 5:
                interaction.deferred_flags = data.get("flags") or 0
            elif not flags & EPHEMERAL:
                self._echo("MESSAGE_CREATE", message)
        elif ctype == 7 and interaction.source_message is not None:  # update the clicked message
            message = {**interaction.source_message, **{k: v for k, v in data.items() if k != "flags"}}
            self.messages[int(message["id"])] = message
        self._record(self._sent("callback", path, body, token, message))
        response: JSON = {
            "interaction": {
                "id": str(iid),
                "type": 2,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": {"type": ctype, **({"message": message} if message else {})},
        }
        return json_response(response)

    # ------------------------------------------------------------------------------- inspection
    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 30.0, what: str = "condition"
    ) -> T:
        """Block until ``predicate()`` returns something truthy (checked whenever anything is
        recorded, and at least every 50 ms); return it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
                self._cond.wait(min(left, 0.05))

    def sent_for(self, interaction: Interaction) -> list[Sent]:
        with self._cond:
            return [s for s in self.sent if s.token == interaction.token]

    def wait_answer(self, interaction: Interaction, timeout: float = 30.0) -> Sent:
        """The first thing a user can read that the bot sent for ``interaction``."""

        def answer() -> Sent | None:
            return next((s for s in self.sent if s.token == interaction.token and s.has_message), None)

        return self.wait_for(answer, timeout, f"an answer to /{interaction.name}")

    def wait_autocomplete(self, interaction: Interaction, timeout: float = 10.0) -> list[JSON]:
        def result() -> Sent | None:
            return next(
                (s for s in self.sent if s.token == interaction.token and s.callback_type == 8),
                None,
            )

        return list(self.wait_for(result, timeout, "autocomplete choices").data.get("choices", []))

    def bot_messages_in(self, channel_id: int) -> list[Sent]:
        """The channel messages the bot posted in ``channel_id`` (a channel or a thread)."""
        with self._cond:
            return [s for s in self.sent if s.kind == "message" and s.channel_id == channel_id]

    def threads_started_from(self, message: JSON) -> list[JSON]:
        with self._cond:
            thread = self.threads.get(int(message["id"]))
            return [thread] if thread else []

    def replies_to(self, message: JSON) -> list[Sent]:
        with self._cond:
            return [
                s
                for s in self.sent
                if s.kind == "message"
                and str((s.body.get("message_reference") or {}).get("message_id")) == str(message["id"])
            ]

    def wait_reply(self, message: JSON, timeout: float = 30.0) -> Sent:
        return self.wait_for(lambda: next(iter(self.replies_to(message)), None), timeout, "a reply")

    def all_messages(self) -> list[Sent]:
        """Everything the bot sent that can carry text: callbacks with data, follow-ups, edits, messages."""
        with self._cond:
            return [s for s in self.sent if s.kind in ("callback", "followup", "edit", "message")]

    def last_heartbeat(self) -> float:
        with self._cond:
            return max((t for conn in self.connections for t in conn.heartbeats), default=0.0)

    def heartbeat_gaps(self, since: float, until: float | None = None) -> list[float]:
        """Gaps between consecutive heartbeats on each connection over [since, until] (counting
        from the last beat before ``since``), plus the open gap from the last beat to ``until``
        on the live connection: a blocked event loop shows as one long gap."""
        until = until if until is not None else time.monotonic()
        gaps: list[float] = []
        with self._cond:
            for conn in self.connections:
                beats = [t for t in conn.heartbeats if t <= until]
                first = next((i for i, t in enumerate(beats) if t >= since), len(beats))
                window = beats[max(0, first - 1) :]
                if not window:
                    continue
                gaps += [b - a for a, b in itertools.pairwise(window)]
                if conn is self._live and until > window[-1]:
                    gaps.append(until - window[-1])
        return gaps
