"""Corpus chunking: furniture, paragraphs, sentences, offsets, ids and the corpus folder's rules."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from config.errors import SetupError
from retrieval.documents import corpus_hash, load_corpus, read_documents, sentence_spans
from tests.conftest import CORPUS

DOC_ID = "summit-2017-07-press-release"
FILE_TEXT = (CORPUS / f"{DOC_ID}.txt").read_text(encoding="utf-8")
TITLE = "Trump and Putin Agree They Have Same Goals, Different Approaches"


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return load_corpus(CORPUS)


def _paragraph(corpus, n: int):  # type: ignore[no-untyped-def]
    return [s for s in corpus.sentences if s.paragraph == n]


# ------------------------------------------------------------------------------------- paragraphs
def test_the_release_has_exactly_eight_paragraphs_numbered_in_order(corpus) -> None:  # type: ignore[no-untyped-def]
    assert [p.paragraph for p in corpus.passages] == list(range(1, 9))
    assert [p.pid for p in corpus.passages] == [f"{DOC_ID}#p{n}" for n in range(1, 9)]
    assert corpus.passages[0].text.startswith("EIRNS—The separate press briefings")
    assert corpus.passages[3].text.startswith("On Syria, Tillerson said")
    assert corpus.passages[-1].text.endswith('that’s another issue."')


@pytest.mark.parametrize(
    "furniture",
    ["News / Brèves", "Back to previous selection", "Printable version", "PRESS RELEASE", TITLE],
)
def test_site_furniture_never_becomes_a_passage_or_sentence(corpus, furniture: str) -> None:  # type: ignore[no-untyped-def]
    assert furniture in FILE_TEXT  # the line really is in the file ...
    for p in corpus.passages:  # ... but in no passage or sentence
        assert furniture not in p.text
    for s in corpus.sentences:
        assert furniture not in s.text


def test_passages_cover_all_content_and_nothing_else(corpus) -> None:  # type: ignore[no-untyped-def]
    content = FILE_TEXT[FILE_TEXT.index("EIRNS") :].strip()
    assert "\n\n".join(p.text for p in corpus.passages) == content


# -------------------------------------------------------------------------------------- sentences
def test_abbreviations_us_and_un_do_not_split_sentences(corpus) -> None:  # type: ignore[no-untyped-def]
    texts = [s.text for s in corpus.sentences]
    assert any(
        "Sergey Lavrov and U.S. Secretary of State Rex Tillerson were in total agreement" in t for t in texts
    )
    assert any("nor their promotion by U.N. Ambassador Nikki Haley." in t for t in texts)
    for t in texts:
        assert not t.endswith(("U.S.", "U.N.")), t
        assert not t.startswith(("S. ", "N. ", "Secretary of State Rex", "Ambassador Nikki")), t
    assert len(_paragraph(corpus, 7)) == 2


def test_the_quotation_in_paragraph_2_is_split_into_its_sentences(corpus) -> None:  # type: ignore[no-untyped-def]
    texts = [s.text for s in _paragraph(corpus, 2)]
    assert texts == [
        '"The two leaders, I would say, connected very quickly.',
        "There was a very clear positive chemistry between the two.",
        "The positive thing I observed, and I’ve had many, many meetings with President Putin before, is "
        "that there was not a lot of relitigating of the past.",
        "I think both of the leaders feel like there’s a lot in the past that both of us are unhappy about.",
        "The perspective of both of them is that this is a very important relationship, the two largest "
        "nuclear powers in this world....",
        'We simply have to find a way to move forward."',
    ]
    assert [s.index for s in _paragraph(corpus, 2)] == [1, 2, 3, 4, 5, 6]


def test_the_quote_introducer_ends_paragraph_1_as_its_own_sentence(corpus) -> None:  # type: ignore[no-untyped-def]
    assert _paragraph(corpus, 1)[-1].text == "Tillerson said,"


def test_sentence_spans_handles_quoted_sentences_in_plain_text() -> None:
    text = 'He said, "One thing. Two things." Then he left.'
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == ['He said, "One thing.', 'Two things."', "Then he left."]


# ---------------------------------------------------------------------------------------- offsets
def test_every_passage_and_sentence_is_its_document_slice_and_in_the_file(corpus) -> None:  # type: ignore[no-untyped-def]
    doc = corpus.document(DOC_ID)
    assert doc.text == FILE_TEXT
    for item in [*corpus.passages, *corpus.sentences]:
        assert item.text == doc.text[item.start : item.end]
        assert item.text in FILE_TEXT
        assert item.text == item.text.strip() and item.text
    for s in corpus.sentences:
        p = corpus.passage(s.doc_id, s.paragraph)
        assert p is not None and p.start <= s.start < s.end <= p.end


def test_sentences_of_a_paragraph_are_ordered_and_do_not_overlap(corpus) -> None:  # type: ignore[no-untyped-def]
    for p in corpus.passages:
        sents = _paragraph(corpus, p.paragraph)
        assert [s.index for s in sents] == list(range(1, len(sents) + 1))
        for a, b in pairwise(sents):
            assert a.end <= b.start
        # together the sentences are the whole paragraph (only whitespace between them)
        rebuilt = " ".join(s.text for s in sents)
        assert " ".join(rebuilt.split()) == " ".join(p.text.split())


def test_ids_are_stable_across_two_loads() -> None:
    a, b = load_corpus(CORPUS), load_corpus(CORPUS)
    assert [(p.pid, p.start, p.end) for p in a.passages] == [(p.pid, p.start, p.end) for p in b.passages]
    assert [(s.sid, s.start, s.end, s.speaker) for s in a.sentences] == [
        (s.sid, s.start, s.end, s.speaker) for s in b.sentences
    ]
    assert len({s.sid for s in a.sentences}) == len(a.sentences)
    assert corpus_hash(a.documents) == corpus_hash(b.documents)


# ------------------------------------------------------------------------------- the corpus folder
SECOND_TEXT = """News / Brèves

A Second Release

Printable version / Version imprimable

PRESS RELEASE

Lavrov said that the talks were useful. Tillerson agreed.

On trade, nothing was decided.
"""
SECOND_META = 'title = "A Second Release"\nsource = "Test wire"\ndate = "August 2017"\n'


def test_a_second_document_in_the_folder_is_loaded_with_its_own_ids(corpus_copy: Path, corpus) -> None:  # type: ignore[no-untyped-def]
    (corpus_copy / "second-release.txt").write_text(SECOND_TEXT, encoding="utf-8")
    (corpus_copy / "second-release.toml").write_text(SECOND_META, encoding="utf-8")
    both = load_corpus(corpus_copy)
    assert sorted(d.doc_id for d in both.documents) == ["second-release", DOC_ID]
    second = [p for p in both.passages if p.doc_id == "second-release"]
    assert [(p.pid, p.paragraph, p.text) for p in second] == [
        ("second-release#p1", 1, "Lavrov said that the talks were useful. Tillerson agreed."),
        ("second-release#p2", 2, "On trade, nothing was decided."),
    ]
    doc = both.document("second-release")
    assert doc.title == "A Second Release" and doc.source == "Test wire" and doc.date == "August 2017"
    for s in both.sentences:
        if s.doc_id == "second-release":
            assert s.sid.startswith("second-release#p")
            assert s.text == doc.text[s.start : s.end]
    assert next(s.speaker for s in both.sentences if s.doc_id == "second-release") == "Lavrov"
    # the first document's ids do not change because another document arrived
    first = [(p.pid, p.start, p.end) for p in both.passages if p.doc_id == DOC_ID]
    assert first == [(p.pid, p.start, p.end) for p in corpus.passages]
    assert corpus_hash(both.documents) != corpus_hash(corpus.documents)


def test_a_missing_corpus_folder_is_a_setup_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SetupError, match="does not exist") as info:
        load_corpus(missing)
    assert str(missing) in info.value.message
    assert info.value.exit_code == 2


def test_an_empty_corpus_folder_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match=r"no \.txt or \.md documents"):
        read_documents(tmp_path)


def test_a_document_without_metadata_is_a_setup_error(corpus_copy: Path) -> None:
    (corpus_copy / "orphan.txt").write_text("Some paragraph.\n", encoding="utf-8")
    with pytest.raises(SetupError, match=r"orphan\.txt has no metadata file orphan\.toml"):
        load_corpus(corpus_copy)


def test_metadata_without_a_title_is_a_setup_error(corpus_copy: Path) -> None:
    (corpus_copy / f"{DOC_ID}.toml").write_text('source = "x"\ndate = "y"\n', encoding="utf-8")
    with pytest.raises(SetupError, match=r"\.toml lacks title"):
        load_corpus(corpus_copy)


def test_a_blank_title_counts_as_missing(corpus_copy: Path) -> None:
    (corpus_copy / f"{DOC_ID}.toml").write_text('title = "  "\nsource = "x"\ndate = "y"\n', encoding="utf-8")
    with pytest.raises(SetupError, match="lacks title"):
        load_corpus(corpus_copy)


def test_unparsable_metadata_is_a_setup_error(corpus_copy: Path) -> None:
    (corpus_copy / f"{DOC_ID}.toml").write_text("title = \n", encoding="utf-8")
    with pytest.raises(SetupError, match="Cannot read"):
        load_corpus(corpus_copy)


def test_a_document_of_only_furniture_is_a_setup_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("News / Brèves\n\nPRESS RELEASE\n\nEmpty\n", encoding="utf-8")
    (tmp_path / "empty.toml").write_text('title = "Empty"\nsource = "s"\ndate = "d"\n', encoding="utf-8")
    with pytest.raises(SetupError, match="no paragraphs"):
        load_corpus(tmp_path)
