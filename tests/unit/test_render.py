"""The Discord layer's pure parts, without the model or a server: embeds within Discord's limits,
mentions neutralised, button ids, autocomplete, cooldown, question parsing, error wording, logging."""

from __future__ import annotations

import asyncio
import logging
import re
import sys

import discord
import pytest
from discord import app_commands

from cogs import render
from cogs.bot import rest_base
from cogs.common import InFlight, UserCooldown, working
from cogs.errors import MISSING_MANAGE_SERVER, describe
from cogs.launcher import RedactingFormatter
from cogs.qa import check_question, strip_own_mention
from config.errors import BadQuestion, UserError
from retrieval.types import (
    Answer,
    Citation,
    Document,
    IndexStats,
    Passage,
    Positions,
    Quote,
    SideQuotes,
    Summary,
    Topic,
)
from tests.conftest import shipped_profile

DOC = Document(
    doc_id="summit",
    title="Trump and Putin Agree They Have Same Goals, Different Approaches",
    source="EIRNS press release",
    date="July 2017",
    path="summit.txt",
    text="",
)
DOCS = {DOC.doc_id: DOC}
TOPICS = [
    Topic("Syria", "The ceasefire in southwest Syria and the future of Assad."),
    Topic("Ukraine", "Kurt Volker's appointment."),
    Topic("North Korea", "Double freeze versus continuing sanctions."),
]
PING = re.compile(r"@(everyone|here)\b|<@[!&]?\d+>")  # what Discord would turn into a mention


def paragraph(n: int, size: int) -> str:
    words = (f"Sentence {i} of paragraph {n} says something about the summit." for i in range(10_000))
    return " ".join(words)[:size].rstrip() + "."


def citations(count: int, size: int, doc: str = "summit") -> list[Citation]:
    return [Citation(n, doc, n + 1, paragraph(n, size), 0.9) for n in range(1, count + 1)]


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= render.TITLE_LIMIT
    assert len(data.get("description", "")) <= render.DESCRIPTION_LIMIT
    fields = data.get("fields", [])
    assert len(fields) <= render.MAX_FIELDS
    for f in fields:
        assert 0 < len(f["name"]) <= render.FIELD_NAME_LIMIT
        assert 0 < len(f["value"]) <= render.FIELD_VALUE_LIMIT
    assert len(data.get("footer", {}).get("text", "")) <= render.FOOTER_LIMIT
    assert len(embed) <= render.EMBED_TOTAL_LIMIT


# ----------------------------------------------------------------------------------------- text
@pytest.mark.parametrize(
    "text",
    ["@everyone hi", "@here", "<@123456789012345678>", "<@!123456789012345678>", "<@&987654321098765432>"],
)
def test_neutralise_breaks_every_mention(text: str) -> None:
    out = render.neutralise(text)
    assert not PING.search(out)
    assert out.replace(render.ZWSP, "") == text


def test_trim_cuts_at_a_word_with_an_ellipsis() -> None:
    assert render.trim("short", 10) == "short"
    cut = render.trim("the quick brown fox jumps over the lazy dog", 20)
    assert len(cut) <= 20 and cut.endswith("…") and cut == "the quick brown fox…"
    assert render.trim("x" * 50, 10) == "x" * 9 + "…"
    assert render.trim("abc", 0) == ""


def test_excerpt_is_centred_on_the_quoted_sentence() -> None:
    text = paragraph(1, 3000)
    focus = "Sentence 30 of paragraph 1 says something about the summit."
    assert focus in text
    out = render.excerpt(text, 300, [focus])
    assert len(out) <= 300 and out.startswith("…" + focus)
    near_end = "Sentence 10 of"  # not the end, but the window must stay full when it is
    tail = render.excerpt(text, 300, [text[-40:]])
    assert len(tail) <= 300 and tail.endswith(text[-20:]) and len(tail) > 250
    assert render.excerpt(text, 300, ["not in the text"]).startswith(text[:50])
    assert render.excerpt("short text", 300, [near_end]) == "short text"


def test_blockquote_quotes_every_line_within_the_limit() -> None:
    out = render.blockquote("line one\nline two\n" * 100, 200)
    assert len(out) <= 200
    assert all(line.startswith("> ") for line in out.splitlines())


# -------------------------------------------------------------------------------------- answers
def test_answer_embed_has_markers_a_field_per_source_and_the_document_footer() -> None:
    cites = citations(2, 400)
    quotes = [Quote(cites[0].text[:60], 1), Quote(cites[1].text[:60], 2)]
    answer = Answer(
        "What did Tillerson say?", True, f"{quotes[0].text} [1] {quotes[1].text} [2]", cites, quotes
    )
    embed = render.answer_embed(answer, DOCS)
    assert_within_limits(embed)
    assert embed.title == "What did Tillerson say?"
    assert "[1]" in (embed.description or "") and "[2]" in (embed.description or "")
    assert [f.name for f in embed.fields] == ["[1] ¶2", "[2] ¶3"]
    assert embed.fields[0].value == "> " + cites[0].text
    assert embed.footer.text == f"{DOC.title} — July 2017 · EIRNS press release"


@pytest.mark.parametrize(("count", "size"), [(3, 1000), (5, 1500), (8, 2000), (30, 1200)])
def test_answer_embed_stays_within_limits_with_long_sources(count: int, size: int) -> None:
    cites = citations(count, size)
    quotes = [Quote(c.text[200:320], c.n) for c in cites]
    answer = Answer("q" * 1000, True, "a" * 5000, cites, quotes)
    embed = render.answer_embed(answer, DOCS)
    assert_within_limits(embed)
    assert len(embed.fields) >= min(count, 5), "sources are shortened before they are dropped"
    for field, q in zip(embed.fields, quotes, strict=False):
        assert q.text.strip()[:30] in field.value, "the quoted sentence stays visible"


def test_answer_embed_names_documents_when_several_are_cited() -> None:
    other = Document("other", "Another release", "Kremlin", "July 2017", "other.txt", "")
    cites = [*citations(1, 100), Citation(2, "other", 1, "Other text.", 0.5)]
    embed = render.answer_embed(Answer("q", True, "x [1] y [2]", cites), {**DOCS, "other": other})
    assert embed.fields[1].name == "[2] ¶1 · Another release"
    assert "Another release" in (embed.footer.text or "") and DOC.title in (embed.footer.text or "")


def test_user_text_cannot_ping_even_in_the_title() -> None:
    answer = Answer("@everyone <@&123456789012345678> what about Syria?", True, "x [1]", citations(1, 50))
    embed = render.answer_embed(answer, DOCS)
    assert not PING.search(embed.title or "")


def test_not_covered_says_so_and_lists_the_topics() -> None:
    answer = Answer(
        "capital of France?", False, "The press release does not answer that.", suggestions=TOPICS
    )
    embed = render.answer_embed(answer, DOCS)
    assert_within_limits(embed)
    assert "does not cover" in (embed.description or "")
    assert all(t.name in embed.fields[0].value for t in TOPICS)


def test_summary_embed() -> None:
    cites = citations(4, 1500)
    embed = render.summary_embed(Summary("Syria", "One [1]. Two [2].", cites), DOCS)
    assert_within_limits(embed)
    assert embed.title == "Summary: Syria" and len(embed.fields) == 4


RELEASE = shipped_profile().collection


def two_sides(topic, us, russia, both, cites):  # type: ignore[no-untyped-def]
    sides = [SideQuotes("us", "United States", us, "🇺🇸"), SideQuotes("russia", "Russia", russia, "🇷🇺")]
    return Positions(topic, sides, both, cites)


def test_positions_embed_puts_the_sides_next_to_each_other() -> None:
    us = [Quote("Trump believes continuing sanctions are necessary.", 1)]
    russia = [Quote("Putin supports the double freeze approach.", 1)]
    both = [Quote("Both sides agreed on a working group.", 2)]
    embed = render.positions_embed(two_sides("North Korea", us, russia, both, citations(2, 300)), DOCS)
    assert_within_limits(embed)
    names = [f.name for f in embed.fields]
    assert names[:3] == ["🇺🇸 United States", "🇷🇺 Russia", "🤝 Both sides"]
    assert embed.fields[0].inline and embed.fields[1].inline and not embed.fields[2].inline
    assert embed.fields[0].value == f"• {us[0].text} [1]"


def test_positions_embed_with_many_long_quotes_stays_within_limits() -> None:
    quotes = [Quote("word " * 60, n % 5 + 1) for n in range(40)]
    embed = render.positions_embed(two_sides("Syria", quotes, quotes, quotes, citations(5, 1500)), DOCS)
    assert_within_limits(embed)
    assert "…and" in embed.fields[0].value and "more" in embed.fields[0].value


def test_positions_embed_when_one_side_is_silent() -> None:
    embed = render.positions_embed(
        two_sides("Cyber", [Quote("Tillerson said X.", 1)], [], [], citations(1, 80)), DOCS, RELEASE
    )
    assert embed.fields[1].value == "_The release gives no position._"


def test_quote_list_keeps_whole_quotes_and_counts_the_rest() -> None:
    quotes = [Quote("x" * 100, 1), Quote("y" * 100, 2), Quote("z" * 100, 3)]
    out = render.quote_list(quotes, 250, "none")
    assert out.splitlines()[-1] == "…and 1 more" and len(out) <= 250
    assert render.quote_list([], 100, "none") == "none"
    single = render.quote_list([Quote("w " * 1000, 1), Quote("v" * 200, 2)], 300, "none")
    assert len(single) <= 300 and single.endswith("…and 1 more")


# ---------------------------------------------------------------------------- topics, sources
def test_topics_source_help_and_passages() -> None:
    assert_within_limits(render.topics_embed(TOPICS))
    assert "**Syria**" in (render.topics_embed(TOPICS).description or "")
    passage = Passage("summit#p4", "summit", 4, 0, 10, paragraph(4, 1200))
    source = render.source_embed(passage, DOC)
    assert source.title == "¶4" and source.description == "> " + passage.text
    assert_within_limits(source)
    assert_within_limits(render.help_embed())
    embed = render.help_embed("SummitBot", RELEASE)
    assert_within_limits(embed)
    assert "the press release on the July 2017 Trump–Putin summit" in (embed.description or "")
    assert "@SummitBot What did Tillerson say about Assad?" in embed.fields[-1].value


def test_passages_are_packed_into_messages_within_limits() -> None:
    passages = [(n, Passage(f"summit#p{n}", "summit", n, 0, 1, paragraph(n, 1900))) for n in range(1, 13)]
    messages = render.passages_messages(passages, DOCS)
    assert len(messages) > 1
    shown = [e for m in messages for e in m]
    assert len(shown) == 12
    for message, embeds in enumerate(messages):
        assert len(embeds) <= render.MAX_EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in embeds) <= render.EMBED_TOTAL_LIMIT, message
    for (n, p), e in zip(passages, shown, strict=True):
        assert e.description == "> " + p.text and e.title and e.title.startswith(f"[{n}] ¶{n}")


def test_autocomplete_choices() -> None:
    assert render.choices_for(TOPICS, "sy") == [("Syria", "Syria")]
    assert render.choices_for(TOPICS, "  NORTH ") == [("North Korea", "North Korea")]
    assert render.choices_for(TOPICS, "sanctions") == [("North Korea", "North Korea")]  # by description
    assert [n for n, _ in render.choices_for(TOPICS, "")] == ["Syria", "Ukraine", "North Korea"]
    many = [Topic(f"Topic {i} " + "x" * 120, "d") for i in range(40)]
    choices = render.choices_for(many, "topic")
    assert len(choices) == 25 and all(len(n) <= 100 and len(v) <= 100 for n, v in choices)


def test_show_passages_ids_round_trip_and_fit() -> None:
    cites = [*citations(3, 10), Citation(4, "other-doc", 2, "t", 0.1)]
    custom_id = render.encode_refs(cites)
    assert custom_id == "sb:psg:summit=2.3.4/other-doc=2"
    refs = render.decode_refs(custom_id)
    expected = [(1, "summit", 2), (2, "summit", 3), (3, "summit", 4), (4, "other-doc", 2)]
    assert [(r.n, r.doc, r.paragraph) for r in refs] == expected
    long_docs = [Citation(n, f"document-with-a-long-name-{n}", n, "t", 0.1) for n in range(1, 9)]
    assert len(render.encode_refs(long_docs)) <= render.CUSTOM_ID_LIMIT
    assert render.decode_refs("sb:psg:summit=x.3/=4") == [render.PassageRef(1, "summit", 3)]


def test_reindex_and_cooldown_texts() -> None:
    stats = IndexStats(1, 8, 40, 1.234, True, "the corpus changed")
    assert render.reindex_text(stats) == (
        "Rebuilt the index (the corpus changed): 1 document, 8 paragraphs, 40 sentences in 1.2 s."
    )
    assert "2 seconds" in render.cooldown_text(1.2) and "1 second " in render.cooldown_text(0.1)


# --------------------------------------------------------------------------- cogs' pure helpers
def test_cooldown_is_a_sliding_window_per_user() -> None:
    now = [0.0]
    cooldown = UserCooldown(2, 10.0, clock=lambda: now[0])
    assert cooldown.hit(1) == 0 and cooldown.hit(1) == 0
    assert cooldown.hit(1) == pytest.approx(10.0)
    assert cooldown.hit(2) == 0, "per user"
    now[0] = 10.5
    assert cooldown.hit(1) == 0
    assert UserCooldown(1, 0).hit(1) == 0 and UserCooldown(1, 0).hit(1) == 0


def test_the_question_is_the_message_without_the_bot_mention() -> None:
    assert strip_own_mention("<@42> what about Syria?", 42) == "what about Syria?"
    assert strip_own_mention("what about <@!42>  Syria?", 42) == "what about Syria?"
    assert strip_own_mention("<@&7> hi <@43>", 42, role_id=7) == "hi <@43>"
    assert strip_own_mention("<@42>", 42) == ""


@pytest.mark.parametrize("text", ["", "   ", "<@1> <@&2> @everyone", "?!", "<#123>"])
def test_check_question_refuses_questions_without_words(text: str) -> None:
    with pytest.raises(BadQuestion, match="Ask me a question"):
        check_question(text, 1000)


def test_check_question_refuses_long_questions() -> None:
    with pytest.raises(BadQuestion, match="6,000 characters"):
        check_question("a" * 6000, 1000)
    check_question("What did Lavrov say about cyber-security?", 1000)


def test_error_wording() -> None:
    assert describe(UserError("No paragraph 99.")) == ("No paragraph 99.", False)
    assert describe(app_commands.MissingPermissions(["manage_guild"])) == (MISSING_MANAGE_SERVER, False)
    text, bug = describe(RuntimeError("secret internals"))
    assert bug and "secret" not in text and text == render.APOLOGY


def test_rest_base() -> None:
    assert rest_base("http://127.0.0.1:8080") == "http://127.0.0.1:8080/api/v10"
    assert rest_base("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/api/v10"
    assert rest_base("https://proxy.example/api/v10") == "https://proxy.example/api/v10"


def test_logs_never_show_the_token() -> None:
    token = "MTIz.secret-token.xyz"
    formatter = RedactingFormatter("%(message)s", [token])
    try:
        raise RuntimeError(f"failed with {token}")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "token %s", (token,), sys.exc_info()
        )
    out = formatter.format(record)
    assert token not in out and "[redacted]" in out and "RuntimeError" in out


def test_in_flight_waits_for_answers_in_progress() -> None:
    async def scenario() -> tuple[bool, bool, int]:
        tracker = InFlight()
        assert await tracker.wait_idle(0.01)

        async def answer(seconds: float) -> None:
            async with tracker.track():
                await asyncio.sleep(seconds)

        task = asyncio.create_task(answer(0.2))
        await asyncio.sleep(0)
        busy = tracker.count
        too_short = await tracker.wait_idle(0.05)
        finished = await tracker.wait_idle(2)
        await task
        return too_short, finished, busy

    assert asyncio.run(scenario()) == (False, True, 1)


def test_working_is_a_no_op_for_clients_that_do_not_count() -> None:
    async def scenario() -> None:
        async with working(object()):
            pass

    asyncio.run(scenario())


def test_refresh_catalogue_takes_the_topics_and_wording_of_the_reloaded_profile(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cogs.bot import SummitBot
    from retrieval.types import Collection
    from tests.conftest import make_settings

    class Reloaded:  # what the service holds after /reindex re-read another profile
        def documents(self) -> list[Document]:
            return [DOC]

        def topics(self) -> list[Topic]:
            return [Topic("Loans", "Borrowing.")]

        def collection(self) -> Collection:
            return Collection("the Riverside Library handbook", "handbook", "handbook", "How long?")

    bot = SummitBot(settings=make_settings(tmp_path), service=Reloaded())  # type: ignore[arg-type]
    assert bot.collection == render.GENERIC  # until the service says
    asyncio.run(bot.refresh_catalogue())
    assert [t.name for t in bot.topics] == ["Loans"]
    assert render.choices_for(bot.topics, "lo") == [("Loans", "Loans")]
    embed = render.topics_embed(bot.topics, bot.collection)
    assert embed.title == "Topics in the handbook"
    assert "the Riverside Library handbook" in (
        render.help_embed("SummitBot", bot.collection).description or ""
    )


def test_a_part_an_earlier_quote_answers_says_so_in_discord_and_the_console() -> None:
    from cli.render import answer_text
    from retrieval.types import AnswerPart

    quote = Quote("On North Korea, Putin supports the double freeze approach, but Trump believes ...", 1)
    note = "The quote above answers this part too."
    answer = Answer(
        question="what does putin back on north korea and what does trump prefer",
        answered=True,
        answer=f"{quote.text} [1] {note}",
        citations=[Citation(1, "summit", 7, quote.text, 1.0)],
        quotes=[quote],
        parts=[
            AnswerPart("what does putin back on north korea", "full", "", [quote]),
            AnswerPart("what does trump prefer", "full", note),
        ],
    )
    discord_text = render.answer_description(answer)
    assert "**» what does trump prefer**\n" + note in discord_text
    console = answer_text(answer, {})
    assert "» what does trump prefer\n" + note in console
    assert console.split("Sources")[0].count("double freeze") == 1  # quoted once, above its sources
