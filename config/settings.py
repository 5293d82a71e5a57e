"""Typed settings: config/defaults.toml, overridden by the environment (and .env via python-dotenv).

The one source of defaults is ``defaults.toml``: no other module carries a default for a tuned
value. Settings are grouped by section as the TOML file groups them (``settings.retrieval``,
``settings.answer``, ``settings.discord``), in the manner of python-discord/bot's ``constants.py``.
Checked once at start-up; a bad value is a ``SetupError`` with a one-line message. The Discord
token is never defaulted, never printed: ``DiscordSettings.__repr__`` hides it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from config.errors import SetupError

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = Path(__file__).resolve().parent / "defaults.toml"
ANSWERABILITY = Path(__file__).resolve().parent / "answerability.toml"

# environment variable -> (section, key, type)
ENV_VARS: dict[str, tuple[str, str, type]] = {
    "SUMMITBOT_CORPUS_DIR": ("corpus", "dir", str),
    "SUMMITBOT_PROFILE": ("corpus", "profile", str),
    "SUMMITBOT_INDEX_DIR": ("index", "dir", str),
    "SUMMITBOT_HNSW_MIN_VECTORS": ("index", "hnsw_min_vectors", int),
    "SUMMITBOT_MODEL": ("model", "name", str),
    "SUMMITBOT_BACKEND": ("model", "backend", str),
    "SUMMITBOT_MIN_SIMILARITY": ("answer", "min_similarity", float),
    "SUMMITBOT_OFF_TOPIC_MARGIN": ("answer", "off_topic_margin", float),
    "SUMMITBOT_COOLDOWN_RATE": ("discord", "cooldown_rate", int),
    "SUMMITBOT_COOLDOWN_SECONDS": ("discord", "cooldown_seconds", float),
    "SUMMITBOT_LOG_LEVEL": ("discord", "log_level", str),
    "SUMMITBOT_ANSWER_CHANNELS": ("discord", "answer_channels", str),
    "SUMMITBOT_DB": ("storage", "db", str),
    "SUMMITBOT_QUESTION_BANK": ("retrieval", "question_bank", str),
    "SUMMITBOT_KNOWN_QUESTION_SIMILARITY": ("answer", "known_question_similarity", float),
}
BACKENDS = ("auto", "onnx", "sentence-transformers")


@dataclass(frozen=True)
class RetrievalSettings:
    """[retrieval]: how the dense and BM25 rankings are fused."""

    rrf_k: int
    candidates: int
    bm25_weight: float
    paragraph_weight: float
    speaker_boost: float
    question_bank: tuple[str, ...]  # globs of question-bank files, relative to the project
    bank_weight: float
    bank_neighbours: int
    bank_temperature: float


@dataclass(frozen=True)
class AnswerSettings:
    """[answer]: what an answer may hold, and when the release is taken not to answer."""

    max_sentences: int
    max_words: int
    min_similarity: float
    off_topic_margin: float
    other_paragraph_similarity: float
    max_question_chars: int
    known_question_similarity: float  # above 1: no question counts as known
    # A question this near an answered bank question (cosine), and nearer to it than to any
    # unanswered one by the margin, whose answer is the search's first sentence, is answered.
    bank_support_similarity: float  # above 1: never
    bank_support_margin: float


@dataclass(frozen=True)
class DiscordSettings:
    """[discord] plus the DISCORD_* variables. The token is required only by ``bot.py run``."""

    cooldown_rate: int
    cooldown_seconds: float
    log_level: str
    answer_channels: tuple[int, ...] = ()  # answered without a mention, in every guild
    token: str | None = field(default=None, repr=False)
    guild_id: int | None = None
    api_base: str | None = None


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    hnsw_min_vectors: int
    model_name: str
    backend: str
    profile_file: Path | None  # None: the corpus folder's own profile.toml, if there is one
    answerability_file: Path  # the fitted answerability model (`python bot.py eval --fit`)
    db_path: Path  # the SQLite database: votes, per-guild settings, the command-sync hash
    retrieval: RetrievalSettings
    answer: AnswerSettings
    discord: DiscordSettings

    def with_(self, **changes: Any) -> Settings:
        """A copy with some values changed; ``section={"key": value}`` changes one key of a section."""
        for name in ("retrieval", "answer", "discord"):
            if isinstance(changes.get(name), dict):
                changes[name] = replace(getattr(self, name), **changes[name])
        return replace(self, **changes)


def _resolve(path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p


def load_settings(env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read defaults.toml, then apply environment overrides (``.env`` first, when ``dotenv``)."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(ROOT / ".env", override=False)
        env = dict(os.environ)
    with DEFAULTS.open("rb") as fh:
        raw = tomllib.load(fh)
    for var, (section, key, typ) in ENV_VARS.items():
        value = env.get(var, "").strip()
        if not value:
            continue
        try:
            raw[section][key] = typ(value)
        except ValueError:
            raise SetupError(f"{var}={value!r} is not a valid {typ.__name__}.") from None
    backend = str(raw["model"]["backend"]).lower()
    if backend not in BACKENDS:
        raise SetupError(f"SUMMITBOT_BACKEND must be one of {', '.join(BACKENDS)} (got {backend!r}).")
    guild = env.get("DISCORD_GUILD_ID", "").strip()
    if guild and not guild.isdigit():
        raise SetupError("DISCORD_GUILD_ID must be a numeric server id.")
    api_base = env.get("DISCORD_API_BASE", "").strip().rstrip("/") or None
    if api_base and not api_base.startswith(("http://", "https://")):
        raise SetupError("DISCORD_API_BASE must be an http(s) URL.")
    level = str(raw["discord"]["log_level"]).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SetupError(f"SUMMITBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {level!r}).")
    answer = raw["answer"]
    min_sim = float(answer["min_similarity"])
    if not -1.0 <= min_sim <= 1.0:
        raise SetupError("SUMMITBOT_MIN_SIMILARITY must be between -1 and 1.")
    known = float(answer["known_question_similarity"])
    if not 0.0 < known <= 1.01:
        raise SetupError("SUMMITBOT_KNOWN_QUESTION_SIMILARITY must be above 0 and at most 1 (1.01: never).")
    seconds = float(raw["discord"]["cooldown_seconds"])
    if int(raw["discord"]["cooldown_rate"]) < 1 or not 0 <= seconds < 86400:
        raise SetupError("The cooldown needs a rate of at least 1 and a period of 0 to 86,400 seconds.")
    channels = str(raw["discord"].get("answer_channels", "")).replace(" ", "")
    if channels and not all(c.isdigit() for c in channels.split(",") if c):
        raise SetupError("SUMMITBOT_ANSWER_CHANNELS must be channel ids separated by commas.")
    retrieval = raw["retrieval"]
    profile = str(raw["corpus"].get("profile", "")).strip()
    return Settings(
        corpus_dir=_resolve(str(raw["corpus"]["dir"])),
        index_dir=_resolve(str(raw["index"]["dir"])),
        hnsw_min_vectors=int(raw["index"]["hnsw_min_vectors"]),
        model_name=str(raw["model"]["name"]),
        backend=backend,
        profile_file=_resolve(profile) if profile else None,
        answerability_file=ANSWERABILITY,
        db_path=_resolve(str(raw["storage"]["db"])),
        retrieval=RetrievalSettings(
            rrf_k=int(retrieval["rrf_k"]),
            candidates=int(retrieval["candidates"]),
            bm25_weight=float(retrieval["bm25_weight"]),
            paragraph_weight=float(retrieval["paragraph_weight"]),
            speaker_boost=float(retrieval["speaker_boost"]),
            question_bank=tuple(
                p.strip()
                for p in str(retrieval["question_bank"]).split(",")
                if p.strip() and p.strip().lower() != "none"
            ),
            bank_weight=float(retrieval["bank_weight"]),
            bank_neighbours=int(retrieval["bank_neighbours"]),
            bank_temperature=float(retrieval["bank_temperature"]),
        ),
        answer=AnswerSettings(
            max_sentences=int(answer["max_sentences"]),
            max_words=int(answer["max_words"]),
            min_similarity=min_sim,
            off_topic_margin=float(answer["off_topic_margin"]),
            other_paragraph_similarity=float(answer["other_paragraph_similarity"]),
            max_question_chars=int(answer["max_question_chars"]),
            known_question_similarity=known,
            bank_support_similarity=float(answer["bank_support_similarity"]),
            bank_support_margin=float(answer["bank_support_margin"]),
        ),
        discord=DiscordSettings(
            cooldown_rate=int(raw["discord"]["cooldown_rate"]),
            cooldown_seconds=seconds,
            log_level=level,
            answer_channels=tuple(int(c) for c in channels.split(",") if c),
            token=env.get("DISCORD_TOKEN", "").strip() or None,
            guild_id=int(guild) if guild else None,
            api_base=api_base,
        ),
    )
