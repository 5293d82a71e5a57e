"""The bot's own small database (SQLite at ``SUMMITBOT_DB``): votes on answers with optional
reasons, per-guild settings (answer channels, threads on/off), and the hash of the last command
sync.

- Created on first use (its folder too), WAL mode, a ``schema_version`` table and numbered
  migrations (``MIGRATIONS``); a newer schema than this code knows is refused.
- One vote per user per answer (``answer_id`` is the Discord message id of the answer): a second
  click changes it; a reason is kept until the user's vote turns up again.
- Synchronous, one short-lived connection per call, so any worker thread may call it; the Discord
  layer calls it through ``asyncio.to_thread``, never on the event loop.
- A locked or corrupt database disables the store: one warning in the log, and from then on every
  call raises ``FeedbackUnavailable`` at once (the bot keeps answering; settings fall back to the
  environment).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger("summitbot.feedback")

Vote = Literal["up", "down"]
BUSY_TIMEOUT_MS = 1000  # how long a write waits for another writer before the store gives up

MIGRATIONS: tuple[str, ...] = (
    # 1: votes, guild settings, answer channels, key/value state (the command-sync hash)
    """
    CREATE TABLE votes (
        answer_id  INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        question   TEXT    NOT NULL,
        vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        reason     TEXT,
        guild_id   INTEGER,
        updated_at REAL    NOT NULL,
        PRIMARY KEY (answer_id, user_id)
    );
    CREATE INDEX votes_by_question ON votes (question);
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        threads  INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE answer_channels (
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class FeedbackUnavailable(Exception):
    """The database cannot be used (locked, corrupt, unwritable): feedback is disabled."""


@dataclass(frozen=True)
class QuestionFeedback:
    question: str
    up: int
    down: int
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "up": self.up, "down": self.down, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class FeedbackSummary:
    up: int
    down: int
    answers: list[QuestionFeedback]  # worst-rated first

    def to_json(self) -> dict[str, Any]:
        return {"up": self.up, "down": self.down, "answers": [a.to_json() for a in self.answers]}


@dataclass(frozen=True)
class GuildSettings:
    answer_channels: frozenset[int]
    threads: bool = True


class FeedbackStore:
    """The database at ``path``. ``disabled`` holds why it is off (None while it works)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.disabled: str | None = None
        self._lock = threading.Lock()
        self._ready = False

    # ------------------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.disabled is not None:
            raise FeedbackUnavailable(self.disabled)
        try:
            if not self._ready:
                self._open()
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                yield conn
            finally:
                conn.close()
        except (sqlite3.DatabaseError, OSError) as error:
            self._disable(error)
            raise FeedbackUnavailable(self.disabled or str(error)) from error

    def _disable(self, error: BaseException) -> None:
        with self._lock:
            if self.disabled is not None:
                return
            text = str(error)
            what = "locked" if "locked" in text or "busy" in text else "unusable"
            self.disabled = f"the database {self.path} is {what} ({text})"
        log.warning("Feedback disabled: %s; answers go on without it", self.disabled)

    def _open(self) -> None:
        """Create the file and its folder, switch to WAL, and migrate to ``SCHEMA_VERSION``."""
        with self._lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode})")
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                current = int(row[0] or 0)
                if current > SCHEMA_VERSION:
                    raise sqlite3.DatabaseError(
                        f"schema version {current} is newer than this SummitBot knows ({SCHEMA_VERSION})"
                    )
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        for statement in MIGRATIONS[version - 1].split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    log.info("Database %s migrated to schema version %d", self.path, version)
            finally:
                conn.close()
            self._ready = True

    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)

    def journal_mode(self) -> str:
        with self._connect() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    # --------------------------------------------------------------------------------- votes
    def vote(
        self, answer_id: int, user_id: int, question: str, vote: Vote, *, guild_id: int | None = None
    ) -> Vote | None:
        """Record ``user_id``'s vote on an answer; returns the vote it replaced (None: first vote)."""
        value = 1 if vote == "up" else -1
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)
            ).fetchone()
            conn.execute(
                """INSERT INTO votes (answer_id, user_id, question, vote, guild_id, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (answer_id, user_id) DO UPDATE SET
                       vote = excluded.vote, question = excluded.question,
                       reason = CASE WHEN votes.vote = excluded.vote THEN votes.reason END,
                       updated_at = excluded.updated_at""",
                (answer_id, user_id, question, value, guild_id, time.time()),
            )
            conn.execute("COMMIT")
        if row is None:
            return None
        return "up" if row[0] == 1 else "down"

    def set_reason(self, answer_id: int, user_id: int, reason: str) -> bool:
        """Attach a reason to the user's vote on this answer (False when there is no such vote)."""
        reason = " ".join(reason.split())[:1000]
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE votes SET reason = ?, updated_at = ? WHERE answer_id = ? AND user_id = ?",
                (reason or None, time.time(), answer_id, user_id),
            )
            return cur.rowcount > 0

    def votes_on(self, answer_id: int) -> dict[int, Vote]:
        with self._connect() as conn:
            rows = conn.execute("SELECT user_id, vote FROM votes WHERE answer_id = ?", (answer_id,))
            return {int(u): "up" if v == 1 else "down" for u, v in rows}

    def summary(self, limit: int = 20) -> FeedbackSummary:
        """Totals and the worst-rated questions (most net down-votes first), with their reasons."""
        with self._connect() as conn:
            up, down = conn.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes"
            ).fetchone()
            rows = conn.execute(
                """SELECT question, SUM(vote = 1) AS up, SUM(vote = -1) AS down,
                          json_group_array(reason) FILTER (WHERE reason IS NOT NULL) AS reasons
                   FROM votes GROUP BY question
                   ORDER BY down - up DESC, down DESC, question
                   LIMIT ?""",
                (limit,),
            ).fetchall()
        answers = [
            QuestionFeedback(str(q), int(u), int(d), [str(r) for r in json.loads(rs or "[]")])
            for q, u, d, rs in rows
        ]
        return FeedbackSummary(int(up), int(down), answers)

    def down_voted(self) -> list[str]:
        """The questions with more down-votes than up-votes, worst first."""
        return [a.question for a in self.summary(limit=-1).answers if a.down > a.up]

    # ------------------------------------------------------------------------ guild settings
    def guild_settings(self, guild_id: int) -> GuildSettings:
        with self._connect() as conn:
            channels = conn.execute("SELECT channel_id FROM answer_channels WHERE guild_id = ?", (guild_id,))
            ids = frozenset(int(c) for (c,) in channels)
            row = conn.execute(
                "SELECT threads FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()
        return GuildSettings(ids, bool(row[0]) if row else True)

    def add_answer_channel(self, guild_id: int, channel_id: int) -> bool:
        """True when it was not an answer channel yet."""
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO answer_channels (guild_id, channel_id) VALUES (?, ?)",
                (guild_id, channel_id),
            )
            return cur.rowcount > 0

    def remove_answer_channel(self, guild_id: int, channel_id: int) -> bool:
        with self._connect() as conn:
            cur = conn.execute(
                "DELETE FROM answer_channels WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
            )
            return cur.rowcount > 0

    def set_threads(self, guild_id: int, on: bool) -> None:
        with self._connect() as conn:
            conn.execute(
                """INSERT INTO guild_settings (guild_id, threads) VALUES (?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET threads = excluded.threads""",
                (guild_id, int(on)),
            )

    # ---------------------------------------------------------------------------- key/value
    def get_state(self, key: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            return str(row[0]) if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def eval_toml(questions: Sequence[str]) -> str:
    """Questions in the eval set's format (``[[question]]`` tables), to join a set after review."""
    lines = [
        "# Down-voted questions exported by `python bot.py feedback --export`.",
        "# Review each one: fill in coverage (full | partial | none), paragraph and key.",
    ]
    for q in questions:
        lines += [
            "",
            "[[question]]",
            f"q = {json.dumps(q, ensure_ascii=False)}",
            'kind = "feedback"',
            'coverage = ""',
            "paragraph = 0",
            'key = ""',
        ]
    return "\n".join(lines) + "\n"
