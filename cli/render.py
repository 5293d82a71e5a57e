"""Plain-text rendering of answers, summaries and positions for a terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from retrieval.api import (
    Answer,
    Citation,
    Document,
    FeedbackSummary,
    Passage,
    Positions,
    Quote,
    Summary,
    Topic,
)

WIDTH = 100


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _sources(citations: Sequence[Citation], docs: dict[str, Document]) -> str:
    lines = ["", "Sources"]
    for c in citations:
        doc = docs.get(c.doc)
        title = f"{doc.title} ({doc.source}, {doc.date})" if doc else c.doc
        lines.append(
            textwrap.fill(
                f"[{c.n}] ¶{c.paragraph}, score {c.score:.2f}: {title}",
                WIDTH,
                initial_indent="  ",
                subsequent_indent="      ",
            )
        )
        lines.append(_wrap(c.text, "      "))
    return "\n".join(lines)


def _quotes(quotes: Sequence[Quote]) -> str:
    # A no-break space keeps each [n] marker on the line of the sentence it belongs to.
    return "\n".join(_wrap(f"{q.text}\u00a0[{q.n}]") for q in quotes)


def answer_text(answer: Answer, docs: dict[str, Document]) -> str:
    head = f"(searched for: {answer.searched_for})\n" if answer.searched_for else ""
    if not answer.citations:
        return head + _wrap(answer.answer, "")
    lines: list[str] = []
    for part in answer.parts:
        if len(answer.parts) > 1:
            lines.append(f"» {part.question}")
        if part.note and (part.coverage != "full" or not part.quotes):
            lines.append(_wrap(part.note, ""))
            if part.quotes:
                lines.append("Related:")
        if part.quotes:
            lines.append(_quotes(part.quotes))
    return head + "\n".join(lines) + "\n" + _sources(answer.citations, docs)


def summary_text(summary: Summary, docs: dict[str, Document]) -> str:
    head = f"Summary: {summary.topic}" + ("" if summary.known else " (free-text topic)")
    return head + "\n" + _quotes(summary.quotes) + "\n" + _sources(summary.citations, docs)


def positions_text(positions: Positions, docs: dict[str, Document]) -> str:
    parts = [f"Positions: {positions.topic}"]
    for title, quotes in (*((s.label, s.quotes) for s in positions.sides), ("Both sides", positions.both)):
        parts.append(f"\n{title}")
        parts.append(_quotes(quotes) if quotes else "  (the release quotes nothing on this side)")
    return "\n".join(parts) + "\n" + _sources(positions.citations, docs)


def topics_text(topics: Sequence[Topic]) -> str:
    width = max(len(t.name) for t in topics)
    return "\n".join(f"  {t.name:<{width}}  {t.description}" for t in topics)


def source_text(passage: Passage, doc: Document) -> str:
    return f"¶{passage.paragraph} of {doc.title} ({doc.source}, {doc.date})\n" + _wrap(passage.text)


def feedback_text(summary: FeedbackSummary) -> str:
    lines = [f"👍 {summary.up}   👎 {summary.down}"]
    if not summary.answers:
        return lines[0] + "\n(no votes yet)"
    lines += ["", "Worst-rated questions first:"]
    for a in summary.answers:
        lines.append(_wrap(f"{a.question}  (👍 {a.up}, 👎 {a.down})"))
        lines += [_wrap(f"- {r}", "      ") for r in a.reasons]
    return "\n".join(lines)
