"""`.env.example` documents every variable the code reads."""

from __future__ import annotations

from config.settings import ENV_VARS, ROOT

DISCORD_VARS = ("DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_API_BASE")


def test_every_variable_is_documented() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0] for line in text.splitlines() if "=" in line and not line.startswith("#")
    }
    missing = [v for v in (*ENV_VARS, *DISCORD_VARS) if v not in documented]
    assert missing == []


def test_the_example_holds_no_secret() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    token_line = next(line for line in text.splitlines() if line.startswith("DISCORD_TOKEN="))
    assert token_line == "DISCORD_TOKEN="
