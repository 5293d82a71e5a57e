"""The corpus: documents, numbered paragraphs (passages) and sentences with stable ids.

A document is ``corpus/NAME.txt`` or ``corpus/NAME.md`` (the text, verbatim) plus
``corpus/NAME.toml`` (title, source, date). Paragraphs are blocks separated by blank lines; in
Markdown, each list item is a paragraph of its own (starting after its bullet or number),
headings, rules and fenced code are furniture, and a paragraph's text is still the file's own.
In plain text, site furniture ("News / Brèves", "Printable
version", "PRESS RELEASE", the title line, ...) is skipped, the rest is numbered ¶1, ¶2, ... in
order. Sentences come from pysbd (a rule-based splitter that knows "U.S." and "U.N."), run with
quotation marks masked so that a quoted passage splits into its sentences too. Every passage and
sentence keeps its character offsets, so its text is always ``document.text[start:end]``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config.errors import SetupError
from retrieval.profile import PROFILE_NAME, load_profile
from retrieval.speakers import Speakers, attribute_speakers
from retrieval.types import Document, Passage, Sentence, passage_id, sentence_id

# Bump when the way text becomes passages/sentences changes: it is part of the index manifest.
CHUNKER_VERSION = 4  # 4: line breaks inside a paragraph do not end a sentence

FURNITURE = re.compile(
    r"""^(
        news\s*/\s*br[eè]ves
      | back\ to\ previous\ selection\b.*
      | printable\ version\b.*
      | press\ release
      | share\ this\b.*
      | print\ this\ page
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")  # runs of non-blank lines
_QUOTES = re.compile(r"[\"“”]")
REQUIRED_META = ("title", "source", "date")
SUFFIXES = (".txt", ".md")
# Markdown: a heading, a thematic break, a fence, and a list item's marker.
_MD_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:\s|$)|(?:[-*_] *){3,}$|=+\s*$|-+\s*$)")
_MD_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_MD_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])\s+)(?=\S)")


@dataclass(frozen=True)
class Corpus:
    documents: list[Document]
    passages: list[Passage]
    sentences: list[Sentence]

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(doc_id)

    def passage(self, doc_id: str, paragraph: int) -> Passage | None:
        for p in self.passages:
            if p.doc_id == doc_id and p.paragraph == paragraph:
                return p
        return None


def corpus_hash(documents: Iterable[Document]) -> str:
    h = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.doc_id):
        for part in (doc.doc_id, doc.title, doc.source, doc.date, doc.text):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
    return h.hexdigest()


def is_furniture(line: str, title: str) -> bool:
    stripped = " ".join(line.replace("\u00a0", " ").split())
    return not stripped or bool(FURNITURE.match(stripped)) or stripped == " ".join(title.split())


def read_documents(corpus_dir: Path) -> list[Document]:
    """Read every ``*.txt`` and ``*.md`` with its ``*.toml`` metadata. Raises SetupError with a
    clear message."""
    if not corpus_dir.is_dir():
        raise SetupError(f"The corpus folder {corpus_dir} does not exist (set SUMMITBOT_CORPUS_DIR).")
    texts = sorted(p for p in corpus_dir.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if not texts:
        raise SetupError(f"The corpus folder {corpus_dir} has no .txt or .md documents.")
    stems = [p.stem for p in texts]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise SetupError(f"{twice[0]}.txt and {twice[0]}.md share one metadata file: rename one of them.")
    documents = []
    for path in texts:
        meta_path = path.with_suffix(".toml")
        if meta_path.name == PROFILE_NAME:
            raise SetupError(f"{path.name}: the name is kept for {PROFILE_NAME}; rename the document.")
        if not meta_path.is_file():
            raise SetupError(f"{path.name} has no metadata file {meta_path.name} (title, source, date).")
        try:
            meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
            text = path.read_text(encoding="utf-8")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SetupError(f"Cannot read {path.name} or its metadata: {exc}") from None
        missing = [k for k in REQUIRED_META if not str(meta.get(k, "")).strip()]
        if missing:
            raise SetupError(f"{meta_path.name} lacks {', '.join(missing)}.")
        documents.append(
            Document(
                doc_id=path.stem,
                title=str(meta["title"]),
                source=str(meta["source"]),
                date=str(meta["date"]),
                path=path.name,
                text=text,
            )
        )
    return documents


def split_paragraphs(doc: Document) -> list[Passage]:
    spans = _markdown_blocks(doc.text) if doc.path.endswith(".md") else _text_blocks(doc)
    passages: list[Passage] = []
    for s, e in spans:
        start, end = _trim(doc.text, s, e)
        if start >= end:
            continue
        n = len(passages) + 1
        passages.append(Passage(passage_id(doc.doc_id, n), doc.doc_id, n, start, end, doc.text[start:end]))
    return passages


def _text_blocks(doc: Document) -> list[tuple[int, int]]:
    spans = []
    for m in _PARAGRAPH.finditer(doc.text):
        lines = m.group(0).split("\n")
        if all(is_furniture(line, doc.title) for line in lines):
            continue
        spans.append((m.start(), m.end()))
    return spans


def _markdown_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs of a Markdown text: blank-line separated blocks, each list
    item on its own (from after its marker), without headings, thematic breaks and fenced code."""
    spans: list[tuple[int, int]] = []
    current: list[int] | None = None  # [start, end] of the paragraph being read
    fenced = False
    at = 0
    for line in text.splitlines(keepends=True):
        start, end = at, at + len(line.rstrip("\r\n"))
        at += len(line)
        body = line.strip()
        if _MD_FENCE.match(line):
            fenced = not fenced
            current = None
            continue
        if fenced or not body or _MD_HEADING.match(line) or body.startswith("<!--"):
            if current is not None:
                spans.append((current[0], current[1]))
            current = None
            continue
        item = _MD_ITEM.match(line)
        if item or current is None:
            if current is not None:
                spans.append((current[0], current[1]))
            current = [start + (len(item.group(1)) if item else 0), end]
        else:
            current[1] = end
    if current is not None:
        spans.append((current[0], current[1]))
    return spans


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in ``text``. Quotation marks are masked for the splitter so
    that a multi-sentence quotation is split, then re-attached to the sentence they open/close;
    line breaks too, so that a hard-wrapped paragraph (common in Markdown) splits at its
    sentences, not at its lines."""
    masked = _QUOTES.sub(" ", text).replace("\n", " ")
    spans: list[tuple[int, int]] = []
    for seg in _segmenter().segment(masked):
        start, end = _trim(text, seg.start, seg.end)
        if start >= end:
            continue
        if start > 0 and _QUOTES.match(text[start - 1]):
            start -= 1  # the opening quote belongs to this sentence
        if spans and start < spans[-1][1]:
            start = spans[-1][1]
            start, end = _trim(text, start, end)
        spans.append((start, end))
    return spans


def split_sentences(
    doc: Document, passages: list[Passage], speakers: Speakers | None = None
) -> list[Sentence]:
    raw: list[Sentence] = []
    for p in passages:
        for i, (s, e) in enumerate(sentence_spans(p.text), start=1):
            start, end = p.start + s, p.start + e
            raw.append(
                Sentence(
                    sentence_id(doc.doc_id, p.paragraph, i),
                    doc.doc_id,
                    p.paragraph,
                    i,
                    start,
                    end,
                    doc.text[start:end],
                )
            )
    return attribute_speakers(raw, speakers or Speakers())


def load_corpus(corpus_dir: Path, speakers: Speakers | None = None) -> Corpus:
    """The corpus, with speakers attributed for ``speakers`` (by default: the people of the
    folder's own profile, if it has one)."""
    documents = read_documents(corpus_dir)
    if speakers is None:
        speakers = Speakers(load_profile(corpus_dir, documents).people)
    passages: list[Passage] = []
    sentences: list[Sentence] = []
    for doc in documents:
        doc_passages = split_paragraphs(doc)
        if not doc_passages:
            raise SetupError(f"{doc.path} has no paragraphs of content.")
        passages.extend(doc_passages)
        sentences.extend(split_sentences(doc, doc_passages, speakers))
    return Corpus(documents, passages, sentences)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
