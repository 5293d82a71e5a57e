"""Who is speaking, in the release and in a question.

Rules, applied sentence by sentence in document order:
1. A named speaker with a verb of saying ("Tillerson said", "Lavrov pointed out", "The translator of
   Lavrov's remarks said") makes that person the speaker.
2. "he said" / "he did" without a name continues the last named speaker.
3. A sentence inside a direct quotation belongs to whoever opened it; a quotation that opens a
   paragraph belongs to the speaker introduced at the end of the previous one ("Tillerson said,").
Quotations close at the end of their paragraph at the latest (a paragraph that continues a quote
opens with a quotation mark again, by typographic convention).

The people and their aliases come from the corpus profile (``Speakers(profile.people)``); without
people nobody is attributed and no question asks about a speaker.

Speakers are attributed when the index is built and saved with it: a change to these rules must
bump ``CHUNKER_VERSION`` in retrieval/documents.py so that saved indexes are rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from retrieval.profile import Person
from retrieval.types import Sentence

_SAYING = (
    r"said|says|say|stressed|pointed\s+out|referred\s+to|noted|added|told|explained|insisted|argued"
    r"|denied|illustrated|retains\s+his\s+view|remarked|warned|replied|answered"
)
# A capitalised name as the subject of words or of a stated position ("Russia requested",
# "Putin firmly denied", "Trump believes"): whom the text lets the reader hear from.
_HEARD = re.compile(
    rf"\b(?P<name>[A-Z][\w’'\-]+)\s+(?:\w+ly\s+|also\s+|has\s+)?(?:{_SAYING}|requested|supports|believes|wants)\b"
)
_PRONOUN_SAYS = re.compile(r"\b(?:he|she)\s+(?:said|did|added|stressed|noted)\b", re.IGNORECASE)
_INTRODUCES_QUOTE = re.compile(r"\b(?:said|says|added|stressed|noted)\s*[,:]\s*$", re.IGNORECASE)
QUOTE_MARK = re.compile(r"[\"“”]")
_ATTRIBUTION = r"(?:\b(?:according\s+to|in\s+the\s+(?:view|eyes|words|opinion)\s+of)\s+)?"


class Speakers:
    """The people of a corpus profile, and who speaks in a text or is asked about in a question."""

    def __init__(self, people: Sequence[Person] = ()) -> None:
        # canonical name -> aliases (matched as whole words, case-insensitive)
        self.people: dict[str, tuple[str, ...]] = {p.name: p.aliases for p in people}
        self._attribution: re.Pattern[str] | None = None
        self._ask: list[re.Pattern[str]] = []
        if not self.people:
            return
        name = "|".join(
            sorted({re.escape(a) for aliases in self.people.values() for a in aliases}, key=len, reverse=True)
        )
        self._attribution = re.compile(
            rf"\b(?:the\s+translator\s+of\s+)?(?P<name>{name})(?:[’']s\s+remarks)?\s+(?:firmly\s+|also\s+)?(?:{_SAYING})\b",
            re.IGNORECASE,
        )
        self._ask = [
            re.compile(
                rf"\b(?:did|does|do|has|had)\s+(?P<name>{name})\s+(?:\w+\s+)?(?:say|said|think|mention|tell|state|claim|argue|stress|note|point|refer|deny|raise|emphasi[sz]e|highlight|propose|want)\b",
                re.I,
            ),
            re.compile(rf"\baccording\s+to\s+(?P<name>{name})\b", re.I),
            re.compile(
                rf"\b(?P<name>{name})[’']s\s+(?:view|views|position|stance|take|opinion|remarks|comments|words|account|answer)\b",
                re.I,
            ),
            re.compile(
                rf"\b(?P<name>{name})\s+(?:said|say|says|mention|mentioned|stressed|think|thinks|believe|believes)\b",
                re.I,
            ),
        ]

    def canonical(self, name: str) -> str | None:
        low = " ".join(name.lower().split())
        for person, aliases in self.people.items():
            if any(low == a.lower() for a in aliases):
                return person
        return None

    def named_speaker(self, text: str) -> str | None:
        m = self._attribution.search(text) if self._attribution else None
        return self.canonical(m.group("name")) if m else None

    def asked_speaker(self, question: str) -> str | None:
        """The person a question asks about as a speaker ("what did Lavrov say about ...")."""
        for pattern in self._ask:
            m = pattern.search(question)
            if m:
                return self.canonical(m.group("name"))
        return None

    def named(self, question: str) -> list[str]:
        """The people a question names (canonical names, in the profile's order)."""
        return [
            p
            for p in self.people
            if (pattern := self._names((p,), possessive=True)) and pattern.search(question)
        ]

    def without_speaker(self, question: str, *speakers: str) -> str:
        """The question with these people's names taken out ("What did Tillerson say about Assad?"
        -> "What did say about Assad?"): the name alone would make every sentence that mentions
        them look relevant; the speaker is preferred through the speaker boost instead. With no
        speakers given, every person's name goes."""
        pattern = self._names(speakers or tuple(self.people), possessive=True, attribution=True)
        if pattern is None:
            return question
        stripped = " ".join(pattern.sub(" ", question).split()).strip(" ,")
        return stripped if any(ch.isalnum() for ch in stripped) else question

    def with_person(self, question: str, name: str) -> str:
        """The question asked of another person: every person's name in it becomes ``name``
        ("what is Putin's view on Assad?" -> "what is Tillerson's view on Assad?"); a question
        that names nobody is asked "according to" them."""
        pattern = self._names(tuple(self.people), possessive=False)
        if pattern is not None:
            replaced, n = pattern.subn(name, question)
            if n:
                return replaced
        return f"according to {name}, {question[:1].lower()}{question[1:]}"

    def _names(
        self, people: Sequence[str], *, possessive: bool, attribution: bool = False
    ) -> re.Pattern[str] | None:
        """The names of these people as whole words, longest first (``possessive``: with a
        following "'s"; ``attribution``: with an "according to" or "in the view of" before it,
        which means nothing once the name is gone); None when they have none. Only the aliases
        that hold the name itself, or a first name or nickname ("Rex", "Vlad"): an epithet such as
        "Moscow's top diplomat" carries meaning worth keeping."""
        aliases = sorted((a for p in people for a in self._own_names(p)), key=len, reverse=True)
        if not aliases:
            return None
        prefix = _ATTRIBUTION if attribution else ""
        suffix = r"(?:[’']s)?" if possessive else ""
        names = "|".join(re.escape(a) for a in aliases)
        return re.compile(prefix + r"\b(?:" + names + r")" + suffix + r"\b", re.I)

    def _own_names(self, person: str) -> list[str]:
        """The aliases of ``person`` that are their name: those that hold it, and one-word ones
        (a first name or a nickname: "Rex", "Vlad"; an epithet takes words: "the Kremlin chief")."""
        return [a for a in self.people.get(person, ()) if person in a or " " not in a.strip()]

    def attribute(self, sentences: list[Sentence]) -> list[Sentence]:
        return attribute_speakers(sentences, self)


def heard_names(sentences: Sequence[Sentence]) -> frozenset[str]:
    """The names (lower case) that some sentence lets speak or state a position (``_HEARD``):
    a question about what anyone else said is about words the text does not give."""
    return frozenset(m.group("name").lower() for s in sentences for m in _HEARD.finditer(s.text))


def quoted_speakers(sentences: Sequence[Sentence]) -> frozenset[str]:
    """The speakers the text quotes word for word: those of the sentences that hold a quotation
    mark themselves ("Tillerson said, \"By and large ..."). A sentence inside a quotation the
    tracker could not see closed, or reported speech ("Putin retains his view that ..."), does
    not count."""
    return frozenset(s.speaker for s in sentences if s.speaker and QUOTE_MARK.search(s.text))


def attribute_speakers(sentences: list[Sentence], speakers: Speakers) -> list[Sentence]:
    """Fill ``speaker`` and ``quoted`` for sentences given in document order."""
    out: list[Sentence] = []
    last_named: str | None = None
    introducer: str | None = None  # "X said," closing the previous sentence/paragraph
    quote_owner: str | None = None  # set while a quotation is open
    prev_paragraph: tuple[str, int] | None = None
    for s in sentences:
        para = (s.doc_id, s.paragraph)
        if para != prev_paragraph:
            quote_owner = None  # quotations close with their paragraph
            if prev_paragraph is None or para[0] != prev_paragraph[0]:
                last_named, introducer = None, None
            prev_paragraph = para
        inside_quote_at_start = quote_owner is not None
        explicit = speakers.named_speaker(s.text)
        if explicit:
            speaker: str | None = explicit
        elif inside_quote_at_start:
            speaker = quote_owner
        elif s.text.lstrip().startswith(('"', "“")) and introducer:
            speaker = introducer
        elif _PRONOUN_SAYS.search(s.text):
            speaker = last_named
        else:
            speaker = None
        marks = len(QUOTE_MARK.findall(s.text))
        opens_quote = marks % 2 == 1 and not inside_quote_at_start
        closes_quote = marks % 2 == 1 and inside_quote_at_start
        quoted = inside_quote_at_start or marks > 0
        if opens_quote:
            quote_owner = speaker or introducer or last_named
        elif closes_quote:
            quote_owner = None
        if explicit:
            last_named = explicit
        introducer = speaker if _INTRODUCES_QUOTE.search(s.text) else None
        out.append(replace(s, speaker=speaker, quoted=quoted))
    return out
