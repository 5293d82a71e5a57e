"""Clauses and sides: which part of a sentence is the U.S. position, which the Russian one."""

from __future__ import annotations

import pytest

from retrieval.documents import load_corpus
from retrieval.hybrid import Hit
from retrieval.positions import SideTable, clauses, split_positions
from tests.conftest import CORPUS, shipped_profile

SIDES = SideTable(shipped_profile())
actors, side_of = SIDES.actors, SIDES.side_of
CORPUS_DATA = load_corpus(CORPUS)
FILE_TEXT = CORPUS_DATA.documents[0].text
PASSAGE_TEXT = {(p.doc_id, p.paragraph): p.text for p in CORPUS_DATA.passages}
NORTH_KOREA = (
    "On North Korea, Putin supports the double freeze approach advanced by Xi Jingping, but Trump believes "
    "continuing sanctions are necessary."
)


def sentence(prefix: str):  # type: ignore[no-untyped-def]
    found = [s for s in CORPUS_DATA.sentences if s.text.startswith(prefix)]
    assert len(found) == 1, prefix
    return found[0]


# ------------------------------------------------------------------------------------------ clauses
def test_clauses_split_at_comma_but() -> None:
    parts = [NORTH_KOREA[s:e] for s, e in clauses(NORTH_KOREA)]
    assert parts == [
        "On North Korea, Putin supports the double freeze approach advanced by Xi Jingping",
        "Trump believes continuing sanctions are necessary.",
    ]


def test_clauses_split_at_semicolons_and_are_offsets_into_the_text() -> None:
    text = "Russia wants a channel; Washington agreed, but Kyiv was not asked."
    spans = clauses(text)
    assert [text[s:e] for s, e in spans] == [
        "Russia wants a channel",
        "Washington agreed",
        "Kyiv was not asked.",
    ]
    assert all(0 <= s < e <= len(text) for s, e in spans)


@pytest.mark.parametrize(
    "text",
    [
        "Tillerson referred to disruption of economic activity.",
        "They agree but differ.",  # no comma: not a clause break
        "Lavrov pointed out that this problem involves pornography and pedophilia.",
    ],
)
def test_a_sentence_without_a_break_is_one_clause(text: str) -> None:
    assert clauses(text) == [(0, len(text))]


def test_every_clause_of_the_release_is_a_substring_of_the_file() -> None:
    for s in CORPUS_DATA.sentences:
        for start, end in clauses(s.text):
            assert s.text[start:end] in FILE_TEXT
            assert s.text[start:end].strip()


# ------------------------------------------------------------------------------------------ side_of
@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("On North Korea, Putin supports the double freeze approach advanced by Xi Jingping", "russia"),
        ("Trump believes continuing sanctions are necessary.", "us"),
        ("Lavrov pointed out that this problem involves pornography and pedophilia.", "russia"),
        ("Tillerson referred to disruption of economic activity.", "us"),
        (
            "On Ukraine, Russia requested that a special channel be opened to resolve differences "
            "on this issue.",
            "russia",
        ),
        (
            "Putin retains his view that Assad is the legitimate President of Syria, and that transparent "
            "elections by the Syrian people should continue to decide on their leadership.",
            "russia",
        ),
        ("Putin firmly denied Russia’s involvement.", "russia"),
        (
            "On cyber-security, both sides agreed to establish a working group to collaborate on this issue.",
            "both",
        ),
        ("The United States, Russia, and Jordan agreed to maintain that ceasefire.", "both"),
        (
            "Both parties agreed on a ceasefire involving a zone in Southwest Syria near the "
            "Jordanian border.",
            "both",
        ),
        (
            "Both sides did agree on establishing firm mutual commitments to avoid such activity "
            "in the future.",
            "both",
        ),
    ],
)
def test_side_of_sentences_from_the_release(text: str, side: str) -> None:
    assert text in FILE_TEXT
    assert side_of(text, None) == side


def test_a_leading_on_phrase_does_not_decide_the_side() -> None:
    # the actor named in "On Russia's request," / "When asked about Russian hacking," is not the
    # one taking the position: only the body after the phrase counts
    assert side_of("On Russia’s request, Tillerson said that a channel would open.", None) == "us"
    assert side_of("When asked about Russian hacking, Tillerson said it was discussed.", None) == "us"


def test_neither_nor_is_nobodys_position() -> None:
    text = (
        "Neither Tillerson nor Lavrov mentioned the possibility of military counter-measures nor their "
        "promotion by U.N. Ambassador Nikki Haley."
    )
    assert text in FILE_TEXT
    assert actors(text)  # it names actors of both sides ...
    assert side_of(text, None) is None  # ... yet states no one's position
    assert side_of(text, "Tillerson") is None
    assert side_of('"Neither side gave way."', "Lavrov") is None


def test_without_an_actor_the_speaker_decides() -> None:
    text = "That didn’t work."
    assert side_of(text, "Tillerson") == "us"
    assert side_of(text, "Lavrov") == "russia"
    assert side_of(text, None) is None
    assert side_of("His appointment was announced by the State Department this morning.", None) is None


def test_actors_lists_sides_in_order() -> None:
    assert actors("Putin met Tillerson in Moscow") == ["russia", "us", "russia"]
    assert actors("Lavrov’s translator") == []  # a possessive is not the actor
    assert actors("U.S. officials and the United States") == ["us", "us"]


# ------------------------------------------------------------------------------------ split_positions
def test_split_positions_puts_each_clause_on_its_side_with_one_citation() -> None:
    hits = [
        Hit(sentence("On North Korea, Putin supports"), 0.9, 0.5, 0.5),
        Hit(sentence("Neither Tillerson nor Lavrov"), 0.8, 0.5, 0.5),
    ]
    positions = split_positions("North Korea", hits, PASSAGE_TEXT, SIDES)
    assert [q.text for q in positions.side("russia")] == [
        "On North Korea, Putin supports the double freeze approach advanced by Xi Jingping"
    ]
    assert [q.text for q in positions.side("us")] == ["Trump believes continuing sanctions are necessary."]
    assert positions.both == []
    assert [(c.n, c.paragraph) for c in positions.citations] == [(1, 7)]
    assert all(q.n == 1 for q in positions.side("us") + positions.side("russia"))
    for q in positions.side("us") + positions.side("russia"):
        assert q.text in FILE_TEXT
    assert set(positions.to_json()) == {"topic", "us", "russia", "both", "citations"}


def test_split_positions_numbers_paragraphs_by_first_appearance() -> None:
    hits = [
        Hit(sentence("Lavrov pointed out"), 0.9, 0.5, 0.5),
        Hit(sentence("Putin retains his view"), 0.8, 0.5, 0.5),
        Hit(sentence("On cyber-security, both sides"), 0.7, 0.5, 0.5),
    ]
    positions = split_positions("mixed", hits, PASSAGE_TEXT, SIDES)
    assert [(c.n, c.paragraph) for c in positions.citations] == [(1, 6), (2, 4)]
    assert [(q.n, q.speaker) for q in positions.side("russia")] == [(1, "Lavrov"), (2, "Putin")]
    assert [q.n for q in positions.both] == [1]
