"""scripts/screenshots.py's page: a bot message drawn like Discord, escaped, with its buttons."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from config.settings import ROOT


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_message_becomes_an_escaped_discord_like_page() -> None:
    message = {
        "content": "",
        "embeds": [
            {
                "title": "What did <b>Lavrov</b> say?",
                "description": "On cyber-security, **both** sides agreed. [1]",
                "color": 0x2B6CB0,
                "fields": [{"name": "[1] ¶6", "value": "> line one\n> line two", "inline": False}],
                "footer": {"text": "EIRNS press release"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 2, "emoji": {"name": "👍"}, "custom_id": "sb:vote:up"}],
            }
        ],
    }
    page = load().message_html(message, "ask", "summit-fan")
    assert "&lt;b&gt;Lavrov&lt;/b&gt;" in page and "<b>both</b>" in page
    assert "<blockquote>line one<br>line two</blockquote>" in page
    assert "--c: #2b6cb0" in page and "👍" in page and "used <b>/ask</b>" in page
    assert "document.body.dataset.h" in page
