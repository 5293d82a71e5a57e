"""The pure render helpers of the community features: thread names, /feedback, /settings."""

from __future__ import annotations

from cogs import render
from cogs.feedback import VOTE_PREFIX, question_of
from retrieval.api import FeedbackSummary
from retrieval.feedback import QuestionFeedback


def test_thread_names_lose_mentions_and_markup_and_fit_100_characters() -> None:
    name = render.thread_name(
        "<@123> @everyone **what** did <#55> Tillerson say " + "about Assad " * 20 + "?"
    )
    assert len(name) <= render.THREAD_NAME_LIMIT
    assert "<@" not in name and "@everyone" not in name and "<#" not in name and "*" not in name
    assert name.startswith("what did Tillerson say about Assad")
    assert render.thread_name("<@1> @here") == "Question"


def test_feedback_embed_fits_discords_limits() -> None:
    answers = [
        QuestionFeedback("q" * 900 + f" {i} <@42>", 1, 5, ["reason <@&7> " * 40] * 5) for i in range(30)
    ]
    embed = render.feedback_embed(FeedbackSummary(30, 150, answers))
    assert len(embed) <= render.EMBED_TOTAL_LIMIT and len(embed.fields) <= 10
    assert all(len(f.name or "") <= render.FIELD_NAME_LIMIT for f in embed.fields)
    assert "<@42>" not in str(embed.to_dict())
    empty = render.feedback_embed(FeedbackSummary(0, 0, []))
    assert "No votes yet" in (empty.description or "")


def test_answer_channels_text_marks_the_environments_channels() -> None:
    text = render.answer_channels_text({1, 2}, {2, 3}, threads=False)
    assert "<#1>\n" in text and "<#2> (from SUMMITBOT_ANSWER_CHANNELS)" in text and "with a reply" in text
    assert "No answer channels" in render.answer_channels_text(set(), set(), threads=True)


def test_vote_custom_ids_are_short() -> None:
    assert len(VOTE_PREFIX + "down") <= render.CUSTOM_ID_LIMIT
    assert question_of(None) == ""
