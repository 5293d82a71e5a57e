"""Each side of a topic (the sides of the corpus profile), each sentence (or clause) quoted and cited.

A sentence such as "Putin supports the double freeze approach ..., but Trump believes continuing
sanctions are necessary" holds both sides: it is split at ", but" / ";" into clauses, each an exact
substring of the release. A clause is then given to a side by what it is about:
- "both sides/parties/presidents ...", or "agree(d)" with actors of both sides (or "they"): both;
- actors are looked for after a leading "On Syria," / "When asked ...," phrase;
- a quotation goes to its speaker's side, whoever it mentions ("... meetings with President Putin"
  in Tillerson's words is the U.S. side);
- otherwise the first actor it names, or else the speaker of the sentence.
Clauses naming no actor and no speaker are left out, and so are "Neither X nor Y ..." clauses
(what neither side said is nobody's position). The actors and the people's sides come from the
profile (``SideTable``); a corpus without sides has no positions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.answer import cite
from retrieval.hybrid import Hit
from retrieval.profile import Profile
from retrieval.types import Positions, Quote, SideQuotes

_CLAUSE_BREAK = re.compile(r",\s+but\s+|;\s+")
_LEADING_PHRASE = re.compile(r"^(?:On|When|In response|According|After|As|Although|In)\b[^,]*,\s+", re.I)
_BOTH = re.compile(
    r"\b(?:both\s+(?:sides|parties|presidents|leaders|foreign\s+ministers|of\s+the\s+leaders|of\s+them)"
    r"|the\s+two\s+(?:presidents|leaders|sides))\b",
    re.I,
)
_AGREE = re.compile(r"\bagree(?:d|s)?\b", re.I)
_THEY = re.compile(r"^[\"“]?they\b", re.I)
_NEITHER = re.compile(r"^[\"“]?neither\b", re.I)


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of a sentence."""
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


class SideTable:
    """Who is on which side: the profile's people (by canonical name) and other actors."""

    def __init__(self, profile: Profile) -> None:
        self.sides = profile.sides
        self.of_person = {p.name: p.side for p in profile.people if p.side}
        groups = [(re.escape(p.name), p.side) for p in profile.people if p.side] + list(profile.actors)
        self._side_of_group = [side for _, side in groups]
        self._actor = (
            re.compile("|".join(f"(?P<a{i}>\\b{p}(?![\\w’']))" for i, (p, _) in enumerate(groups)), re.I)
            if groups
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.sides)

    def actors(self, text: str) -> list[str]:
        if self._actor is None:
            return []
        return [self._side_of_group[int(m.lastgroup[1:])] for m in self._actor.finditer(text)]  # type: ignore[index]

    def side_of(self, clause: str, speaker: str | None, quoted: bool = False) -> str | None:
        body = _LEADING_PHRASE.sub("", clause, count=1)
        if _NEITHER.match(body):
            return None
        named = self.actors(body)
        if _BOTH.search(body) or (
            _AGREE.search(body) and (_THEY.match(body) or {s.id for s in self.sides} <= set(named))
        ):
            return "both"
        if quoted and speaker in self.of_person:
            return self.of_person[speaker]  # a quotation is its speaker's position, whoever it mentions
        if named:
            return named[0]
        return self.of_person.get(speaker or "")


def split_positions(
    topic: str, hits: Sequence[Hit], passage_text: dict[tuple[str, int], str], table: SideTable
) -> Positions:
    placed: list[tuple[str, str, Hit]] = []  # (side, clause text, hit)
    for hit in hits:
        s = hit.sentence
        parts = clauses(s.text)
        for start, end in parts:
            text = s.text[start:end].strip() if len(parts) > 1 else s.text
            side = table.side_of(text, s.speaker, s.quoted)
            if side is not None:
                placed.append((side, text, hit))
    _, citations = cite([hit for _, _, hit in placed], passage_text)  # only paragraphs quoted
    number = {(c.doc, c.paragraph): c.n for c in citations}
    sides: dict[str, list[Quote]] = {s.id: [] for s in table.sides}
    sides["both"] = []
    for side, text, hit in placed:
        s = hit.sentence
        sides[side].append(Quote(text, number[(s.doc_id, s.paragraph)], s.speaker))
    return Positions(
        topic=topic,
        sides=[SideQuotes(s.id, s.label, sides[s.id], s.emoji) for s in table.sides],
        both=sides["both"],
        citations=citations,
    )
