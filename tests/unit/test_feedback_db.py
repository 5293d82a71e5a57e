"""The SQLite store (retrieval/feedback.py) on a real database file in a temporary folder."""

from __future__ import annotations

import logging
import sqlite3
import tomllib
from pathlib import Path

import pytest

from retrieval.api import FeedbackStore, FeedbackUnavailable, eval_toml
from retrieval.feedback import SCHEMA_VERSION


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "state" / "summitbot.sqlite3")


def test_created_on_first_use_in_wal_mode_with_a_schema_version(store: FeedbackStore) -> None:
    assert not store.path.exists()
    assert store.schema_version() == SCHEMA_VERSION
    assert store.path.is_file() and store.journal_mode() == "wal"
    # opening it again does not migrate twice
    again = FeedbackStore(store.path)
    assert again.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_one_vote_per_user_per_answer_and_a_second_click_changes_it(store: FeedbackStore) -> None:
    assert store.vote(1001, 7, "What about Syria?", "up") is None
    assert store.vote(1001, 7, "What about Syria?", "up") == "up"
    assert store.vote(1001, 7, "What about Syria?", "down") == "up"
    assert store.vote(1001, 8, "What about Syria?", "down") is None
    assert store.votes_on(1001) == {7: "down", 8: "down"}
    assert store.set_reason(1001, 7, "  it quoted\nthe wrong paragraph ")
    assert not store.set_reason(1001, 99, "no vote from this user")
    store.vote(2002, 7, "Who will travel to Kyiv?", "up")
    summary = store.summary()
    assert (summary.up, summary.down) == (1, 2)
    worst = summary.answers[0]
    assert worst.to_json() == {
        "question": "What about Syria?",
        "up": 0,
        "down": 2,
        "reasons": ["it quoted the wrong paragraph"],
    }
    assert store.down_voted() == ["What about Syria?"]
    # changing a vote drops the reason given for the old one
    store.vote(1001, 7, "What about Syria?", "up")
    assert store.summary().answers[-1].reasons == []


def test_guild_settings_and_state(store: FeedbackStore) -> None:
    assert store.guild_settings(5).answer_channels == frozenset() and store.guild_settings(5).threads
    assert store.add_answer_channel(5, 50) and not store.add_answer_channel(5, 50)
    store.add_answer_channel(6, 60)
    store.set_threads(5, False)
    assert store.guild_settings(5).answer_channels == {50} and not store.guild_settings(5).threads
    assert store.remove_answer_channel(5, 50) and not store.remove_answer_channel(5, 50)
    assert store.get_state("commands") is None
    store.set_state("commands", "abc")
    store.set_state("commands", "def")
    assert FeedbackStore(store.path).get_state("commands") == "def"


def test_a_corrupt_database_disables_feedback_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    store = FeedbackStore(path)
    with caplog.at_level(logging.WARNING, "summitbot.feedback"):
        for _ in range(3):
            with pytest.raises(FeedbackUnavailable):
                store.vote(1, 2, "q", "up")
        with pytest.raises(FeedbackUnavailable):
            store.summary()
    lines = [r.getMessage() for r in caplog.records if r.name == "summitbot.feedback"]
    assert len(lines) == 1 and "Feedback disabled" in lines[0] and str(path) in lines[0]
    assert store.disabled is not None


def test_a_locked_database_disables_feedback(store: FeedbackStore) -> None:
    store.schema_version()
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackUnavailable):
            store.vote(1, 2, "q", "up")
        assert store.disabled is not None and "locked" in store.disabled
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_newer_schema_is_refused(store: FeedbackStore) -> None:
    store.schema_version()
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(FeedbackUnavailable, match="newer"):
        FeedbackStore(store.path).summary()


def test_the_export_is_an_eval_set() -> None:
    questions = ['What did "Rex" say?', "Putin’s view\non Assad", "plain"]
    data = tomllib.loads(eval_toml(questions))
    assert [q["q"] for q in data["question"]] == questions
    assert data["question"][0] == {
        "q": 'What did "Rex" say?',
        "kind": "feedback",
        "coverage": "",
        "paragraph": 0,
        "key": "",
    }
    assert tomllib.loads(eval_toml([])) == {}
