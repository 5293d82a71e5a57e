"""SummitService end to end with the fake embedder: grounded answers, contracts, errors, reindex."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from config.errors import BadQuestion, UserError
from retrieval.service import SummitService
from retrieval.summarise import UnknownTopic
from retrieval.types import Answer
from tests.conftest import CORPUS, TOPIC_NAMES, make_settings
from tests.fakes import FakeChooser, FakeEmbedder

DOC_ID = "summit-2017-07-press-release"
FILE_TEXT = (CORPUS / f"{DOC_ID}.txt").read_text(encoding="utf-8")
MARKER = re.compile(r" \[\d+\]")


def _settings(index_dir: Path, corpus_dir: Path = CORPUS, **env: str):  # type: ignore[no-untyped-def]
    # The fake embedder calls its model "fake-model": so must the settings, or every open rebuilds.
    # Its similarities mean nothing, so the off-topic guard (a semantic test) is switched off; the
    # real model's refusals are tested in tests/integration and tests/e2e.
    base = {"SUMMITBOT_MODEL": "fake-model", "SUMMITBOT_OFF_TOPIC_MARGIN": "1.0"}
    return make_settings(index_dir, corpus_dir, **{**base, **env})


def _service(index_dir: Path, corpus_dir: Path = CORPUS, **env: str) -> SummitService:
    service = SummitService(_settings(index_dir, corpus_dir, **env), FakeChooser())
    service._open()
    return service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SummitService:
    # a low threshold: the fake embedder's similarities say nothing about meaning
    return _service(tmp_path_factory.mktemp("service-index"), SUMMITBOT_MIN_SIMILARITY="0.1")


@pytest.fixture(scope="module")
def default_service(tmp_path_factory: pytest.TempPathFactory) -> SummitService:
    """The default refusal threshold (free-text summaries need their text to be similar enough)."""
    return _service(tmp_path_factory.mktemp("default-index"))


def _check_answer_grounded(answer: Answer) -> None:
    assert answer.answered
    assert 1 <= len(answer.quotes) <= 3
    assert answer.citations
    for c in answer.citations:
        assert c.text in FILE_TEXT
        assert c.doc == DOC_ID
        assert 0.0 <= c.score <= 1.0
    for q in answer.quotes:
        assert q.text in FILE_TEXT
        assert q.text in answer.answer
        assert q.n in {c.n for c in answer.citations}
        cited = next(c for c in answer.citations if c.n == q.n)
        assert q.text in cited.text  # each quote comes from the paragraph it cites
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.paragraph for c in answer.citations}) == len(answer.citations)
    # the answer is the quotes and their markers, nothing else
    assert MARKER.sub("", answer.answer) == " ".join(q.text for q in answer.quotes)
    assert len(MARKER.sub("", answer.answer).split()) <= 80


@pytest.mark.parametrize(
    "question",
    [
        "What did Tillerson say about Assad?",
        "What did Lavrov say about cyber-security?",
        "North Korea double freeze sanctions",
        "Who will travel to Kyiv?",
    ],
)
def test_ask_quotes_the_release_verbatim(service: SummitService, question: str) -> None:
    _check_answer_grounded(service.ask(question))


def test_ask_cleans_the_question_and_records_the_speaker(service: SummitService) -> None:
    answer = service.ask("  What did\x07 Lavrov   say about cyber-security?  ")
    assert answer.question == "What did Lavrov say about cyber-security?"
    assert answer.speaker == "Lavrov"
    _check_answer_grounded(answer)


def test_answer_json_matches_the_contract(service: SummitService) -> None:
    obj = service.ask("What did Tillerson say about Assad?").to_json()
    obj = json.loads(json.dumps(obj))  # what a consumer of `ask --json` sees
    assert set(obj) == {"question", "answered", "answer", "citations", "coverage"}
    assert obj["coverage"] == "full"
    assert type(obj["question"]) is str
    assert type(obj["answered"]) is bool
    assert type(obj["answer"]) is str
    assert type(obj["citations"]) is list and obj["citations"]
    for c in obj["citations"]:
        assert set(c) == {"n", "doc", "paragraph", "text", "score"}
        assert type(c["n"]) is int and type(c["paragraph"]) is int
        assert type(c["doc"]) is str and type(c["text"]) is str
        assert type(c["score"]) is float
        assert c["text"] in FILE_TEXT


def test_a_question_below_the_threshold_is_not_answered(tmp_path: Path) -> None:
    strict = _service(tmp_path / "index", SUMMITBOT_MIN_SIMILARITY="0.99")
    answer = strict.ask("What is the capital of Australia?")
    assert not answer.answered
    assert answer.citations == [] and answer.quotes == []
    assert all(name in answer.answer for name in TOPIC_NAMES)
    assert [t.name for t in answer.suggestions] == TOPIC_NAMES
    obj = answer.to_json()
    assert set(obj) == {"question", "answered", "answer", "citations", "coverage"}
    assert obj["answered"] is False and obj["citations"] == [] and obj["coverage"] == "none"


@pytest.mark.parametrize("question", ["", "   ", "<@123> @everyone", "🤝", "x" * 20_000])
def test_bad_questions_raise_bad_question(service: SummitService, question: str) -> None:
    with pytest.raises(BadQuestion):
        service.ask(question)


# --------------------------------------------------------------------------------------- source
def test_source_returns_the_paragraph(service: SummitService) -> None:
    passage = service.source(4)
    assert passage.paragraph == 4 and passage.doc_id == DOC_ID
    assert passage.text.startswith("On Syria, Tillerson said")
    assert passage.text in FILE_TEXT


@pytest.mark.parametrize("paragraph", [0, 9, 99, -1])
def test_source_out_of_range_is_a_user_error(service: SummitService, paragraph: int) -> None:
    with pytest.raises(UserError) as info:
        service.source(paragraph)
    assert "1 to 8" in info.value.message
    assert info.value.exit_code == 1


def test_source_of_an_unknown_document_is_a_user_error(service: SummitService) -> None:
    with pytest.raises(UserError, match="no document"):
        service.source(1, "nope")


# -------------------------------------------------------------------------------------- summary
def test_summary_of_a_known_topic(service: SummitService) -> None:
    summary = service.summary("syria")
    assert summary.topic == "Syria" and summary.known
    obj = json.loads(json.dumps(summary.to_json()))
    assert set(obj) == {"topic", "summary", "citations"}
    assert summary.quotes
    for q in summary.quotes:
        assert q.text in FILE_TEXT and q.text in summary.summary
    for c in obj["citations"]:
        assert set(c) == {"n", "doc", "paragraph", "text", "score"}
        assert c["text"] in FILE_TEXT


@pytest.mark.parametrize("topic", ["", "   ", "zzzz qqqq"])
def test_summary_of_nothing_lists_the_topics(default_service: SummitService, topic: str) -> None:
    with pytest.raises(UnknownTopic) as info:
        default_service.summary(topic)
    message = info.value.message
    assert all(name in message for name in TOPIC_NAMES)
    assert [t.name for t in info.value.topics] == TOPIC_NAMES
    assert info.value.exit_code == 1
    assert "\n" not in message


def test_an_oversized_topic_is_an_unknown_topic_with_a_short_message(service: SummitService) -> None:
    with pytest.raises(UnknownTopic) as info:
        service.summary("Syria " * 5000)
    assert len(info.value.message) < 400


def test_positions_are_grounded(service: SummitService) -> None:
    positions = service.positions("North Korea")
    obj = json.loads(json.dumps(positions.to_json()))
    assert set(obj) == {"topic", "us", "russia", "both", "citations"}
    assert obj["topic"] == "North Korea"
    numbers = {c["n"] for c in obj["citations"]}
    for side in ("us", "russia", "both"):
        for q in obj[side]:
            assert q["text"] in FILE_TEXT and q["n"] in numbers


def test_topics(service: SummitService) -> None:
    assert [t.name for t in service.topics()] == TOPIC_NAMES
    assert all(t.description for t in service.topics())


# -------------------------------------------------------------------------------------- reindex
def test_reindex_picks_up_a_changed_corpus(corpus_copy: Path, tmp_path: Path) -> None:
    fake = FakeEmbedder()
    settings = _settings(tmp_path / "index", corpus_copy, SUMMITBOT_MIN_SIMILARITY="0.1")
    service = SummitService(settings, FakeChooser(fake))
    assert service._open().rebuilt
    calls = fake.calls
    with pytest.raises(UserError):
        service.source(9)

    unchanged = service.reindex()
    assert not unchanged.rebuilt and unchanged.reason == "up to date"
    assert fake.calls == calls + 1  # only the topic queries were encoded again, not the corpus

    added = "On Antarctica, both sides agreed that penguins deserve a zebra-striped observatory."
    txt = corpus_copy / f"{DOC_ID}.txt"
    txt.write_text(txt.read_text(encoding="utf-8") + "\n\n" + added + "\n", encoding="utf-8")
    stats = service.reindex()
    assert stats.rebuilt and stats.reason == "corpus changed"
    assert stats.passages == 9 and service.stats.passages == 9
    assert service.source(9).text == added
    answer = service.ask("penguins zebra-striped observatory Antarctica")
    assert answer.answered
    assert any(c.paragraph == 9 and c.text == added for c in answer.citations)
    # the new paragraph is findable through the summary of free text too
    assert 9 in {c.paragraph for c in service.summary("penguins observatory").citations}
