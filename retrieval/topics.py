"""Topics (``[[topic]]`` tables of a corpus profile), and matching what a user typed to one of them."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import SetupError
from retrieval.types import Topic


@dataclass(frozen=True)
class TopicSpec:
    name: str
    description: str
    query: str
    aliases: tuple[str, ...] = ()

    @property
    def topic(self) -> Topic:
        return Topic(self.name, self.description)


def _key(text: str) -> str:
    """Case, punctuation and spacing do not matter: "Cyber security" == "cyber-security"."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def load_topics(path: Path) -> list[TopicSpec]:
    """The ``[[topic]]`` tables of a TOML file (a corpus profile)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the topics file {path}: {exc}") from None
    return parse_topics(raw, path.name)


def parse_topics(raw: dict[str, Any], name: str, *, required: bool = True) -> list[TopicSpec]:
    """Topics from parsed TOML; a SetupError names a bad entry. ``required``: none is an error."""
    specs = []
    for i, item in enumerate(raw.get("topic", []), start=1):
        missing = [k for k in ("name", "description", "query") if not str(item.get(k, "")).strip()]
        if missing:
            raise SetupError(f"{name}: topic #{i} lacks {', '.join(missing)}.")
        specs.append(
            TopicSpec(
                name=str(item["name"]).strip(),
                description=str(item["description"]).strip(),
                query=str(item["query"]).strip(),
                aliases=tuple(str(a) for a in item.get("aliases", [])),
            )
        )
    if not specs and required:
        raise SetupError(f"{name} defines no topics.")
    keys = [_key(s.name) for s in specs]
    if len(set(keys)) != len(keys):
        raise SetupError(f"{name} has two topics with the same name.")
    return specs


def match_topic(text: str, specs: list[TopicSpec]) -> TopicSpec | None:
    """The topic whose name or alias the text is (ignoring case and punctuation), if any."""
    key = _key(text)
    if not key:
        return None
    for spec in specs:
        if key == _key(spec.name) or any(key == _key(a) for a in spec.aliases):
            return spec
    return None


# Words that name no subject in a topic typed as free text ("the hacking stuff", "what about the
# meddling bit", "how trump and putin got on"): vague nouns, chat and light verbs.
_VAGUE_WORDS = """
the a an that this those these what whats what's about on of with and re regarding all whole
stuff thing things thingy bit part story situation deal business lol tho so ok okay
get got gets getting go goes went going happen happened happening did do does said say
"""
_VAGUE = frozenset(_VAGUE_WORDS.split())
_WORDS = re.compile(r"[0-9a-z]+(?:['’][a-z]+)?")


def _has_phrase(text: str, phrase: str) -> bool:
    words = _WORDS.findall(phrase.lower())
    return bool(words) and re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", text) is not None


def mentioned_topic(text: str, specs: list[TopicSpec], known: Callable[[str], bool]) -> TopicSpec | None:
    """The one topic whose name or an alias free text mentions ("the hacking stuff" ->
    Election hacking; "how trump and putin got on" -> Relationship), when its other words are
    vague ("stuff", "thing") or words the documents use (``known``): then the text is about that
    topic even when it is too short or too casual for the similarity rule. None when no topic or
    two topics are mentioned, or another word is one the documents never use ("sanctions on
    iran")."""
    lowered = text.lower()
    found: list[tuple[TopicSpec, list[str]]] = []
    for spec in specs:
        phrases = [p for p in (spec.name, *spec.aliases) if _has_phrase(lowered, p)]
        if phrases:
            found.append((spec, phrases))
    if len(found) != 1:
        return None
    spec, phrases = found[0]
    named = {w for p in phrases for w in _WORDS.findall(p.lower())}
    rest = [w for w in _WORDS.findall(lowered) if w not in named and w not in _VAGUE]
    return spec if all(known(w) for w in rest) else None
