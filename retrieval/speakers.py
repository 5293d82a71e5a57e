"""Who is speaking, in the release and in a question.

Rules, applied sentence by sentence in document order:
1. A named speaker with a verb of saying ("Tillerson said", "Lavrov pointed out", "The translator of
   Lavrov's remarks said") makes that person the speaker.
2. "he said" / "he did" without a name continues the last named speaker.
3. A sentence inside a direct quotation belongs to whoever opened it; a quotation that opens a
   paragraph belongs to the speaker introduced at the end of the previous one ("Tillerson said,").
Quotations close at the end of their paragraph at the latest (a paragraph that continues a quote
opens with a quotation mark again, by typographic convention).

Speakers are attributed when the index is built and saved with it: a change to these rules must
bump ``CHUNKER_VERSION`` in retrieval/documents.py so that saved indexes are rebuilt.
"""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.types import Sentence

# canonical name -> aliases (matched as whole words, case-insensitive)
PEOPLE: dict[str, tuple[str, ...]] = {
    "Tillerson": (
        "Tillerson",
        "Rex Tillerson",
        "Secretary of State",
        "Secretary Tillerson",
        "the U.S. Secretary of State",
        "America's top diplomat",
        "Washington's top diplomat",
        "the American foreign minister",
    ),
    "Lavrov": (
        "Lavrov",
        "Sergey Lavrov",
        "Sergei Lavrov",
        "Foreign Minister Lavrov",
        "the Russian Foreign Minister",
        "Russia's Foreign Minister",
        "Russia's top diplomat",
        "Moscow's top diplomat",
    ),
    "Putin": ("Putin", "Vladimir Putin", "President Putin", "the Russian president", "the Kremlin chief"),
    "Trump": ("Trump", "Donald Trump", "President Trump", "the American president", "the U.S. president"),
}
# Who is on which side: the one table. Regex of an actor the release names -> "us" | "russia";
# the people of PEOPLE appear under their canonical names.
ACTORS: dict[str, str] = {
    r"Tillerson": "us",
    r"Trump": "us",
    r"the\s+United\s+States": "us",
    r"U\.S\.": "us",
    r"Washington": "us",
    r"Haley": "us",
    r"Volker": "us",
    r"Putin": "russia",
    r"Lavrov": "russia",
    r"Russia(?:n)?": "russia",
    r"Moscow": "russia",
}
SIDE: dict[str, str] = {person: ACTORS[person] for person in PEOPLE}

_NAME = "|".join(
    sorted({re.escape(a) for aliases in PEOPLE.values() for a in aliases}, key=len, reverse=True)
)
_SAYING = (
    r"said|says|say|stressed|pointed\s+out|referred\s+to|noted|added|told|explained|insisted|argued"
    r"|denied|illustrated|retains\s+his\s+view|remarked|warned|replied|answered"
)
_ATTRIBUTION = re.compile(
    rf"\b(?:the\s+translator\s+of\s+)?(?P<name>{_NAME})(?:[’']s\s+remarks)?\s+(?:firmly\s+|also\s+)?(?:{_SAYING})\b",
    re.IGNORECASE,
)
_PRONOUN_SAYS = re.compile(r"\b(?:he|she)\s+(?:said|did|added|stressed|noted)\b", re.IGNORECASE)
_INTRODUCES_QUOTE = re.compile(r"\b(?:said|says|added|stressed|noted)\s*[,:]\s*$", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]")

_ASK_PATTERNS = [
    re.compile(
        rf"\b(?:did|does|do|has|had)\s+(?P<name>{_NAME})\s+(?:\w+\s+)?(?:say|said|think|mention|tell|state|claim|argue|stress|note|point|refer|deny|raise|emphasi[sz]e|highlight|propose|want|ask)\b",
        re.I,
    ),
    re.compile(rf"\baccording\s+to\s+(?P<name>{_NAME})\b", re.I),
    re.compile(
        rf"\b(?P<name>{_NAME})[’']s\s+(?:view|views|position|stance|take|opinion|remarks|comments|words|account|answer)\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<name>{_NAME})\s+(?:said|say|says|mention|mentioned|stressed|think|thinks|believe|believes)\b",
        re.I,
    ),
]


def canonical(name: str) -> str | None:
    low = " ".join(name.lower().split())
    for person, aliases in PEOPLE.items():
        if any(low == a.lower() for a in aliases):
            return person
    return None


def named_speaker(text: str) -> str | None:
    m = _ATTRIBUTION.search(text)
    return canonical(m.group("name")) if m else None


def asked_speaker(question: str) -> str | None:
    """The person a question asks about as a speaker ("what did Lavrov say about ...")."""
    for pattern in _ASK_PATTERNS:
        m = pattern.search(question)
        if m:
            return canonical(m.group("name"))
    return None


def without_speaker(question: str, *speakers: str) -> str:
    """The question with these people's names taken out ("What did Tillerson say about Assad?"
    -> "What did say about Assad?"): the name alone would make every sentence that mentions them
    look relevant; the speaker is preferred through the speaker boost instead. With no speakers
    given, every person's name goes."""
    # Only the name itself: an epithet such as "Moscow's top diplomat" carries meaning worth keeping.
    people = speakers or tuple(PEOPLE)
    aliases = sorted((a for p in people for a in PEOPLE.get(p, ()) if p in a), key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")(?:[’']s)?\b", re.I)
    stripped = " ".join(pattern.sub(" ", question).split())
    return stripped if any(ch.isalnum() for ch in stripped) else question


def attribute_speakers(sentences: list[Sentence]) -> list[Sentence]:
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
        explicit = named_speaker(s.text)
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
        marks = len(_QUOTE.findall(s.text))
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
