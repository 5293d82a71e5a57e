"""`python bot.py feedback [--json] [--export FILE]` as a subprocess, on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from config.settings import ROOT
from retrieval.api import FeedbackStore


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "DISCORD_"))}
    env.update(SUMMITBOT_DB=str(db), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "bot.py", "feedback", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    store = FeedbackStore(tmp_path / "votes.sqlite3")
    store.vote(1, 10, "What did they agree about Iran?", "down")
    store.set_reason(1, 10, "it answered about Syria")
    store.vote(1, 11, "What did they agree about Iran?", "down")
    store.vote(2, 10, "Who will travel to Kyiv?", "up")
    store.vote(3, 12, "Who will travel to Kyiv?", "up")
    store.vote(4, 13, "How long did the meeting last?", "down")
    store.vote(4, 14, "How long did the meeting last?", "up")
    return store.path


def test_feedback_json_is_the_contract(db: Path) -> None:
    done = run(db, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == {
        "up": 3,
        "down": 3,
        "answers": [
            {
                "question": "What did they agree about Iran?",
                "up": 0,
                "down": 2,
                "reasons": ["it answered about Syria"],
            },
            {"question": "How long did the meeting last?", "up": 1, "down": 1, "reasons": []},
            {"question": "Who will travel to Kyiv?", "up": 2, "down": 0, "reasons": []},
        ],
    }
    text = run(db)
    assert text.returncode == 0 and "👍 3" in text.stdout and "it answered about Syria" in text.stdout


def test_feedback_export_writes_the_down_voted_questions_as_an_eval_set(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "from_feedback.toml"
    done = run(db, "--export", str(target))
    assert done.returncode == 0, done.stderr
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    assert data["question"] == [
        {
            "q": "What did they agree about Iran?",
            "kind": "feedback",
            "coverage": "",
            "paragraph": 0,
            "key": "",
        }
    ]


def test_an_empty_or_missing_database_is_created_and_empty(tmp_path: Path) -> None:
    db = tmp_path / "new" / "summitbot.sqlite3"
    done = run(db, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"up": 0, "down": 0, "answers": []}
    assert db.is_file()


def test_a_corrupt_database_is_one_error_line(tmp_path: Path) -> None:
    db = tmp_path / "corrupt.sqlite3"
    db.write_bytes(b"\x00garbage" * 500)
    done = run(db, "--json")
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "feedback" in errors[0]
    assert "Traceback" not in done.stderr
