"""Two or three questions in one message, split into parts. Query stage.

Splits at a question mark followed by more ("X? also Y"), and at "and"/"also"/";" when what
follows is a question of its own ("X and who agreed to it?", "X, and what about Y"). "What about
Y" takes the frame of the part before it ("what did Tillerson say about Syria, and what about
Ukraine" -> "... about Ukraine"). A coordination after "about"/"on" ("what was said about korea
and the cyber stuff") is only a *candidate* split: the service keeps it only when the two
subjects lie in different paragraphs, so "Russia and Jordan" or "Trump and Putin" stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PARTS = 3
_QWORD = (
    r"(?:what|what's|whats|who|whom|whose|when|where|why|how|which|did|does|do|is|was|were|are|will"
    r"|would|can|could|has|have|had|should|tell\s+me)"
)
_SEPARATOR = re.compile(
    rf"(?:\s*[,;]\s*(?:and\s+|also\s+|plus\s+)?|\s+(?:and\s+also|and|also|plus|as\s+well\s+as)\s+)(?={_QWORD}\b)",
    re.I,
)
_IS_QUESTION = re.compile(rf"^(?:and\s+|also\s+|so\s+)?{_QWORD}\b", re.I)
_AFTER_QMARK = re.compile(r"(?<=\?)\s+(?=\S)")
_LEADING = re.compile(r"^(?:and|also|plus|then|so|oh|ok|okay|btw)\b[\s,]*", re.I)
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(?P<rest>.+)$", re.I)
# "what was said about X and Y" (not "On what point did X and Y ...": the frame needs a verb before).
_FRAME = re.compile(r"^(?P<frame>\S.*\s(?:about|on|regarding|concerning|over|with)\s+)(?P<subject>.+)$", re.I)
_COORDINATION = re.compile(r"^(?P<x>.+?)\s*,?\s+(?:and|&|as\s+well\s+as)\s+(?P<y>.+)$", re.I)


@dataclass(frozen=True)
class Parts:
    texts: list[str]  # one question per part (a single element when not split)
    tentative: bool = False  # a coordination split: keep it only if the subjects differ


def _clean(part: str) -> str:
    return " ".join(_LEADING.sub("", part.strip(" ,;")).split())


def split_parts(question: str) -> Parts:
    pieces: list[str] = []
    for chunk in _AFTER_QMARK.split(question):
        # "According to Tillerson, how did ..." is one question: split only after a question.
        if _IS_QUESTION.match(chunk.strip()):
            pieces.extend(p for p in _SEPARATOR.split(chunk) if p and p.strip(" ,;?"))
        else:
            pieces.append(chunk)
    parts = [p for p in (_clean(p) for p in pieces) if any(ch.isalnum() for ch in p)]
    if len(parts) > 1:
        out = [parts[0]]
        for part in parts[1:]:
            what_about = _WHAT_ABOUT.match(part.rstrip("?"))
            frame = _FRAME.match(out[-1].rstrip("?"))
            if what_about and frame:
                part = frame.group("frame") + what_about.group("rest") + "?"
            out.append(part)
        return Parts(_limit(out))
    single = parts[0] if parts else question
    frame = _FRAME.match(single.rstrip("?"))
    if frame:
        coordination = _COORDINATION.match(frame.group("subject"))
        if coordination:
            x, y = coordination.group("x"), coordination.group("y")
            return Parts([frame.group("frame") + x, frame.group("frame") + y], tentative=True)
    return Parts([single])


def _limit(parts: list[str]) -> list[str]:
    if len(parts) <= MAX_PARTS:
        return parts
    return [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
