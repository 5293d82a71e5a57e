"""Settings: defaults.toml, environment overrides, friendly errors, and a token that never shows."""

from __future__ import annotations

import tomllib

import pytest

from config.errors import SetupError
from config.settings import DEFAULTS, ROOT, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.super-secret-token-value"


def test_defaults() -> None:
    s = load_settings({}, dotenv=False)
    raw = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    assert s.corpus_dir == ROOT / "corpus"
    assert s.index_dir == ROOT / ".index"
    assert s.model_name == "all-MiniLM-L6-v2"
    assert s.backend == "auto"
    assert s.answer.min_similarity == raw["answer"]["min_similarity"]
    assert (s.answer.max_sentences, s.answer.max_words) == (3, 80)
    assert s.answer.max_question_chars == raw["answer"]["max_question_chars"]
    assert s.hnsw_min_vectors == raw["index"]["hnsw_min_vectors"]
    assert (s.retrieval.rrf_k, s.retrieval.candidates) == (
        raw["retrieval"]["rrf_k"],
        raw["retrieval"]["candidates"],
    )
    assert s.retrieval.speaker_boost == raw["retrieval"]["speaker_boost"]
    assert (s.discord.cooldown_rate, s.discord.cooldown_seconds) == (4, 30.0)
    assert s.discord.log_level == "INFO"
    assert s.profile_file is None  # the corpus folder's own profile.toml
    assert s.discord.token is None and s.discord.guild_id is None and s.discord.api_base is None


def test_environment_overrides() -> None:
    s = load_settings(
        {
            "SUMMITBOT_MODEL": "/models/mini",
            "SUMMITBOT_BACKEND": "ONNX",
            "SUMMITBOT_MIN_SIMILARITY": " 0.5 ",
            "SUMMITBOT_COOLDOWN_RATE": "2",
            "SUMMITBOT_COOLDOWN_SECONDS": "7.5",
            "SUMMITBOT_CORPUS_DIR": "other-corpus",
            "SUMMITBOT_INDEX_DIR": "/tmp/some-index",
            "SUMMITBOT_HNSW_MIN_VECTORS": "100",
            "SUMMITBOT_LOG_LEVEL": "debug",
            "DISCORD_GUILD_ID": "1234567890",
            "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10/",
        },
        dotenv=False,
    )
    assert s.model_name == "/models/mini"
    assert s.backend == "onnx"
    assert s.answer.min_similarity == 0.5
    assert (s.discord.cooldown_rate, s.discord.cooldown_seconds) == (2, 7.5)
    assert s.corpus_dir == ROOT / "other-corpus"  # relative paths are relative to the project
    assert str(s.index_dir) == "/tmp/some-index"
    assert s.hnsw_min_vectors == 100
    assert s.discord.log_level == "DEBUG"
    assert s.discord.guild_id == 1234567890
    assert s.discord.api_base == "http://127.0.0.1:8080/api/v10"


@pytest.mark.parametrize("backend", ["auto", "onnx", "sentence-transformers"])
def test_every_backend_is_accepted(backend: str) -> None:
    assert load_settings({"SUMMITBOT_BACKEND": backend}, dotenv=False).backend == backend


def test_blank_values_keep_the_defaults() -> None:
    s = load_settings(
        {"SUMMITBOT_MODEL": "  ", "SUMMITBOT_MIN_SIMILARITY": "", "DISCORD_TOKEN": " "}, dotenv=False
    )
    assert s.model_name == "all-MiniLM-L6-v2"
    assert s.answer.min_similarity == load_settings({}, dotenv=False).answer.min_similarity
    assert s.discord.token is None


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("SUMMITBOT_MIN_SIMILARITY", "high", "SUMMITBOT_MIN_SIMILARITY"),
        ("SUMMITBOT_MIN_SIMILARITY", "1.5", "between -1 and 1"),
        ("SUMMITBOT_MIN_SIMILARITY", "nan", "SUMMITBOT_MIN_SIMILARITY"),
        ("SUMMITBOT_BACKEND", "gpu", "SUMMITBOT_BACKEND"),
        ("SUMMITBOT_COOLDOWN_RATE", "0", "cooldown"),
        ("SUMMITBOT_COOLDOWN_RATE", "four", "SUMMITBOT_COOLDOWN_RATE"),
        ("SUMMITBOT_COOLDOWN_RATE", "2.5", "SUMMITBOT_COOLDOWN_RATE"),
        ("SUMMITBOT_COOLDOWN_SECONDS", "-1", "cooldown"),
        ("SUMMITBOT_COOLDOWN_SECONDS", "soon", "SUMMITBOT_COOLDOWN_SECONDS"),
        ("SUMMITBOT_HNSW_MIN_VECTORS", "many", "SUMMITBOT_HNSW_MIN_VECTORS"),
        ("SUMMITBOT_LOG_LEVEL", "LOUD", "SUMMITBOT_LOG_LEVEL"),
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID"),
        ("DISCORD_API_BASE", "ftp://example.org", "DISCORD_API_BASE"),
    ],
)
def test_bad_values_are_setup_errors(var: str, value: str, words: str) -> None:
    with pytest.raises(SetupError) as info:
        load_settings({var: value}, dotenv=False)
    assert words in info.value.message
    assert "\n" not in info.value.message
    assert info.value.exit_code == 2


def test_the_discord_token_never_appears_in_repr() -> None:
    s = load_settings({"DISCORD_TOKEN": TOKEN}, dotenv=False)
    assert s.discord.token == TOKEN
    for shown in (repr(s), str(s), f"{s}", repr(s.with_(model_name="x"))):
        assert TOKEN not in shown
        assert "super-secret" not in shown
    assert "discord_token" not in repr(s)


def test_an_explicit_env_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMITBOT_MODEL", "from-the-process")
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    s = load_settings({}, dotenv=False)
    assert s.model_name == "all-MiniLM-L6-v2"
    assert s.discord.token is None


def test_without_an_env_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMITBOT_MODEL", "from-the-process")
    assert load_settings(dotenv=False).model_name == "from-the-process"


def test_with_returns_a_changed_copy() -> None:
    s = load_settings({}, dotenv=False)
    t = s.with_(answer={"min_similarity": 0.1})
    assert t.answer.min_similarity == 0.1 and s.answer.min_similarity != 0.1
    with pytest.raises(AttributeError):
        s.answer.min_similarity = 0.2  # type: ignore[misc]
