"""The corpus profile: the shipped one, a corpus without one (generic), Markdown documents, bad
profiles, and /reindex reloading it (fake embedder, no model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.errors import SetupError, UserError
from retrieval.documents import load_corpus, read_documents
from retrieval.positions import SideTable
from retrieval.profile import generic_profile, load_profile, top_terms
from retrieval.service import SummitService
from retrieval.speakers import Speakers
from tests.conftest import CORPUS, ROOT, TOPIC_NAMES, make_settings, shipped_profile
from tests.fakes import FakeChooser

HANDBOOK = ROOT / "tests" / "data" / "handbook"
HANDBOOK_TEXT = (HANDBOOK / "library-handbook.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ the shipped profile
def test_the_shipped_profile_holds_this_releases_knowledge() -> None:
    profile = shipped_profile()
    assert profile.path == CORPUS / "profile.toml"
    assert [t.name for t in profile.topics] == TOPIC_NAMES
    assert [p.name for p in profile.people] == ["Tillerson", "Lavrov", "Putin", "Trump"]
    assert {p.name: p.side for p in profile.people} == {
        "Tillerson": "us",
        "Lavrov": "russia",
        "Putin": "russia",
        "Trump": "us",
    }
    assert [(s.id, s.label) for s in profile.sides] == [("us", "United States"), ("russia", "Russia")]
    assert "Sergey Lavrov" in profile.names and "the Kremlin chief" in profile.names
    assert len(profile.off_topic) >= 40
    assert profile.collection.name == "press release" and profile.collection.short == "release"


def test_the_shipped_sides_place_the_release_actors() -> None:
    sides = SideTable(shipped_profile())
    assert sides.actors("Putin met Tillerson in Moscow after Haley spoke") == ["russia", "us", "russia", "us"]
    assert sides.side_of("Both sides agreed to a working group.", None) == "both"


# ---------------------------------------------------------------------------------- Markdown
def test_markdown_paragraphs_are_blocks_and_list_items_without_headings() -> None:
    corpus = load_corpus(HANDBOOK)
    (doc,) = corpus.documents
    assert doc.path == "library-handbook.md" and doc.title == "Riverside Library member handbook"
    texts = [p.text for p in corpus.passages]
    assert not any(t.lstrip().startswith(("#", "---")) for t in texts)  # headings and rules are furniture
    assert texts[0].startswith("The library opens at 9 a.m.")
    assert "Films and music may be borrowed for one week." in texts  # one list item, no bullet
    assert "Reference books and newspapers stay in the reading room." in texts
    assert texts[-1] == "*Questions? Ask a librarian at the front desk.*"
    assert len(texts) == 8
    for p in corpus.passages:  # citations stay verbatim: every passage is the file's own text
        assert HANDBOOK_TEXT[p.start : p.end] == p.text
    # a hard-wrapped paragraph splits at its sentences, not at its lines
    loans = [s.text for s in corpus.sentences if s.paragraph == 2]
    assert loans[1].startswith("The loan period is three weeks") and loans[1].endswith("reserved the book.")
    for s in corpus.sentences:
        assert HANDBOOK_TEXT[s.start : s.end] == s.text
        assert s.speaker is None  # no profile, no people


def test_fenced_code_is_furniture_and_numbered_items_are_paragraphs(tmp_path: Path) -> None:
    text = "# Title\n\nIntro line one\nand two.\n\n```\ncode = 1\n```\n\n1. First step.\n2) Second step.\n"
    (tmp_path / "guide.md").write_text(text, encoding="utf-8")
    (tmp_path / "guide.toml").write_text('title = "Guide"\nsource = "s"\ndate = "d"\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [p.text for p in corpus.passages] == ["Intro line one\nand two.", "First step.", "Second step."]


def test_a_txt_and_an_md_with_one_name_are_a_setup_error(tmp_path: Path) -> None:
    for name in ("a.txt", "a.md"):
        (tmp_path / name).write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "a.toml").write_text('title = "A"\nsource = "s"\ndate = "d"\n', encoding="utf-8")
    with pytest.raises(SetupError, match="share one metadata file"):
        read_documents(tmp_path)


# ----------------------------------------------------------------------------- without a profile
def test_without_a_profile_everything_is_generic() -> None:
    documents = read_documents(HANDBOOK)
    profile = load_profile(HANDBOOK, documents)
    assert profile == generic_profile(documents) and profile.path is None
    assert profile.people == () and profile.sides == () and profile.off_topic == ()
    assert profile.collection.title == "the document “Riverside Library member handbook”"
    (topic,) = profile.topics
    assert topic.name == "Riverside Library member handbook"
    assert "library" in topic.description and "book" in topic.description
    assert not SideTable(profile)
    speakers = Speakers(profile.people)
    assert speakers.named_speaker("Tillerson said that it went well.") is None
    assert speakers.asked_speaker("What did Tillerson say?") is None
    assert speakers.without_speaker("What did Tillerson say?") == "What did Tillerson say?"


def test_top_terms_skip_stop_words_and_count_words() -> None:
    assert top_terms("The book and the books. A book, the library; library book.", 2) == ["book", "library"]


@pytest.fixture(scope="module")
def handbook_service(tmp_path_factory: pytest.TempPathFactory) -> SummitService:
    index_dir = tmp_path_factory.mktemp("handbook-index")
    settings = make_settings(
        index_dir, HANDBOOK, SUMMITBOT_MODEL="fake-model", SUMMITBOT_MIN_SIMILARITY="0.1"
    )
    service = SummitService(settings, FakeChooser())
    service._open()
    return service


def test_the_service_without_a_profile_has_generic_topics_and_words(handbook_service: SummitService) -> None:
    assert [t.name for t in handbook_service.topics()] == ["Riverside Library member handbook"]
    assert handbook_service.collection().name == "document"
    summary = handbook_service.summary("Riverside Library member handbook")
    assert summary.known and summary.quotes
    assert all(q.text in HANDBOOK_TEXT for q in summary.quotes)
    with pytest.raises(UserError, match=r"no profile\.toml naming people and their sides"):
        handbook_service.positions("borrowing")


def test_a_profile_of_another_corpus_names_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(HANDBOOK, corpus)
    (corpus / "profile.toml").write_text(
        '[collection]\ntitle = "the Riverside Library handbook"\nname = "handbook"\n\n'
        '[[topic]]\nname = "Loans"\ndescription = "Borrowing."\nquery = "borrow books loan period renew"\n',
        encoding="utf-8",
    )
    profile = load_profile(corpus, read_documents(corpus))
    assert [t.name for t in profile.topics] == ["Loans"]
    assert (profile.collection.name, profile.collection.short) == ("handbook", "handbook")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[side]]\nid = "a"\nlabel = "A"\n\n[[person]]\nname = "X"\nside = "b"\n', "not one of the"),
        ('[[side]]\nid = "both"\nlabel = "Both"\n', "side ids"),
        ('[[side]]\nid = "a"\nlabel = "A"\n\n[[actor]]\npattern = "(unclosed"\nside = "a"\n', "bad pattern"),
        ("[[person]]\naliases = []\n", "lacks a name"),
        ("[collection\n", "Cannot read the profile"),
    ],
)
def test_a_bad_profile_is_a_setup_error_naming_the_entry(tmp_path: Path, text: str, words: str) -> None:
    shutil.copytree(HANDBOOK, tmp_path / "corpus")
    (tmp_path / "corpus" / "profile.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SetupError, match=words):
        load_profile(tmp_path / "corpus", read_documents(tmp_path / "corpus"))


def test_summitbot_profile_points_at_another_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", HANDBOOK, SUMMITBOT_PROFILE=str(CORPUS / "profile.toml"))
    assert settings.profile_file == CORPUS / "profile.toml"
    profile = load_profile(HANDBOOK, read_documents(HANDBOOK), settings.profile_file)
    assert [t.name for t in profile.topics] == TOPIC_NAMES
    with pytest.raises(SetupError, match="SUMMITBOT_PROFILE"):
        load_profile(HANDBOOK, [], tmp_path / "missing.toml")


# ------------------------------------------------------------------------------------- /reindex
def test_reindex_reloads_the_profile_and_its_topics(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(HANDBOOK, corpus)
    settings = make_settings(tmp_path / "index", corpus, SUMMITBOT_MODEL="fake-model")
    service = SummitService(settings, FakeChooser())
    service._open()
    assert [t.name for t in service.topics()] == ["Riverside Library member handbook"]
    (corpus / "profile.toml").write_text(
        '[collection]\nname = "handbook"\n\n[[side]]\nid = "staff"\nlabel = "Staff"\n\n'
        '[[person]]\nname = "Librarian"\naliases = ["librarian", "a librarian"]\nside = "staff"\n\n'
        '[[topic]]\nname = "Loans"\ndescription = "Borrowing."\nquery = "borrow books loan period renew"\n',
        encoding="utf-8",
    )
    stats = service.reindex()
    assert stats.rebuilt and stats.reason == "chunking settings changed"  # the people changed
    assert [t.name for t in service.topics()] == ["Loans"]
    assert service.collection().name == "handbook"
    assert [s.id for s in service.positions("Loans").sides] == ["staff"]
