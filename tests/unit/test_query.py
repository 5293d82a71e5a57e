"""The Query stage: cleaning and validating a question, and what the search looks for (no model)."""

from __future__ import annotations

import pytest

from config.errors import BadQuestion
from retrieval.query import clean_question, parse_query
from retrieval.speakers import Speakers
from tests.conftest import shipped_profile

SPEAKERS = Speakers(shipped_profile().people)

LIMIT = 1000


# ------------------------------------------------------------------------------------ clean_question
@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t  \r\n", "<@123> @everyone", "<@!123> <@&456> <#789> @here", "?!?", "\x00\x01\x1b"],
)
def test_unusable_questions_are_bad_questions(text: str) -> None:
    with pytest.raises(BadQuestion) as info:
        clean_question(text, LIMIT)
    assert info.value.exit_code == 1
    assert "\n" not in info.value.message and info.value.message.strip()


def test_none_is_a_bad_question() -> None:
    with pytest.raises(BadQuestion):
        clean_question(None, LIMIT)  # type: ignore[arg-type]


def test_an_oversized_question_names_the_limit() -> None:
    with pytest.raises(BadQuestion) as info:
        clean_question("why " * 5000, LIMIT)
    assert "1,000" in info.value.message
    assert "20,000" in info.value.message


def test_a_question_at_the_limit_is_accepted() -> None:
    assert clean_question("a" * LIMIT, LIMIT) == "a" * LIMIT
    with pytest.raises(BadQuestion):
        clean_question("a" * (LIMIT + 1), LIMIT)


def test_control_characters_are_stripped_and_whitespace_folded() -> None:
    raw = "What\x00 did\x07\x1b Tillerson\u200b\u2028say\x7f about   Assad?\r\n"
    cleaned = clean_question(raw, LIMIT)
    assert cleaned == "What did Tillerson say about Assad?"
    assert all(ch.isprintable() for ch in cleaned)


def test_emoji_are_kept() -> None:
    assert clean_question("What about Syria? 🇺🇸🤝🇷🇺", LIMIT) == "What about Syria? 🇺🇸🤝🇷🇺"


def test_emoji_only_is_a_bad_question() -> None:
    with pytest.raises(BadQuestion):
        clean_question("🤝🇺🇸🇷🇺", LIMIT)


def test_mentions_are_removed_but_the_question_kept() -> None:
    assert clean_question("<@!123> what about   syria <#456>", LIMIT) == "what about syria"
    assert clean_question("@everyone what did Lavrov say?", LIMIT) == "what did Lavrov say?"


def test_unicode_is_normalised_to_nfc() -> None:
    assert clean_question("Bre\u0300ves?", LIMIT) == "Brèves?"


def test_the_asked_speaker_leaves_the_search_text() -> None:
    query = parse_query("What did Tillerson say about Assad?", SPEAKERS)
    assert query.speaker == "Tillerson"
    assert query.search_text == "What did say about Assad?"
    assert (
        parse_query("Did Trump and Putin discuss Iran?", SPEAKERS).without_people == "Did and discuss Iran?"
    )
    plain = parse_query("What about Syria?", SPEAKERS)
    assert plain.speaker is None and plain.search_text == plain.text == plain.without_people


def test_an_attribution_goes_with_the_name_it_names() -> None:
    # "according to" with nobody after it made a question look unlike the release it is about
    assert parse_query("what didnt work according to tillerson", SPEAKERS).without_people == "what didnt work"
    assert parse_query("In the view of Putin, is Assad legitimate?", SPEAKERS).without_people == (
        "is Assad legitimate?"
    )
    assert parse_query("what is Lavrov's view on Assad", SPEAKERS).without_people == "what is view on Assad"


# ---------------------------------------------------------------------------- hostile characters
@pytest.mark.parametrize(
    "text",
    [
        "Who is Kurt Volker?\ud800",
        "\udcffWho is Kurt\udfff Volker?",
        "Who is Kurt Volker?\udcff",  # an undecodable byte as surrogateescape leaves it
    ],
    ids=["high", "low-inside", "escaped-byte"],
)
def test_lone_surrogates_are_removed(text: str) -> None:
    cleaned = clean_question(text, LIMIT)
    assert cleaned == "Who is Kurt Volker?"
    cleaned.encode("utf-8")  # encodable: the tokenizer and every output accept it


def test_only_surrogates_is_a_bad_question() -> None:
    with pytest.raises(BadQuestion):
        clean_question("\ud800\udcff\udfff", LIMIT)


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[31mWho is Kurt Volker?",
        "\x1b[1;31mWho is Kurt Volker?\x1b[0m",
        "\x1b[38;5;196mWho is \x1b[0mKurt Volker?",
        "\x1b]0;window title\x07Who is Kurt Volker?",
        "\x1b]8;;http://example.com\x1b\\Who is Kurt Volker?\x1b]8;;\x1b\\",
        "\x9b31mWho is Kurt Volker?",  # the 8-bit CSI
        "\x1b(BWho is Kurt Volker?",
        "\x1b[?25lWho is Kurt Volker?\x1b[?25h",
    ],
    ids=["sgr", "sgr-reset", "256-colour", "osc-bel", "osc-hyperlink", "c1-csi", "charset", "private-mode"],
)
def test_terminal_escape_sequences_are_removed_whole(text: str) -> None:
    assert clean_question(text, LIMIT) == "Who is Kurt Volker?"


def test_a_bare_escape_or_bracket_text_is_kept_apart_from_sequences() -> None:
    assert clean_question("Who is [31] Kurt\x1b Volker?", LIMIT) == "Who is [31] Kurt Volker?"
