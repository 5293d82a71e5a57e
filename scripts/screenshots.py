"""Regenerate the screenshots in docs/screenshots/: real answers the fake Discord received from the
real bot, drawn as an HTML page styled like Discord and photographed with headless Chromium
(Debian's ``chromium`` package).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium chromium]

It runs the bot exactly as the end-to-end tests do (tests/e2e/fake_discord.py on 127.0.0.1, the
index in a temporary folder), asks an answer, a partial answer and a summary, and writes one PNG
and its HTML per message. Nothing here is used at run time.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

WIDTH = 800
SHOTS: list[tuple[str, str, dict[str, Any]]] = [  # (file name, slash command, options)
    ("answer", "ask", {"question": "What did Lavrov say about cyber-security?"}),
    ("partial-answer", "ask", {"question": "what time did the meeting start?"}),
    ("summary", "summary", {"topic": "Syria"}),
]

CSS = """
body { margin: 0; background: #313338; font-family: 'gg sans', 'Noto Sans', 'Helvetica Neue', Arial,
  sans-serif; color: #dbdee1; font-size: 15px; line-height: 1.375; }
.msg { display: flex; padding: 16px 24px 16px 16px; width: 760px; }
.avatar { width: 40px; height: 40px; border-radius: 50%; background: #2b6cb0; color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: 700; margin-right: 16px;
  flex: none; }
.head { margin-bottom: 4px; } .name { color: #fff; font-weight: 600; }
.tag { background: #5865f2; color: #fff; font-size: 10px; border-radius: 3px; padding: 1px 4px;
  margin-left: 4px; vertical-align: 2px; } .time { color: #949ba4; font-size: 12px; margin-left: 6px; }
.cmd { color: #949ba4; font-size: 13px; margin-bottom: 4px; } .cmd b { color: #c9cdfb; font-weight: 500; }
.embed { background: #2b2d31; border-left: 4px solid var(--c); border-radius: 4px;
  padding: 8px 16px 16px 12px; max-width: 520px; }
.title { color: #fff; font-weight: 600; margin-top: 8px; } .desc { margin-top: 8px; white-space: pre-wrap; }
.field { margin-top: 8px; } .fname { color: #fff; font-weight: 600; font-size: 14px; }
.fvalue { font-size: 14px; white-space: pre-wrap; }
.fields-inline { display: flex; gap: 16px; } .fields-inline .field { flex: 1; }
blockquote { margin: 0; padding-left: 10px; border-left: 4px solid #4e5058; }
.footer { margin-top: 8px; color: #b5bac1; font-size: 12px; }
.buttons { margin-top: 8px; display: flex; gap: 8px; }
.button { background: #4e5058; color: #fff; border-radius: 3px; padding: 2px 16px; height: 32px;
  display: flex; align-items: center; gap: 6px; font-size: 14px; font-weight: 500; }
.button.primary { background: #5865f2; }
code { background: #1e1f22; border-radius: 3px; padding: 0 3px; font-size: 85%; }
"""


def _inline(text: str) -> str:
    """Discord markdown the bot uses: **bold**, *italic*, `code`, and "> " quotes per line."""
    lines = []
    for line in text.split("\n"):
        quoted = line.startswith("> ")
        body = html.escape(line[2:] if quoted else line).replace("\u200b", "")
        body = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", body)
        body = re.sub(r"\*(.+?)\*", r"<i>\1</i>", body)
        body = re.sub(r"`(.+?)`", r"<code>\1</code>", body)
        lines.append(f"<blockquote>{body}</blockquote>" if quoted else body)
    return "\n".join(lines).replace("</blockquote>\n<blockquote>", "<br>")


def message_html(message: dict[str, Any], command: str, user: str) -> str:
    """One bot message (as the fake Discord recorded it) as Discord would draw it."""
    parts = [f'<div class="cmd">{html.escape(user)} used <b>/{html.escape(command)}</b></div>']
    parts.append(
        '<div class="head"><span class="name">SummitBot</span><span class="tag">APP</span>'
        '<span class="time">Today at 12:00</span></div>'
    )
    if message.get("content"):
        parts.append(f'<div class="desc">{_inline(message["content"])}</div>')
    for e in message.get("embeds") or []:
        colour = f"#{int(e.get('color') or 0x4A5568):06x}"
        inner = []
        if e.get("title"):
            inner.append(f'<div class="title">{_inline(e["title"])}</div>')
        if e.get("description"):
            inner.append(f'<div class="desc">{_inline(e["description"])}</div>')
        fields = e.get("fields") or []
        inline = [f for f in fields if f.get("inline")]
        block = [f for f in fields if not f.get("inline")]

        def field(f: dict[str, Any]) -> str:
            return (
                f'<div class="field"><div class="fname">{_inline(f["name"])}</div>'
                f'<div class="fvalue">{_inline(f["value"])}</div></div>'
            )

        if inline:
            inner.append('<div class="fields-inline">' + "".join(field(f) for f in inline) + "</div>")
        inner += [field(f) for f in block]
        if (e.get("footer") or {}).get("text"):
            inner.append(f'<div class="footer">{html.escape(e["footer"]["text"])}</div>')
        parts.append(f'<div class="embed" style="--c: {colour}">{"".join(inner)}</div>')
    buttons = []
    for row in message.get("components") or []:
        for c in row.get("components", []):
            emoji = (c.get("emoji") or {}).get("name", "")
            label = html.escape(c.get("label") or "")
            style = " primary" if c.get("style") == 1 else ""
            buttons.append(f'<div class="button{style}">{emoji} {label}</div>')
    if buttons:
        parts.append('<div class="buttons">' + "".join(buttons) + "</div>")
    body = f'<div class="msg"><div class="avatar">SB</div><div>{"".join(parts)}</div></div>'
    # the page measures itself, so that the screenshot can be cut to the message (see ``height``)
    measure = (
        "<script>document.body.dataset.h = Math.ceil(document.querySelector('.msg')"
        ".getBoundingClientRect().height);</script>"
    )
    return f"<!doctype html><meta charset='utf-8'><style>{CSS}</style><body>{body}{measure}</body>"


def chromium(binary: str, *args: str) -> str:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ]
    done = subprocess.run([binary, *flags, *args], check=True, capture_output=True, text=True, timeout=120)
    return done.stdout


def height(binary: str, page: Path, width: int) -> int:
    """The rendered message's height in pixels (the page writes it into ``data-h``)."""
    dom = chromium(binary, f"--window-size={width},2000", "--dump-dom", page.as_uri())
    found = re.search(r'data-h="(\d+)"', dom)
    return int(found.group(1)) if found else 900


def collect() -> list[tuple[str, str, dict[str, Any]]]:
    """Ask the real bot through the fake Discord; (name, command, message) per shot."""
    from tests.conftest import make_settings
    from tests.e2e.conftest import TOKEN, BotThread
    from tests.e2e.fake_discord import FakeDiscord

    out = []
    with tempfile.TemporaryDirectory() as tmp, FakeDiscord(token=TOKEN) as fake:
        settings = make_settings(Path(tmp) / "index", DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base)
        from retrieval.api import open_service

        runner = BotThread(settings, open_service(settings), guild_ready_timeout=0.2)
        runner.start(fake)
        try:
            for name, command, options in SHOTS:
                sent = fake.wait_answer(fake.slash(command, user=fake.new_user("summit-fan"), **options))
                assert sent.message is not None
                out.append((name, command, sent.message))
        finally:
            runner.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    if not shutil.which(args.chromium):
        print(f"error: {args.chromium} not found (Debian: apt install chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, command, message in collect():
        page = args.out / f"{name}.html"
        page.write_text(message_html(message, command, "summit-fan"), encoding="utf-8")
        png = args.out / f"{name}.png"
        h = height(args.chromium, page, WIDTH)
        chromium(args.chromium, f"--window-size={WIDTH},{h}", f"--screenshot={png}", page.as_uri())
        print(f"wrote {png} ({WIDTH}×{h})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
