"""Shared fixtures.

- ``fake_embedder``-based fixtures need no model (unit tests).
- ``real_settings`` / ``service``: the real model and FAISS, with the index built once per test
  session in a temporary folder (never the user's .index); integration and end-to-end tests share
  it, and CLI subprocesses get it through SUMMITBOT_INDEX_DIR.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from config.settings import ROOT, Settings, load_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
CORPUS = ROOT / "corpus"
CORPUS_TEXT = (CORPUS / "summit-2017-07-press-release.txt").read_text(encoding="utf-8")
PROFILE = CORPUS / "profile.toml"  # the shipped corpus profile
# The topics corpus/profile.toml must define, in this order.
TOPIC_NAMES = [
    "Syria",
    "Ukraine",
    "Cyber-security",
    "Election hacking",
    "North Korea",
    "Relationship",
    "Outcome",
]


def shipped_profile():  # type: ignore[no-untyped-def]
    """The profile of the shipped corpus (corpus/profile.toml)."""
    from retrieval.documents import read_documents
    from retrieval.profile import load_profile

    return load_profile(CORPUS, read_documents(CORPUS))


def make_settings(index_dir: Path, corpus_dir: Path = CORPUS, **env: str) -> Settings:
    """Settings from defaults.toml plus the given environment only (never the developer's .env)."""
    base = {
        "SUMMITBOT_INDEX_DIR": str(index_dir),
        "SUMMITBOT_CORPUS_DIR": str(corpus_dir),
        # never the checkout's .data/: a database next to the (temporary) index folder
        "SUMMITBOT_DB": str(index_dir.with_name(index_dir.name + "-db") / "summitbot.sqlite3"),
    }
    return load_settings({**base, **env}, dotenv=False)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus folder, for tests that change it."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def session_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def real_settings(session_index_dir: Path) -> Settings:
    return make_settings(session_index_dir)


@pytest.fixture(scope="session")
def service(real_settings: Settings):  # type: ignore[no-untyped-def]
    """The real service (real model, FAISS, BM25), loaded once per session."""
    from retrieval.service import SummitService

    return SummitService.load(real_settings)


@pytest.fixture(scope="session")
def service_without_bank(real_settings: Settings):  # type: ignore[no-untyped-def]
    """The real service without the question bank: the methods for questions unlike any asked."""
    from retrieval.service import SummitService

    return SummitService.load(real_settings.with_(retrieval={"question_bank": ()}))


@pytest.fixture(scope="session")
def service_without_support(real_settings: Settings):  # type: ignore[no-untyped-def]
    """The real service with the bank, but without its support for questions below the floor."""
    from retrieval.service import SummitService

    return SummitService.load(real_settings.with_(answer={"bank_support_similarity": 1.01}))


@pytest.fixture
def cli_env(real_settings: Settings, service) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for running `python bot.py ...` as a subprocess against the session index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "DISCORD_"))}
    env.update(
        HF_HUB_OFFLINE="1",
        SUMMITBOT_INDEX_DIR=str(real_settings.index_dir),
        SUMMITBOT_CORPUS_DIR=str(real_settings.corpus_dir),
        SUMMITBOT_DB=str(real_settings.db_path),
        PYTHONPATH=str(ROOT),
    )
    return env
