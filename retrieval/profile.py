"""What is specific to one corpus: ``profile.toml`` next to its documents, read into a ``Profile``.

A profile names the collection (for replies and help), its topics, the people with their aliases
and sides, other actors with their sides, and the subjects it does not cover (off-topic anchors).
Every part is optional. Without a profile file, ``generic_profile`` describes the collection from
its documents' metadata and lists one topic per document from its own words; there are then no
people (no speaker attribution or boost), no sides (``positions`` says so) and no off-topic
anchors (the similarity rule alone refuses).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.errors import SetupError
from retrieval.topics import TopicSpec, parse_topics
from retrieval.types import Collection, Document

PROFILE_NAME = "profile.toml"
TOP_TERMS = 6


@dataclass(frozen=True)
class Person:
    name: str  # canonical: how a sentence's speaker is named
    aliases: tuple[str, ...]  # matched as whole words, case-insensitive (the name among them)
    side: str | None = None  # a side id, or None


@dataclass(frozen=True)
class Side:
    id: str  # the key in `positions --json`
    label: str
    emoji: str = ""


@dataclass(frozen=True)
class Profile:
    collection: Collection
    topics: tuple[TopicSpec, ...] = ()
    people: tuple[Person, ...] = ()
    sides: tuple[Side, ...] = ()
    actors: tuple[tuple[str, str], ...] = ()  # (regular expression, side id) besides the people
    off_topic: tuple[str, ...] = ()
    path: Path | None = None  # the file it came from; None for a generic profile
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def names(self) -> list[str]:
        """Every alias of every person, in file order (the spelling stage's names)."""
        return [a for p in self.people for a in p.aliases]


def people_key(people: Sequence[Person]) -> str:
    """Changes when the people change (speakers are attributed when the index is built); "" for none."""
    if not people:
        return ""
    text = "\n".join(p.name + "\0" + "\0".join(p.aliases) for p in people)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def profile_path(corpus_dir: Path, override: Path | None = None) -> Path:
    return override if override is not None else corpus_dir / PROFILE_NAME


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SetupError(f"{where} must be a list of strings.")
    return tuple(v.strip() for v in value if v.strip())


def parse_profile(raw: dict[str, Any], path: Path, documents: Sequence[Document]) -> Profile:
    """A profile from parsed TOML; a bad entry is a SetupError naming it."""
    name = path.name
    meta = raw.get("collection", {})
    generic = generic_collection(documents)
    collection = Collection(
        title=str(meta.get("title") or generic.title).strip(),
        name=str(meta.get("name") or generic.name).strip(),
        short=str(meta.get("short") or meta.get("name") or generic.short).strip(),
        example=str(meta.get("example") or generic.example).strip(),
    )
    sides = []
    for i, item in enumerate(raw.get("side", []), start=1):
        if not str(item.get("id", "")).strip() or not str(item.get("label", "")).strip():
            raise SetupError(f"{name}: side #{i} needs an id and a label.")
        sides.append(Side(str(item["id"]).strip(), str(item["label"]).strip(), str(item.get("emoji", ""))))
    side_ids = {s.id for s in sides}
    if len(side_ids) != len(sides) or side_ids & {"both", "topic", "citations"}:
        raise SetupError(f"{name}: side ids must be unique and not 'both', 'topic' or 'citations'.")

    def side_of(item: dict[str, Any], what: str) -> str | None:
        side = item.get("side")
        if side is None:
            return None
        if str(side) not in side_ids:
            raise SetupError(f"{name}: {what} has side {side!r}, not one of the [[side]] ids.")
        return str(side)

    people = []
    for i, item in enumerate(raw.get("person", []), start=1):
        person = str(item.get("name", "")).strip()
        if not person:
            raise SetupError(f"{name}: person #{i} lacks a name.")
        aliases = _strings(item.get("aliases", [person]), f"{name}: aliases of {person}")
        if person not in aliases:
            aliases = (person, *aliases)
        people.append(Person(person, aliases, side_of(item, person)))
    actors = []
    for i, item in enumerate(raw.get("actor", []), start=1):
        pattern = str(item.get("pattern", "")).strip()
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SetupError(f"{name}: actor #{i} has a bad pattern {pattern!r}: {exc}") from None
        side = side_of(item, f"actor #{i}")
        if not pattern or side is None:
            raise SetupError(f"{name}: actor #{i} needs a pattern and a side.")
        actors.append((pattern, side))
    anchors = _strings(raw.get("off_topic", {}).get("anchors", []), f"{name}: [off_topic] anchors")
    topics = parse_topics(raw, name, required=False) or generic_topics(documents)
    return Profile(
        collection=collection,
        topics=tuple(topics),
        people=tuple(people),
        sides=tuple(sides),
        actors=tuple(actors),
        off_topic=anchors,
        path=path,
    )


def load_profile(corpus_dir: Path, documents: Sequence[Document], override: Path | None = None) -> Profile:
    """The corpus's profile, or a generic one when it has no profile file."""
    path = profile_path(corpus_dir, override)
    if not path.is_file():
        if override is not None:
            raise SetupError(f"The profile {path} does not exist (SUMMITBOT_PROFILE).")
        return generic_profile(documents)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the profile {path}: {exc}") from None
    return parse_profile(raw, path, documents)


# -------------------------------------------------------------------------------- without a profile
def generic_collection(documents: Sequence[Document]) -> Collection:
    """The collection as its documents' metadata name it."""
    if len(documents) == 1:
        return Collection(
            title=f"the document “{documents[0].title}”",
            name="document",
            short="document",
            example="What does the document say about …?",
        )
    titles = "; ".join(f"“{d.title}”" for d in documents[:3]) + ("; …" if len(documents) > 3 else "")
    return Collection(
        title=f"{len(documents)} documents ({titles})",
        name="collection",
        short="collection",
        example="What do the documents say about …?",
    )


def generic_profile(documents: Sequence[Document]) -> Profile:
    return Profile(collection=generic_collection(documents), topics=tuple(generic_topics(documents)))


_MORE_STOPWORDS = frozenset(
    (
        "said",
        "also",
        "would",
        "could",
        "one",
        "two",
        "its",
        "it’s",
        "with",
        "from",
        "this",
        "that",
        "which",
        "were",
        "has",
        "have",
        "had",
        "been",
        "their",
        "they",
        "them",
        "our",
        "you",
        "your",
        "can",
        "will",
        "more",
        "than",
        "into",
        "about",
        "over",
        "not",
        "all",
        "any",
        "each",
        "who",
        "what",
        "when",
        "where",
        "how",
        "his",
        "her",
        "she",
        "him",
        "was",
        "are",
        "may",
        "must",
        "should",
        "there",
        "these",
        "those",
    )
)
_WORD = re.compile(r"[^\W\d_][\w’'-]*[^\W_]", re.UNICODE)


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _MORE_STOPWORDS


def top_terms(text: str, n: int = TOP_TERMS) -> list[str]:
    """The most frequent words of a text that are not stop words (ties: first seen first)."""
    stop = _stopwords()
    words = [w.lower() for w in _WORD.findall(text)]
    counts = Counter(w for w in words if w not in stop and len(w) > 2)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], words.index(kv[0])))[:n]]


def generic_topics(documents: Sequence[Document]) -> list[TopicSpec]:
    """One topic per document, from its own words: named by its title, described and searched
    by its most frequent terms."""
    specs: list[TopicSpec] = []
    seen: set[str] = set()
    for doc in documents:
        terms = top_terms(doc.text)
        name = " ".join(doc.title.split()) or doc.doc_id
        if name.lower() in seen:
            name = f"{name} ({doc.doc_id})"
        seen.add(name.lower())
        description = "About " + ", ".join(terms) + "." if terms else f"The document {doc.doc_id}."
        specs.append(
            TopicSpec(
                name=name, description=description, query=f"{name}: {', '.join(terms)}", aliases=(doc.doc_id,)
            )
        )
    return specs
