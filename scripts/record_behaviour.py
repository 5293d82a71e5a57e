#!/usr/bin/env python3
"""Record what the bot answers, to compare two versions byte for byte.

Writes one JSON object per line to stdout: ``eval --json`` on every question set in eval/, and
``ask --json`` for every question, ``summary --json`` and ``positions --json`` for every topic of
corpus/profile.toml and every summary topic of the sets. One service is loaded once and the CLI's
own JSON is printed through the CLI's code paths (``ask --json -`` as a subprocess for the
questions, so the stream contract is recorded too).

    python scripts/record_behaviour.py > before.jsonl   # ... change the code ...
    python scripts/record_behaviour.py > after.jsonl && cmp before.jsonl after.jsonl
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return f"exit={proc.returncode}\n{proc.stdout}"


def main() -> int:
    sets = sorted((ROOT / "eval").glob("*.toml"))
    questions: list[str] = []
    topics: list[str] = []
    for path in sets:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        questions += [q["q"] for q in raw.get("question", [])]
        topics += [s["topic"] for s in raw.get("summary", [])]
        print(json.dumps({"eval": path.name, "out": run("eval", "--json", "--questions", str(path))}))
    raw_topics = tomllib.loads((ROOT / "corpus" / "profile.toml").read_text(encoding="utf-8"))
    topics = [t["name"] for t in raw_topics["topic"]] + topics
    print(
        json.dumps(
            {"ask": len(questions), "out": run("ask", "--json", "-", stdin="\n".join(questions) + "\n")}
        )
    )
    for topic in topics:
        for command in ("summary", "positions"):
            print(json.dumps({command: topic, "out": run(command, topic, "--json")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
