"""The first stage: a question as typed becomes a ``Query``.

Cleaning (terminal escape sequences, control characters, invisible format characters, lone
surrogates and Discord mentions go; whitespace is folded), the validation every front end shares,
and the speaker a question asks about. The search text leaves that speaker's name out: the name
alone would make every sentence that mentions them look relevant, so the speaker is preferred by
the search stage's boost instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from config.errors import BadQuestion
from retrieval.speakers import Speakers

# Discord's user, role and channel mentions and the two mass pings.
MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@(?:everyone|here)\b")
# Terminal escape sequences (ECMA-48), removed whole before single control characters go:
# OSC/DCS/SOS/PM/APC strings up to their terminator (BEL or ST), CSI sequences (colours, cursor
# moves, private modes; 7-bit ESC [ or 8-bit CSI), ESC + intermediates + final (character sets),
# and the keypad/cursor-save escapes. A lone ESC is a control character like any other.
TERMINAL_ESCAPE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[!-/]+[0-~]"
    r"|\x1b[78=>]",
    re.DOTALL,
)
EMPTY_QUESTION = 'Please ask a question in words, e.g. "What did Tillerson say about Assad?"'


# "what did <name> say/think ..." — who the question wants to hear from, whoever they are.
_HEARD_FROM = re.compile(
    r"\b(?:did|does|do|has|had|will|would)\s+(?P<name>(?:[\w’'.\-]+\s+){0,2}[\w’'.\-]+)\s+"
    r"(?:say|said|think|thought|mention|tell|state|claim|argue|propose|want|comment)\b",
    re.I,
)


_ADVERBS = frozenset({"really", "actually", "ever", "also", "even", "not", "never"})


def heard_from(question: str) -> str | None:
    """The name a question wants someone's words from ("what did Nikki Haley say" -> "Nikki Haley")."""
    m = _HEARD_FROM.search(question)
    if not m:
        return None
    words = m.group("name").split()
    while words and words[-1].lower() in _ADVERBS:
        words.pop()
    return " ".join(words) or None


@dataclass(frozen=True)
class Query:
    text: str  # the cleaned question
    speaker: str | None  # the person the question asks about as a speaker, if any
    search_text: str  # what the search stage looks for: the text without that speaker's name
    speakers: Speakers = field(default_factory=Speakers, compare=False, repr=False)  # the profile's people

    @property
    def without_people(self) -> str:
        """The search text without any person's name (for the answerability check)."""
        return self.speakers.without_speaker(self.search_text)


def check_length(text: str, max_chars: int) -> None:
    if len(text) > max_chars:
        raise BadQuestion(
            f"That is {len(text):,} characters; please keep questions under {max_chars:,} characters."
        )


def _normalise(text: str) -> str:
    # Lone surrogates (undecodable bytes read with surrogateescape, or sent as such through Discord)
    # cannot be encoded as UTF-8: the tokenizer refuses them and no output could carry them.
    text = "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")
    text = TERMINAL_ESCAPE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    # Control characters and line separators become spaces; invisible format characters (zero-width
    # spaces, direction marks) go.
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )


def clean_question(text: str | None, max_chars: int, *, empty_message: str = EMPTY_QUESTION) -> str:
    """Normalise a question or topic: strip control characters and mentions, fold whitespace.
    Raises BadQuestion with a friendly message when nothing usable is left or it is too long.
    Front ends call it before any slow work; the service calls it again as the authority."""
    if text is None:
        raise BadQuestion("Please ask a question about the press release.")
    check_length(text, max_chars)
    if not (text.isascii() and text.isprintable()):  # plain ASCII (the usual case) needs none of it
        text = _normalise(text)
    text = MENTION.sub(" ", text)
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        raise BadQuestion(empty_message)
    return text


def parse_query(cleaned: str, speakers: Speakers) -> Query:
    """A cleaned question as the search stage needs it (``speakers``: the corpus profile's people)."""
    speaker = speakers.asked_speaker(cleaned)
    search_text = speakers.without_speaker(cleaned, speaker) if speaker else cleaned
    return Query(cleaned, speaker, search_text, speakers)
