"""Who speaks in each sentence of the release, and whom a question asks about."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrieval.documents import load_corpus
from retrieval.speakers import Speakers, attribute_speakers, quoted_speakers
from retrieval.types import Sentence
from tests.conftest import CORPUS, shipped_profile

SPEAKERS = Speakers(shipped_profile().people)
asked_speaker, canonical, named_speaker = SPEAKERS.asked_speaker, SPEAKERS.canonical, SPEAKERS.named_speaker


@pytest.fixture(scope="module")
def by_start():  # type: ignore[no-untyped-def]
    """The release's sentences, found by how they begin."""
    sentences = load_corpus(CORPUS).sentences

    def find(prefix: str) -> Sentence:
        found = [s for s in sentences if s.text.startswith(prefix)]
        assert len(found) == 1, f"{prefix!r} matches {len(found)} sentences"
        return found[0]

    find.all = sentences  # type: ignore[attr-defined]
    return find


def test_the_quotation_of_paragraph_2_is_tillersons(by_start) -> None:  # type: ignore[no-untyped-def]
    paragraph_2 = [s for s in by_start.all if s.paragraph == 2]
    assert len(paragraph_2) == 6
    assert all(s.speaker == "Tillerson" for s in paragraph_2)
    assert all(s.quoted for s in paragraph_2)
    # the attribution comes from "Tillerson said," at the end of paragraph 1: change that name
    # and the quotation changes hands
    introducer = by_start.all[1]
    assert (introducer.paragraph, introducer.text) == (1, "Tillerson said,")
    swapped = [replace(s, text="Lavrov said,") if s is introducer else s for s in by_start.all]
    assert {s.speaker for s in attribute_speakers(swapped, SPEAKERS) if s.paragraph == 2} == {"Lavrov"}


def test_a_quote_opening_a_paragraph_without_an_introducer_has_no_speaker() -> None:
    raw = [
        Sentence("d#p1.s1", "d", 1, 1, 0, 10, "The weather was fine."),
        Sentence("d#p2.s1", "d", 2, 1, 12, 30, '"We had a good time.'),
        Sentence("d#p2.s2", "d", 2, 2, 31, 50, 'It went well."'),
    ]
    out = attribute_speakers(raw, SPEAKERS)
    assert [s.speaker for s in out] == [None, None, None]
    assert [s.quoted for s in out] == [False, True, True]


def test_the_introducer_is_forgotten_after_a_plain_sentence() -> None:
    raw = [
        Sentence("d#p1.s1", "d", 1, 1, 0, 10, "Lavrov said,"),
        Sentence("d#p1.s2", "d", 1, 2, 11, 20, "Nothing else happened."),
        Sentence("d#p2.s1", "d", 2, 1, 22, 40, '"A quote."'),
    ]
    assert [s.speaker for s in attribute_speakers(raw, SPEAKERS)] == ["Lavrov", None, None]


@pytest.mark.parametrize(
    ("start", "speaker"),
    [
        ("Lavrov pointed out that this problem involves pornography", "Lavrov"),
        ("Tillerson referred to disruption of economic activity", "Tillerson"),
        ("He said that he agreed with Trump’s decision", "Tillerson"),
        ("When asked if Putin asked for evidence, he said that he did", "Tillerson"),
        ("Putin retains his view that Assad is the legitimate President", "Putin"),
        ("In response to a question, Tillerson said that the United States", "Tillerson"),
        ("The translator of Lavrov’s remarks said", "Lavrov"),
        ("Tillerson illustrated the strength", "Tillerson"),
        ("That didn’t work.", "Tillerson"),  # inside the quotation Tillerson opened in ¶3
        ("Now, how we get there, that’s another issue.", "Tillerson"),
    ],
)
def test_sentence_speakers(by_start, start: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    assert by_start(start).speaker == speaker


@pytest.mark.parametrize(
    "start",
    [
        "EIRNS—The separate press briefings",
        "On Ukraine, Russia requested",
        "In response, Trump has appointed Ambassador Kurt Volker",
        "His appointment was announced",
        "On cyber-security, both sides agreed",
        "Both sides did agree on establishing",
        "On North Korea, Putin supports",
        "Neither Tillerson nor Lavrov mentioned",
        "Both foreign ministers stressed",
    ],
)
def test_narrator_sentences_have_no_speaker(by_start, start: str) -> None:  # type: ignore[no-untyped-def]
    sentence = by_start(start)
    assert sentence.speaker is None
    assert not sentence.quoted


def test_the_speaker_of_one_document_does_not_carry_into_the_next() -> None:
    raw = [
        Sentence("a#p1.s1", "a", 1, 1, 0, 10, "Tillerson said that it went well."),
        Sentence("b#p1.s1", "b", 1, 1, 0, 10, "He said that it rained."),
    ]
    assert [s.speaker for s in attribute_speakers(raw, SPEAKERS)] == ["Tillerson", None]


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did Lavrov say about cyber-security?", "Lavrov"),
        ("what did lavrov say about the working group", "Lavrov"),
        ("According to Tillerson, what happened in Syria?", "Tillerson"),
        ("What is Putin's view on Assad?", "Putin"),
        ("What is Putin’s view on Assad?", "Putin"),
        ("What did Secretary Tillerson say about North Korea?", "Tillerson"),
        ("What does Lavrov think about hacking?", "Lavrov"),
        ("Did Trump mention sanctions?", "Trump"),
        ("What did Sergei Lavrov say?", "Lavrov"),
        ("What was Rex Tillerson's position on Assad?", "Tillerson"),
    ],
)
def test_asked_speaker(question: str, speaker: str) -> None:
    assert asked_speaker(question) == speaker


@pytest.mark.parametrize(
    "question",
    [
        "What happened in Syria?",
        "Who is Putin?",
        "What did they agree on North Korea?",
        "What is the capital of Australia?",
        "Tell me about the meeting between Trump and Putin",
        # Asking for something is an act others report ("When asked if Putin asked for evidence,
        # he [Tillerson] said that he did"), not words of one's own.
        "did putin ask for evidence",
        "did putin even ask to see proof",
        "",
    ],
)
def test_questions_without_a_speaker(question: str) -> None:
    assert asked_speaker(question) is None


def test_canonical_names_and_attributions() -> None:
    assert canonical("president  putin") == "Putin"
    assert canonical("Secretary of State") == "Tillerson"
    assert canonical("Xi Jingping") is None
    assert named_speaker("Lavrov stressed that it matters.") == "Lavrov"
    assert named_speaker("Lavrov met Tillerson.") is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is Putin's view on Assad?", "what is Tillerson's view on Assad?"),
        ("What did Rex Tillerson say about Syria", "What did Tillerson say about Syria"),
        ("what is the us position on assad?", "according to Tillerson, what is the us position on assad?"),
    ],
)
def test_a_question_is_asked_of_another_person(question: str, expected: str) -> None:
    assert SPEAKERS.with_person(question, "Tillerson") == expected
    assert Speakers().with_person("What happened?", "Lavrov") == "according to Lavrov, what happened?"


def test_the_names_the_release_lets_speak_or_state_a_position(by_start) -> None:  # type: ignore[no-untyped-def]
    from retrieval.speakers import heard_names

    heard = heard_names(by_start.all)
    assert {"tillerson", "lavrov", "putin", "trump", "russia"} <= heard  # "Russia requested ..."
    assert "haley" not in heard and "jordan" not in heard  # named, never heard from


def test_only_tillerson_is_quoted_word_for_word(by_start) -> None:  # type: ignore[no-untyped-def]
    # Putin's view sits in a paragraph whose quotation is never seen closed ("de-escalation.),
    # so it counts as quoted there; it holds no quotation mark of its own: reported speech.
    putin = by_start("Putin retains his view")
    assert putin.speaker == "Putin" and putin.quoted
    assert quoted_speakers(by_start.all) == frozenset({"Tillerson"})
    assert quoted_speakers([replace(putin, text='Putin said, "We were not involved."')]) == {"Putin"}


def test_the_people_a_question_names() -> None:
    speakers = Speakers(shipped_profile().people)
    assert speakers.named("whats the actual quote from putin when he denied it") == ["Putin"]
    assert sorted(speakers.named("did trump take putin's word")) == ["Putin", "Trump"]
    assert speakers.named("what did the ministers agree on syria") == []


def test_a_first_name_is_the_person() -> None:
    # People call them by first name ("rex"): the person asked about, and a name the search
    # leaves out like the surname, not a person the release "only mentions".
    assert asked_speaker("what did rex say about the past") == "Tillerson"
    assert asked_speaker("according to sergey, what is cyber-security about") == "Lavrov"
    assert asked_speaker("what did vlad say about the hacking") == "Putin"  # a nickname too
    assert SPEAKERS.named("why does rex think this relationship matters") == ["Tillerson"]
    stripped = SPEAKERS.without_speaker("what did rex say about the past", "Tillerson")
    assert stripped == "what did say about the past"
    # An epithet is not a first name: it stays in the search text.
    assert "top diplomat" in SPEAKERS.without_speaker("what did moscow's top diplomat say", "Lavrov")
