"""Your own documents: the CLI as a subprocess, the real model, SUMMITBOT_CORPUS_DIR pointed at a
second small corpus (tests/data/handbook: one Markdown document with its .toml, no profile).

It asks, summarises and refuses against that corpus alone: answers quote the Markdown file word
for word, topics come from the document itself, nothing of the press release leaks in, and
positions say plainly that a corpus without a profile has no sides.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from config.settings import ROOT
from tests.e2e.test_cli import run

pytestmark = pytest.mark.slow

HANDBOOK = ROOT / "tests" / "data" / "handbook"
TEXT = (HANDBOOK / "library-handbook.md").read_text(encoding="utf-8")
TITLE = "Riverside Library member handbook"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "DISCORD_"))}
    clean.update(
        HF_HUB_OFFLINE="1",
        SUMMITBOT_CORPUS_DIR=str(HANDBOOK),
        SUMMITBOT_INDEX_DIR=str(tmp_path_factory.mktemp("handbook-index")),
        PYTHONPATH=str(ROOT),
    )
    return clean


def lines(proc: subprocess.CompletedProcess[str]) -> list[Any]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def assert_from_the_handbook(citations: list[dict[str, Any]]) -> None:
    assert citations
    for c in citations:
        assert c["doc"] == "library-handbook"
        assert c["text"] in TEXT  # verbatim from the Markdown file


def test_it_asks_and_refuses_against_the_other_corpus(env: dict[str, str]) -> None:
    questions = [
        "How many books can a member borrow at a time?",
        "When does the library close on Saturdays?",
        "What did Putin say about Syria?",
        "What is the capital of France?",
    ]
    borrow, saturday, syria, france = lines(run(env, "ask", "--json", "-", stdin="\n".join(questions) + "\n"))

    assert borrow["answered"] and borrow["coverage"] == "full"
    assert "twelve books" in borrow["answer"]
    assert_from_the_handbook(borrow["citations"])
    assert saturday["answered"] and "4 p.m." in saturday["answer"]
    assert_from_the_handbook(saturday["citations"])

    for refused in (syria, france):
        assert not refused["answered"] and refused["coverage"] == "none" and refused["citations"] == []
        # the reply names this corpus and its own topics, not the press release
        assert refused["answer"].startswith("The document does not answer that. It covers: " + TITLE)
        assert "press release" not in refused["answer"]


def test_it_lists_and_summarises_the_documents_own_topics(env: dict[str, str]) -> None:
    (topics,) = lines(run(env, "topics", "--json"))
    assert [t["name"] for t in topics] == [TITLE]
    assert "library" in topics[0]["description"]

    (summary,) = lines(run(env, "summary", TITLE, "--json"))
    assert summary["topic"] == TITLE and summary["summary"]
    assert_from_the_handbook(summary["citations"])

    (free,) = lines(run(env, "summary", "late fees", "--json"))
    assert "20 cents a day" in free["summary"]
    assert_from_the_handbook(free["citations"])


def test_it_refuses_a_topic_and_positions_plainly(env: dict[str, str]) -> None:
    proc = run(env, "summary", "nuclear weapons treaty")
    assert proc.returncode == 1 and proc.stdout == ""
    assert f"The document has nothing on 'nuclear weapons treaty'. Topics: {TITLE}." in proc.stderr

    proc = run(env, "positions", "borrowing")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "Positions need sides" in proc.stderr and "no profile.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_index_is_built_for_that_corpus(env: dict[str, str]) -> None:
    proc = run(env, "index")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((Path(env["SUMMITBOT_INDEX_DIR"]) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chunking"]["speakers"] == ""  # no profile: nobody to attribute
    assert manifest["counts"]["passages"] == 8  # 4 paragraphs, 3 list items, the closing line
