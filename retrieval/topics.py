"""Topics (``[[topic]]`` tables of a corpus profile), and matching what a user typed to one of them."""

from __future__ import annotations

import re
import tomllib
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
