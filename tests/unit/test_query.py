"""The Query stage: cleaning and validating a question, and what the search looks for (no model)."""

from __future__ import annotations

import pytest

from config.errors import BadQuestion
from retrieval.query import clean_question, parse_query

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
    query = parse_query("What did Tillerson say about Assad?")
    assert query.speaker == "Tillerson"
    assert query.search_text == "What did say about Assad?"
    assert parse_query("Did Trump and Putin discuss Iran?").without_people == "Did and discuss Iran?"
    plain = parse_query("What about Syria?")
    assert plain.speaker is None and plain.search_text == plain.text == plain.without_people
