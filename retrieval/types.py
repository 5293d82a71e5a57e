"""Plain, typed results shared by the pipeline and its front ends.

Nothing here imports discord, torch or faiss: these are the values the CLI and the Discord layer
render. Every ``text`` field that names a passage or a sentence is an exact substring of the corpus
file it came from (``Document.text[start:end]``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


def passage_id(doc_id: str, paragraph: int) -> str:
    """The stable id of a paragraph: ``"<doc_id>#p<paragraph>"``."""
    return f"{doc_id}#p{paragraph}"


def sentence_id(doc_id: str, paragraph: int, index: int) -> str:
    """The stable id of a sentence: ``"<doc_id>#p<paragraph>.s<index>"``."""
    return f"{passage_id(doc_id, paragraph)}.s{index}"


@dataclass(frozen=True)
class Document:
    """One corpus file and its metadata (``corpus/NAME.txt`` + ``corpus/NAME.toml``)."""

    doc_id: str  # file stem, e.g. "summit-2017-07-press-release"
    title: str
    source: str
    date: str
    path: str  # file name inside the corpus folder
    text: str  # the whole file, verbatim


@dataclass(frozen=True)
class Passage:
    """A content paragraph, numbered from 1 within its document (site furniture is skipped)."""

    pid: str  # "<doc_id>#p<paragraph>"
    doc_id: str
    paragraph: int
    start: int  # character offsets into Document.text
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage, with who is speaking in it when the release says so."""

    sid: str  # "<doc_id>#p<paragraph>.s<index>"
    doc_id: str
    paragraph: int
    index: int  # 1-based position inside the paragraph
    start: int
    end: int
    text: str
    speaker: str | None = None  # canonical name ("Tillerson", "Lavrov", ...) or None (narrator)
    quoted: bool = False  # inside a direct quotation


@dataclass(frozen=True)
class Collection:
    """How replies and help name the documents (from the corpus profile, or their metadata)."""

    title: str  # "I answer questions about {title}"
    name: str  # "The {name} does not answer that."
    short: str  # "The {short} does not cover …"
    example: str  # an example question


@dataclass(frozen=True)
class Topic:
    name: str
    description: str


@dataclass(frozen=True)
class Citation:
    """A numbered source: the whole paragraph an answer sentence was quoted from."""

    n: int
    doc: str
    paragraph: int
    text: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc": self.doc,
            "paragraph": self.paragraph,
            "text": self.text,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class Quote:
    """One sentence (or clause) quoted verbatim, marked with the number of its citation."""

    text: str
    n: int
    speaker: str | None = None


Coverage = Literal["full", "partial", "none"]


@dataclass(frozen=True)
class AnswerPart:
    """One part of a (possibly multi-part) question and what the release says to it."""

    question: str  # the part as searched
    coverage: Coverage
    # The plain "The release does not say ..." line (partial / none), or, for a part answered by
    # a quote an earlier part already gives, a line saying so.
    note: str = ""
    quotes: list[Quote] = field(default_factory=list)  # the answer, or the related sentences
    probability: float = 0.0  # calibrated probability that the release answers it

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "coverage": self.coverage,
            "note": self.note,
            "answer": " ".join(f"{q.text} [{q.n}]" for q in self.quotes),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str  # quoted sentences with [n] markers, or a plain "not covered" message
    citations: list[Citation] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    suggestions: list[Topic] = field(default_factory=list)  # filled when not answered
    speaker: str | None = None  # the speaker the question asked about, if any
    confidence: float = 0.0  # best dense similarity
    off_topic: float = -1.0  # best similarity with a subject the release does not cover
    coverage: Coverage = "full"  # full: answered; partial: on the subject, not the detail; none
    searched_for: str = ""  # the question as searched, when spelling or chat forms changed it
    parts: list[AnswerPart] = field(default_factory=list)  # one per part of the question
    probability: float = 0.0  # the lowest calibrated probability over the parts

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "coverage": self.coverage,
        }
        if self.searched_for:
            out["searched_for"] = self.searched_for
        if len(self.parts) > 1:
            out["parts"] = [p.to_json() for p in self.parts]
        return out


@dataclass(frozen=True)
class Summary:
    topic: str
    summary: str
    citations: list[Citation] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    known: bool = True  # a topic of the corpus profile (False: free text)

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "summary": self.summary,
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class SideQuotes:
    """What one side of the corpus profile says on a topic."""

    id: str  # the side's id in the profile ("us"): its key in the JSON
    label: str  # "United States"
    quotes: list[Quote]
    emoji: str = ""


@dataclass(frozen=True)
class Positions:
    """Each side of a topic (as the corpus profile names them), and what both agreed on."""

    topic: str
    sides: list[SideQuotes]
    both: list[Quote]
    citations: list[Citation]

    def side(self, side_id: str) -> list[Quote]:
        return next((s.quotes for s in self.sides if s.id == side_id), [])

    @property
    def quotes(self) -> list[Quote]:
        return [q for s in self.sides for q in s.quotes] + self.both

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"topic": self.topic}
        out.update({s.id: [asdict(q) for q in s.quotes] for s in self.sides})
        out["both"] = [asdict(q) for q in self.both]
        out["citations"] = [c.to_json() for c in self.citations]
        return out


@dataclass(frozen=True)
class IndexStats:
    documents: int
    passages: int
    sentences: int
    seconds: float
    rebuilt: bool
    reason: str  # why it was (re)built, or "up to date"
