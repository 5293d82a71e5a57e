"""The question-set format (eval/FORMAT.md): what ``eval`` measures and the question bank learns from."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from config.errors import SetupError


def load_set(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``[[question]]`` tables (each with ``coverage`` and ``parts``) and ``[[summary]]``
    tables of a set; SetupError naming the file when it cannot be read or a question lacks a
    field. The older sets have no ``coverage``: a question with a paragraph is "full"."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        items = list(raw["question"])
        for q in items:
            q.setdefault("coverage", "full" if q.get("paragraph") else "none")
            if q["coverage"] == "full" and "parts" not in q:
                q["parts"] = [{"q": q["q"], "paragraph": q["paragraph"], "key": q["key"]}]
            q.setdefault("parts", [])
            if not isinstance(q["q"], str):
                raise TypeError(f"q must be text, not {q['q']!r}")
    except (OSError, KeyError, TypeError, AttributeError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the question set {path}: {exc!r}") from None
    return items, list(raw.get("summary", []))
