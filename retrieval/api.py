"""The public face of the answering core: the one ``retrieval`` module ``cli/`` and ``cogs/`` import.

It holds the service interface (``AnsweringService``), the result types the front ends render,
the errors meant for users, and the question validator every front end runs before slow work.
``open_service`` loads the model and the index (seconds: the Discord layer calls it in a worker
thread). Every service method is synchronous and CPU-bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from config.errors import BadQuestion, SetupError, UserError
from config.settings import Settings
from retrieval.feedback import (
    FeedbackStore,
    FeedbackSummary,
    FeedbackUnavailable,
    GuildSettings,
    Vote,
    eval_toml,
)
from retrieval.followup import MAX_TURNS, Turn, is_followup, looks_like_question, rewrite_followup
from retrieval.query import EMPTY_QUESTION, MENTION, clean_question
from retrieval.summarise import UnknownTopic
from retrieval.types import (
    Answer,
    Citation,
    Collection,
    Document,
    IndexStats,
    Passage,
    Positions,
    Quote,
    Summary,
    Topic,
)

if TYPE_CHECKING:
    from retrieval.service import SummitService

__all__ = [
    "EMPTY_QUESTION",
    "MAX_TURNS",
    "MENTION",
    "Answer",
    "AnsweringService",
    "BadQuestion",
    "Citation",
    "Collection",
    "Document",
    "FeedbackStore",
    "FeedbackSummary",
    "FeedbackUnavailable",
    "GuildSettings",
    "IndexStats",
    "Passage",
    "Positions",
    "Quote",
    "SetupError",
    "Summary",
    "Topic",
    "Turn",
    "UnknownTopic",
    "UserError",
    "Vote",
    "clean_question",
    "describe_collection",
    "eval_toml",
    "evaluation_report",
    "fit_answerability",
    "format_evaluation",
    "index_problem",
    "is_followup",
    "list_topics",
    "looks_like_question",
    "model_location",
    "open_feedback",
    "open_service",
    "rewrite_followup",
]


class AnsweringService(Protocol):
    """What the front ends need from the core (``retrieval.service.SummitService`` is one)."""

    def ask(self, question: str) -> Answer: ...

    def summary(self, topic: str) -> Summary: ...

    def positions(self, topic: str) -> Positions: ...

    def topics(self) -> list[Topic]: ...

    def collection(self) -> Collection: ...

    def source(self, paragraph: int, doc: str | None = None) -> Passage: ...

    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document: ...

    def reindex(self) -> IndexStats: ...

    def rewrite_followup(self, question: str, turns: Sequence[Turn]) -> str: ...


def open_service(settings: Settings, *, progress: bool = False, rebuild: bool = False) -> SummitService:
    """Load (building if needed) the index and the model: the real service."""
    from retrieval.service import SummitService

    return SummitService.load(settings, progress=progress, rebuild=rebuild)


def open_feedback(settings: Settings) -> FeedbackStore:
    """The database at ``SUMMITBOT_DB`` (opened, created and migrated on first use)."""
    return FeedbackStore(settings.db_path)


def model_location(settings: Settings) -> str:
    """Where the configured model loads from (the packaged copy, a folder, or a hub id)."""
    from retrieval.embedder import resolve_model_path

    return resolve_model_path(settings.model_name)


def index_problem(settings: Settings) -> tuple[str | None, dict[str, Any]]:
    """Why the index on disk cannot be used as it is (None when it is up to date and every file
    matches its checksum), and its counts; without loading the model."""
    from retrieval.documents import read_documents
    from retrieval.index import expected_manifest, read_manifest, stale_reason
    from retrieval.profile import load_profile, people_key
    from retrieval.storage import sha256_file

    documents = read_documents(settings.corpus_dir)
    people = load_profile(settings.corpus_dir, documents, settings.profile_file).people
    manifest = read_manifest(settings.index_dir)
    reason = stale_reason(
        manifest,
        expected_manifest(documents, settings.model_name, settings.hnsw_min_vectors, people_key(people)),
    )
    if reason is not None or manifest is None:
        return reason or "no index on disk yet", {}
    for rel, digest in sorted((manifest.get("files") or {}).items()):
        path = settings.index_dir / rel
        if not path.is_file() or sha256_file(path) != digest:
            return f"{path} is missing or damaged", {}
    counts = manifest.get("counts", {})
    return None, counts if isinstance(counts, dict) else {}


def _profile(settings: Settings):  # type: ignore[no-untyped-def]
    from retrieval.documents import read_documents
    from retrieval.profile import load_profile

    return load_profile(settings.corpus_dir, read_documents(settings.corpus_dir), settings.profile_file)


def list_topics(settings: Settings) -> list[Topic]:
    """The topics of the corpus profile (or, without one, of its documents), without loading the model."""
    return [t.topic for t in _profile(settings).topics]


def describe_collection(settings: Settings) -> Collection:
    """How replies and help name the documents, without loading the model."""
    collection: Collection = _profile(settings).collection
    return collection


def evaluation_report(service: SummitService, questions: str | Path | None = None) -> dict[str, Any]:
    from retrieval.evaluate import evaluate

    return evaluate(service, questions)


def fit_answerability(service: SummitService, questions: str | Path | None, target: Path) -> Path:
    """Fit the answerability model on a question set and write it to ``target`` (TOML)."""
    from retrieval.evaluate import fit, fit_toml
    from retrieval.storage import write_atomic

    write_atomic(target, fit_toml(fit(service, questions)))
    return target


def format_evaluation(report: dict[str, Any]) -> str:
    from retrieval.evaluate import format_report

    return format_report(report)
