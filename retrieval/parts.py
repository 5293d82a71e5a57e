"""Two or three questions in one message, split into parts. Query stage.

Splits at a question mark followed by more ("X? also Y"), and at "and"/"also"/"+"/";" when what
follows is a question of its own ("X and who agreed to it?", "X, and what about Y"). "What about
Y" takes the frame of the part before it ("what did Tillerson say about Syria, and what about
Ukraine" -> "... about Ukraine"). A coordination after "about"/"on" ("what was said about korea
and the cyber stuff") is only a *candidate* split: the service keeps it only when the two
subjects lie in different paragraphs, so "Russia and Jordan" or "Trump and Putin" stay whole;
a short list ("on syria, ukraine and north korea") is a candidate split in up to three.

Also split: a period or "!" followed by another question ("X. btw who announced it"), an
enumeration ("first why ..., second who ..."), questions after a lead-in ending in a colon
("quick rundown pls: where's X, who's Y, and what's Z"), and, as a candidate, a bare list of
subjects, numbered or three long ("1) syria 2) ukraine 3) north korea — quick rundown pls").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MAX_PARTS = 3
_QWORD = (
    r"(?:what|what's|whats|who|whom|whose|when|where|why|how|which|did|does|do|is|was|were|are|will"
    r"|would|can|could|has|have|had|should|tell\s+me)"
)
# "first ..., second ...": the words that number the questions of an enumeration.
_ORDINAL = r"(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly|[1-3][.)])"
# After a comma, "any X?" asks too ("..., any promises for the future?"); after a bare "and" it
# is more often the object ("did they agree on cyber and any other issues").
_SEPARATOR = re.compile(
    rf"(?:\s*[,;]?\s*{_ORDINAL},?\s+|\s*[,;]\s*(?:and\s+|also\s+|plus\s+)?)(?=(?:{_QWORD}|any)\b)"
    rf"|\s+(?:and\s+also|and|also|plus|\+|&|/|as\s+well\s+as)\s+(?={_QWORD}\b)",
    re.I,
)
# A question joined on with a conjunction, not just a comma ("According to Tillerson, how ...").
_JOINED_QUESTION = re.compile(
    rf"(?:[,;]\s*(?:and|also|plus)|;|\s(?:and\s+also|also|plus|/))\s+{_QWORD}\b", re.I
)
_IS_QUESTION = re.compile(
    rf"^(?:(?:and|also|so|btw|ok|okay|oh|well|hey|yo|alright|{_ORDINAL}),?\s+)?(?:{_QWORD}|any)\b", re.I
)
_AFTER_QMARK = re.compile(r"(?<=\?)\s+(?=\S)")
_AFTER_STOP = re.compile(r"(?<=[.!])\s+(?=\S)")
# "tillersons take on the cyber thing? like whats the big deal for him": the same question again.
_ELABORATION = re.compile(
    r"^(?:like|i\s+mean|as\s+in|i\.?e\.?|in\s+other\s+words|or\s+rather|meaning)\b", re.I
)
# "quick rundown pls: where's ...": a short request before the questions.
_LEAD_IN = re.compile(r"^[^:?]{1,40}:\s+(?=\S)|^[^:?\-—–]{1,30}?\s+[-—–]+\s+(?=\S)")
# "ukraine: what did russia ask for? who announced the envoy?", "north korea - what does trump
# want, and ...": a subject before the questions, which every one of them is about.
_SUBJECT = re.compile(r"^(?P<subject>[^:?\-—–]{1,30}?)\s*(?::|\s[-—–]+)\s+(?=\S)")
SUBJECT_MAX_WORDS = 4
_LEADING = re.compile(rf"^(?:and|also|plus|then|so|oh|ok|okay|btw|{_ORDINAL})(?!\w)[\s,]*|^[+&]\s*", re.I)
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(?P<rest>.+)$", re.I)
# "what was said about X and Y" (not "On what point did X and Y ...": the frame needs a verb before).
_FRAME = re.compile(r"^(?P<frame>\S.*\s(?:about|on|regarding|concerning|over|with)\s+)(?P<subject>.+)$", re.I)
_COORDINATION = re.compile(r"^(?P<x>.+?)\s*,?\s+(?:and|&|\+|as\s+well\s+as)\s+(?P<y>.+)$", re.I)
_LIST_ITEM = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&|\+|as\s+well\s+as)\s+|\s+/\s+", re.I)
LIST_ITEM_MAX_WORDS = 4  # "syria, ukraine and north korea", not a list of clauses
# A bare list with no question word: "1) syria 2) ukraine 3) north korea — quick rundown pls",
# "the first lady thing, the nuclear powers line, and the zones - explain all 3". The request
# around it goes (after a dash or before a colon); numbers or three items make it a list.
_REQUEST_AFTER = re.compile(r"\s+[-—–]+\s+[^-—–]{1,40}$")
_NUMBERED = re.compile(r"(?:^|\s+|\s*[,;]\s*)[1-9][.)]\s*")


@dataclass(frozen=True)
class Parts:
    texts: list[str]  # one question per part (a single element when not split)
    tentative: bool = False  # a coordination split: keep it only if the subjects differ
    # A list of three subjects, or a numbered one ("1) syria 2) ukraine", "cyber working group,
    # lavrovs take, tillersons take"): asked one by one, so it is kept even in one paragraph
    # when each item has a sentence of its own.
    enumerated: bool = False
    # Per part: a "what about Y" the frame of the part before did not take, so Y may be a
    # subject of its own ("..., and what about the cyber stuff") or the same one asked of
    # someone else ("did anyone bring up military options, and what about haley").
    what_about: tuple[bool, ...] = ()
    # The words before a colon or a dash ahead of the questions ("ukraine: ..."), when they may
    # be the subject all the parts are about (a request such as "quick rundown pls" too: the
    # service keeps only one the documents have words for).
    subject: str = ""


def _clean(part: str) -> str:
    return " ".join(_LEADING.sub("", part.strip(" ,;")).split())


def _chunks(question: str) -> list[str]:
    """Split after "?", and after "." or "!" when another question follows (not "the U.S. said");
    not before a question that says the one before in other words ("X? like, Y")."""
    chunks: list[str] = []
    for chunk in _AFTER_QMARK.split(question):
        for piece in _AFTER_STOP.split(chunk):
            if chunks and (
                _ELABORATION.match(piece) or (not chunks[-1].endswith("?") and not _IS_QUESTION.match(piece))
            ):
                chunks[-1] += " " + piece
            else:
                chunks.append(piece)
    return chunks


def _questions(chunk: str) -> list[str]:
    """A chunk split at the questions it holds, past a lead-in ending in a colon."""
    body = _LEAD_IN.sub("", chunk.strip(), count=1)
    for text in (chunk.strip(), body):
        pieces = [p for p in _SEPARATOR.split(text) if p and p.strip(" ,;?")]
        # "According to Tillerson, how did ..." is one question: split only after a question,
        # or, once the lead-in is off (so that it stays the parts' subject), before a "what
        # about Y" ("north korea positions, and what about haley") or a question joined on with
        # a conjunction ("putins stance on north korea, and did nikki haley come up").
        if len(pieces) > 1 and (
            _IS_QUESTION.match(text)
            or (text == body and any(_WHAT_ABOUT.match(_clean(p)) for p in pieces[1:]))
            or (text == body and _JOINED_QUESTION.search(text) and _bare_list(text) is None)
        ):
            return pieces
    return [chunk]


def _coordination(subject: str) -> list[str] | None:
    """The subjects of "about X and Y" or of a short list "X, Y and Z"."""
    items = [i for i in _LIST_ITEM.split(subject) if i.strip()]
    if 2 < len(items) <= MAX_PARTS and all(len(i.split()) <= LIST_ITEM_MAX_WORDS for i in items):
        return items
    coordination = _COORDINATION.match(subject)
    return [coordination.group("x"), coordination.group("y")] if coordination else None


def _subject(question: str) -> str:
    m = _SUBJECT.match(question.strip())
    if not m or _IS_QUESTION.match(m.group("subject")) or len(m.group("subject").split()) > SUBJECT_MAX_WORDS:
        return ""
    return m.group("subject").strip()


def split_parts(question: str) -> Parts:
    parts = _split_parts(question)
    subject = _subject(question) if len(parts.texts) > 1 else ""
    # The items of a bare list name their own subjects ("syria, ukraine, north korea: ..."); a
    # list after the subject is about it ("assad: us view, putin view, and ...").
    if parts.tentative and (not parts.enumerated or any(i in subject for i in parts.texts)):
        subject = ""
    return replace(parts, subject=subject) if subject else parts


def _split_parts(question: str) -> Parts:
    pieces = [p for chunk in _chunks(question) for p in _questions(chunk)]
    parts = [p for p in (_clean(p) for p in pieces) if any(ch.isalnum() for ch in p)]
    if len(parts) > 1:
        out, own = [parts[0]], [False]
        for part in parts[1:]:
            what_about = _WHAT_ABOUT.match(part.rstrip("?"))
            frame = _FRAME.match(out[-1].rstrip("?"))
            if what_about and frame:
                part = frame.group("frame") + what_about.group("rest") + "?"
            out.append(part)
            own.append(what_about is not None and frame is None)
        limited = _limit(out)
        return Parts(limited, what_about=tuple(own[: len(limited)]))
    single = parts[0] if parts else question
    # After a lead-in ("quick rundown pls: putin on north korea, the first lady story, and how
    # many issues got resolved"), a list is the items asked for, not one frame ("putin on") over
    # the rest.
    items = _bare_list(question) if _LEAD_IN.match(question.strip()) else None
    if items:
        return Parts(items, tentative=True, enumerated=True)
    frame = _FRAME.match(single.rstrip("?"))
    if frame:
        subjects = _coordination(frame.group("subject"))
        if subjects:
            texts = [frame.group("frame") + s for s in subjects]
            return Parts(texts, tentative=True, enumerated=len(subjects) > 2)
    items = _bare_list(question)  # as typed: cleaning drops a leading "1)"
    if items:
        return Parts(items, tentative=True, enumerated=True)
    return Parts([single])


def _bare_list(text: str) -> list[str] | None:
    """The items of a list of subjects that is not a question (see ``_NUMBERED``): numbered
    ones, or three short ones separated by commas and "and"; None for anything else."""
    if _IS_QUESTION.match(text):
        return None
    text = text.strip().rstrip("?.!")
    body = _LEAD_IN.sub("", _REQUEST_AFTER.sub("", text), count=1).strip()
    items = _list_items(body)
    if items is None and ":" in text:  # "syria, ukraine, north korea: one line each pls"
        items = _list_items(text.rsplit(":", 1)[0])
    return items


def _list_items(body: str) -> list[str] | None:
    numbered = _NUMBERED.match(body) is not None
    items = [i.strip(" ,;") for i in (_NUMBERED if numbered else _LIST_ITEM).split(body)]
    items = [i for i in items if i]
    if not ((numbered and len(items) >= 2) or len(items) == MAX_PARTS):
        return None
    # The last item may be a question of its own ("us view, putin view, and whos keeping the
    # ceasefire"); any other is a subject of a few words.
    last_is_question = _IS_QUESTION.match(items[-1]) is not None
    subjects = items[:-1] if last_is_question else items
    if len(items) > MAX_PARTS or any(len(i.split()) > LIST_ITEM_MAX_WORDS for i in subjects):
        return None
    return items


def _limit(parts: list[str]) -> list[str]:
    if len(parts) <= MAX_PARTS:
        return parts
    return [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
