"""Pure render helpers: answering-core results -> Discord embeds and short texts.

No I/O and no bot state: every function takes plain values (``retrieval.types``) and returns an
``discord.Embed`` or a string that already fits Discord's limits (title 256, description 4096,
field value 1024, 25 fields, 6000 characters per embed and per message). Text a user typed is
neutralised so that, even rendered outside an embed, ``@everyone`` or ``<@123>`` cannot ping; the
messages are sent with ``AllowedMentions.none()`` as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import discord

from retrieval.api import (
    Answer,
    Citation,
    Collection,
    Document,
    FeedbackSummary,
    IndexStats,
    Passage,
    Positions,
    Quote,
    Summary,
    Topic,
)

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
MAX_FIELDS = 25
MAX_EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
CUSTOM_ID_LIMIT = 100
THREAD_NAME_LIMIT = 100
MIN_EXCERPT = 80  # below this a source field is not worth showing; "Show passages" has it all
# How texts name the documents until the service says (``SummitBot.collection``).
GENERIC = Collection(
    title="the documents in this collection",
    name="collection",
    short="collection",
    example="what do the documents say about …?",
)

ANSWER_COLOUR = discord.Colour(0x2B6CB0)
NOT_COVERED_COLOUR = discord.Colour(0x718096)
SUMMARY_COLOUR = discord.Colour(0x2F855A)
POSITIONS_COLOUR = discord.Colour(0x805AD5)
INFO_COLOUR = discord.Colour(0x4A5568)

ELLIPSIS = "…"
ZWSP = "\u200b"
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)")
_CHANNEL = re.compile(r"<#(\d+)>")


# ------------------------------------------------------------------------------------------ text
def neutralise(text: str) -> str:
    """Break every mention (``@everyone``, ``@here``, ``<@id>``, ``<@!id>``, ``<@&id>``) with a
    zero-width space so it shows as text and can never ping anyone."""
    return _MENTION.sub("@" + ZWSP + r"\1", text)


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is close, with
    an ellipsis when anything was cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if not text[limit - 1].isspace() and space >= limit * 0.6:  # do not end inside a word
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def excerpt(text: str, limit: int, focus: Iterable[str] = ()) -> str:
    """At most ``limit`` characters of ``text``: all of it when it fits, else a window that starts
    at the first ``focus`` string found in it (the quoted sentence), with ellipses where cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    start = 0
    for f in focus:
        i = text.find(f.strip()) if f.strip() else -1
        if i >= 0:
            start = i
            break
    if start > 0 and len(text) - start < limit - 1:
        # the quote is near the end: show the end of the paragraph, starting at a word
        start = len(text) - (limit - 1)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if start <= 0:
        return trim(text, limit)
    return ELLIPSIS + trim(text[start:], limit - 1)


def blockquote(text: str, limit: int, focus: Iterable[str] = ()) -> str:
    """``text`` as a Markdown quote (``> `` on every line), excerpted to fit ``limit``."""
    focus = list(focus)
    inner = limit - 2
    while inner > 0:
        body = excerpt(text, inner, focus)
        quoted = "> " + body.replace("\n", "\n> ")
        if len(quoted) <= limit:
            return quoted
        inner -= len(quoted) - limit
    return ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ------------------------------------------------------------------------------------ documents
def document_footer(docs: Sequence[Document]) -> str:
    """Each document as "Title — date · source", joined; trimmed to the footer limit."""
    parts = []
    for doc in docs:
        bits = [doc.title]
        tail = " · ".join(x for x in (doc.date, doc.source) if x)
        parts.append(" — ".join([*bits, tail]) if tail else doc.title)
    return trim(" | ".join(parts), FOOTER_LIMIT)


def _cited_documents(citations: Sequence[Citation], documents: Mapping[str, Document]) -> list[Document]:
    seen: dict[str, Document] = {}
    for c in citations:
        if c.doc in documents and c.doc not in seen:
            seen[c.doc] = documents[c.doc]
    return list(seen.values())


def citation_name(c: Citation, documents: Mapping[str, Document], *, with_title: bool) -> str:
    name = f"[{c.n}] ¶{c.paragraph}"
    if with_title and c.doc in documents:
        name += f" · {documents[c.doc].title}"
    return trim(name, FIELD_NAME_LIMIT)


def _add_citation_fields(
    embed: discord.Embed,
    citations: Sequence[Citation],
    quotes: Sequence[Quote],
    documents: Mapping[str, Document],
) -> None:
    """One field per source, each a quote of the cited paragraph (centred on the quoted sentence),
    sharing fairly what is left of the 6,000-character budget once everything else is in."""
    with_title = len({c.doc for c in citations}) > 1
    slots = MAX_FIELDS - len(embed.fields)
    shown = list(citations)[: max(0, slots)]
    while shown:
        names = [citation_name(c, documents, with_title=with_title) for c in shown]
        budget = EMBED_TOTAL_LIMIT - len(embed) - sum(len(n) for n in names)
        per_field = min(FIELD_VALUE_LIMIT, budget // len(shown))
        if per_field >= MIN_EXCERPT:
            break
        shown.pop()
    else:
        return
    for c, name in zip(shown, names, strict=True):
        focus = [q.text for q in quotes if q.n == c.n]
        value = blockquote(neutralise(c.text), per_field, focus) or ELLIPSIS
        embed.add_field(name=name, value=value, inline=False)


# -------------------------------------------------------------------------------------- answers
def answer_embed(
    answer: Answer, documents: Mapping[str, Document], words: Collection = GENERIC
) -> discord.Embed:
    """The answer with its [n] markers, a field per source, and the documents in the footer."""
    title = trim(neutralise(answer.question), TITLE_LIMIT)
    if not answer.citations:
        return not_covered_embed(title, answer.suggestions, words)
    searched = f"*Searched for: {answer.searched_for}*\n\n" if answer.searched_for else ""
    embed = discord.Embed(
        title=title,
        description=trim(neutralise(searched + answer_description(answer)), DESCRIPTION_LIMIT),
        colour=ANSWER_COLOUR if answer.answered else NOT_COVERED_COLOUR,
    )
    _finish_cited(embed, answer.citations, answer.quotes, documents)
    return embed


def answer_description(answer: Answer) -> str:
    """The quotes of a one-part answer as they are; otherwise part by part (a heading per part of
    a multi-part question), a partial part saying first what is not stated, then "Related:"."""
    if len(answer.parts) <= 1 and answer.answered:
        return answer.answer
    blocks = []
    for part in answer.parts:
        lines = [f"**» {part.question}**"] if len(answer.parts) > 1 else []
        quotes = " ".join(f"{q.text} [{q.n}]" for q in part.quotes)
        if part.coverage != "full" and part.note:
            lines.append(part.note)
            if quotes:
                lines.append(f"*Related:* {quotes}")
        elif quotes:
            lines.append(quotes)
        elif part.note:  # a part the quote of an earlier part answers
            lines.append(part.note)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) or answer.answer


def not_covered_embed(title: str, suggestions: Sequence[Topic], words: Collection = GENERIC) -> discord.Embed:
    embed = discord.Embed(
        title=title,
        description=(
            f"The {words.name} does not cover that, so I have nothing to quote. "
            "Ask about one of the topics below, or try `/summary` with one of them."
        ),
        colour=NOT_COVERED_COLOUR,
    )
    if suggestions:
        embed.add_field(name="Topics I can talk about", value=topic_lines(suggestions, FIELD_VALUE_LIMIT))
    return embed


def _finish_cited(
    embed: discord.Embed,
    citations: Sequence[Citation],
    quotes: Sequence[Quote],
    documents: Mapping[str, Document],
) -> None:
    docs = _cited_documents(citations, documents)
    if docs:
        embed.set_footer(text=document_footer(docs))
    _add_citation_fields(embed, citations, quotes, documents)


def summary_embed(
    summary: Summary, documents: Mapping[str, Document], words: Collection = GENERIC
) -> discord.Embed:
    embed = discord.Embed(
        title=trim(f"Summary: {neutralise(summary.topic)}", TITLE_LIMIT),
        description=trim(neutralise(summary.summary), DESCRIPTION_LIMIT)
        or f"The {words.short} says nothing on this.",
        colour=SUMMARY_COLOUR,
    )
    _finish_cited(embed, summary.citations, summary.quotes, documents)
    return embed


def quote_list(quotes: Sequence[Quote], limit: int, empty: str) -> str:
    """Bulleted quotes with their [n] markers; whole quotes only, "…and N more" when cut."""
    if not quotes:
        return empty
    lines: list[str] = []
    for i, q in enumerate(quotes):
        line = f"• {neutralise(q.text)} [{q.n}]"
        rest = len(quotes) - i - 1
        more = f"\n…and {rest} more" if rest else ""
        if len("\n".join([*lines, line])) + len(more) <= limit:
            lines.append(line)
        elif not lines:  # one quote longer than the field: trim it, keep room for "…and N more"
            lines.append(trim(line, limit - len(more)))
        else:
            lines.append(f"…and {len(quotes) - i} more")
            break
    return trim("\n".join(lines), limit)


def positions_embed(
    positions: Positions, documents: Mapping[str, Document], words: Collection = GENERIC
) -> discord.Embed:
    """Each side of the profile as a field, side by side, what both agreed below them."""
    embed = discord.Embed(
        title=trim(f"Positions: {neutralise(positions.topic)}", TITLE_LIMIT),
        colour=POSITIONS_COLOUR,
    )
    if not positions.quotes:
        embed.description = f"The {words.short} quotes neither side on this."
    none = f"_The {words.short} gives no position._"
    for side in positions.sides:
        embed.add_field(
            name=f"{side.emoji} {side.label}".strip(),
            value=quote_list(side.quotes, FIELD_VALUE_LIMIT, none),
            inline=True,
        )
    if positions.both:
        embed.add_field(
            name="🤝 Both sides", value=quote_list(positions.both, FIELD_VALUE_LIMIT, none), inline=False
        )
    quotes = positions.quotes
    _finish_cited(embed, positions.citations, quotes, documents)
    return embed


# ---------------------------------------------------------------------------- topics and sources
def topic_lines(topics: Sequence[Topic], limit: int) -> str:
    lines = [f"• **{t.name}** — {t.description}" for t in topics]
    out: list[str] = []
    for line in lines:
        if len("\n".join([*out, line])) > limit:
            break
        out.append(line)
    return "\n".join(out) if out else trim(lines[0], limit) if lines else "—"


def topics_embed(topics: Sequence[Topic], words: Collection = GENERIC) -> discord.Embed:
    embed = discord.Embed(
        title=trim(f"Topics in the {words.name}", TITLE_LIMIT),
        description=topic_lines(topics, DESCRIPTION_LIMIT) if topics else "No topics are configured.",
        colour=INFO_COLOUR,
    )
    embed.set_footer(text="/summary topic:<name> summarises one; /positions topic:<name> compares the sides.")
    return embed


def source_embed(passage: Passage, document: Document | None) -> discord.Embed:
    """A whole paragraph, quoted (trimmed only if it exceeds the description limit)."""
    embed = discord.Embed(
        title=f"¶{passage.paragraph}",
        description=blockquote(neutralise(passage.text), DESCRIPTION_LIMIT),
        colour=INFO_COLOUR,
    )
    if document is not None:
        embed.set_footer(text=document_footer([document]))
    return embed


def passages_messages(
    passages: Sequence[tuple[int, Passage]], documents: Mapping[str, Document]
) -> list[list[discord.Embed]]:
    """The full cited paragraphs ("Show passages"), one embed each, packed into as few messages as
    Discord allows (at most 10 embeds and 6,000 characters per message)."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for n, passage in passages:
        doc = documents.get(passage.doc_id)
        title = f"[{n}] ¶{passage.paragraph}" + (f" · {doc.title}" if doc else "")
        embed = discord.Embed(
            title=trim(title, TITLE_LIMIT),
            description=blockquote(
                neutralise(passage.text), min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - TITLE_LIMIT)
            ),
            colour=INFO_COLOUR,
        )
        length = len(embed)
        if current and (len(current) >= MAX_EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL_LIMIT):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += length
    if current:
        messages.append(current)
    return messages


# ------------------------------------------------------------------------------ other messages
def commands_help(words: Collection = GENERIC) -> tuple[tuple[str, str], ...]:
    return (
        (
            "/ask question:<text> [private]",
            f"Answer from the {words.name}, quoted word for word with [n] sources.",
        ),
        ("/summary topic:<text>", "A cited summary of one topic (autocompletes; free text works too)."),
        (
            "/positions topic:<text>",
            "Each side's positions side by side (when the corpus profile names sides).",
        ),
        ("/topics", f"The topics the {words.short} covers."),
        ("/source paragraph:<n>", "The full text of one paragraph."),
        (
            "/reindex",
            "Reload the corpus, its profile and topics, and rebuild the index (Manage Server only).",
        ),
    )


def help_embed(bot_name: str = "SummitBot", words: Collection = GENERIC) -> discord.Embed:
    embed = discord.Embed(
        title=f"{bot_name} — help",
        description=trim(
            f"I answer questions about {words.title}. Every answer quotes the {words.short} word for "
            "word, and each [n] marks the paragraph (¶) it came from.",
            DESCRIPTION_LIMIT,
        ),
        colour=INFO_COLOUR,
    )
    for name, text in commands_help(words):
        embed.add_field(name=name, value=text, inline=False)
    embed.add_field(
        name="Mentions and replies",
        value=trim(
            f"Mention me (`@{bot_name} {words.example}`) or reply to one of my answers, "
            "in a channel or a thread.",
            FIELD_VALUE_LIMIT,
        ),
        inline=False,
    )
    return embed


def reindex_text(stats: IndexStats) -> str:
    what = "Rebuilt the index" if stats.rebuilt else "The index is up to date"
    return (
        f"{what} ({stats.reason}): {plural(stats.documents, 'document')}, "
        f"{plural(stats.passages, 'paragraph')}, {plural(stats.sentences, 'sentence')} "
        f"in {stats.seconds:.1f} s."
    )


def cooldown_text(retry_after: float) -> str:
    seconds = max(1, round(retry_after + 0.49))
    return f"You're asking quickly — please wait {plural(seconds, 'second')} before the next question."


SETTINGS_OFF = (
    "The bot's database is unavailable right now, so settings cannot be changed; channels from "
    "SUMMITBOT_ANSWER_CHANNELS keep working."
)
NEEDS_CONTENT_INTENT = (
    "Note: answer channels need the Message Content intent, which this bot does not have "
    "(developer portal -> Bot -> Privileged Gateway Intents)."
)


def answer_channels_text(channels: Iterable[int], from_env: Iterable[int], threads: bool) -> str:
    env = set(from_env)
    ids = sorted(set(channels) | env)
    if not ids:
        return "No answer channels yet: `/settings answer-channel add` makes one."
    lines = [f"- <#{c}>" + (" (from SUMMITBOT_ANSWER_CHANNELS)" if c in env else "") for c in ids]
    mode = "in a new thread each" if threads else "with a reply"
    return trim("Answer channels (questions answered " + mode + "):\n" + "\n".join(lines), CONTENT_LIMIT)


def thread_name(question: str) -> str:
    """A thread's name for a question: mentions and markup gone, at most 100 characters."""
    text = re.sub(r"<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b", " ", question)
    text = " ".join(re.sub(r"[*_`~|>]", "", text).split())
    return trim(text, THREAD_NAME_LIMIT) or "Question"


FEEDBACK_OFF = (
    "Feedback is switched off right now (the bot's database is unavailable); the answers are not affected."
)


def vote_text(vote: str, *, changed: bool = False, reason: bool = False) -> str:
    if vote == "up":
        return "Changed your vote to 👍. Thanks!" if changed else "Thanks for the 👍!"
    if reason:
        return "Thanks: your 👎 and your reason are recorded."
    return "Thanks: your 👎 is recorded."


def feedback_embed(summary: FeedbackSummary) -> discord.Embed:
    """Totals and the worst-rated questions, each with its votes and up to three reasons."""
    embed = discord.Embed(
        title="Feedback on answers",
        description=f"👍 {summary.up} · 👎 {summary.down}" + ("" if summary.answers else "\nNo votes yet."),
        colour=INFO_COLOUR,
    )
    for a in summary.answers[:10]:
        reasons = "\n".join(f"> {trim(neutralise(r), 200)}" for r in a.reasons[:3])
        embed.add_field(
            name=trim(f"👍 {a.up} · 👎 {a.down} — {neutralise(a.question)}", FIELD_NAME_LIMIT),
            value=trim(reasons or "(no reasons given)", FIELD_VALUE_LIMIT),
            inline=False,
        )
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(-1)
    return embed


APOLOGY = "Sorry, something went wrong while answering. The error has been logged; please try again."


def empty_mention(words: Collection = GENERIC) -> str:
    return f"Ask me a question about {words.title}, e.g. `@SummitBot {words.example}` — or try `/topics`."


def choices_for(topics: Sequence[Topic], current: str) -> list[tuple[str, str]]:
    """Autocomplete (name, value) pairs: topics whose name starts with what was typed first, then
    those containing it in the name or description; at most 25."""
    typed = " ".join(current.lower().split())
    starts, contains = [], []
    for t in topics:
        name = t.name.lower()
        if not typed or name.startswith(typed):
            starts.append(t)
        elif typed in name or typed in t.description.lower():
            contains.append(t)
    return [(trim(t.name, CHOICE_NAME_LIMIT), trim(t.name, CHOICE_NAME_LIMIT)) for t in [*starts, *contains]][
        :CHOICE_LIMIT
    ]


# ---------------------------------------------------------------------- "Show passages" custom id
@dataclass(frozen=True)
class PassageRef:
    n: int
    doc: str
    paragraph: int


PASSAGES_PREFIX = "sb:psg:"


def encode_refs(citations: Sequence[Citation]) -> str:
    """A button custom_id that names the cited paragraphs: ``sb:psg:<doc>=4.9/<doc2>=1`` (in
    citation order, grouped by document). Citations that do not fit in 100 characters are dropped
    from the end."""
    shown = list(citations)
    while shown:
        groups: dict[str, list[str]] = {}
        for c in shown:
            groups.setdefault(c.doc, []).append(str(c.paragraph))
        custom_id = PASSAGES_PREFIX + "/".join(f"{doc}={'.'.join(ps)}" for doc, ps in groups.items())
        if len(custom_id) <= CUSTOM_ID_LIMIT:
            return custom_id
        shown.pop()
    return PASSAGES_PREFIX


def decode_refs(custom_id: str) -> list[PassageRef]:
    """The inverse of ``encode_refs`` (numbering restarts at [1]); malformed parts are skipped."""
    body = custom_id.removeprefix(PASSAGES_PREFIX)
    refs: list[PassageRef] = []
    for group in filter(None, body.split("/")):
        doc, _, paragraphs = group.rpartition("=")
        for p in paragraphs.split("."):
            if doc and p.isdigit():
                refs.append(PassageRef(len(refs) + 1, doc, int(p)))
    return refs
