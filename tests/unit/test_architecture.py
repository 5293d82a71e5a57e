"""The layering the code promises, checked on the source (every import, TYPE_CHECKING ones too):

- no import cycles anywhere in the non-test code;
- ``retrieval/`` never imports discord, ``cogs`` or ``cli``;
- ``config/`` never imports ``retrieval``;
- ``cli/`` and ``cogs/`` reach the core only through ``retrieval.api``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config.settings import ROOT

PACKAGES = ("retrieval", "config", "cli", "cogs")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts) if path.is_relative_to(ROOT) else [path.stem]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (``from a.b import c`` counts as a.b and a.b.c)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def project_graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")] + [ROOT / "bot.py"]
    modules = {module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in imports_of(path) if m in modules and m != name}
    return graph


GRAPH = project_graph()


def test_the_graph_sees_the_packages() -> None:
    assert "retrieval.service" in GRAPH and "cogs.qa" in GRAPH and "cli.main" in GRAPH
    assert "retrieval.api" in GRAPH["cli.main"]


def test_there_are_no_import_cycles() -> None:
    seen: dict[str, int] = {}  # 1: on the stack, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for start in sorted(GRAPH):
        if start not in seen:
            visit(start, [start])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def _all_imports(package: str) -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in (ROOT / package).rglob("*.py")}


def _offending(package: str, bad) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{m} imports {i}" for m, imps in _all_imports(package).items() for i in imps if bad(i))


def test_retrieval_knows_nothing_of_discord_or_the_front_ends() -> None:
    assert _offending("retrieval", lambda i: i.split(".")[0] in ("discord", "cogs", "cli")) == []


def test_config_is_the_bottom_layer() -> None:
    assert _offending("config", lambda i: i.split(".")[0] in ("retrieval", "cogs", "cli", "discord")) == []


@pytest.mark.parametrize("front", ["cli", "cogs"])
def test_front_ends_use_only_the_public_module(front: str) -> None:
    def bad(i: str) -> bool:
        return (
            i.startswith("retrieval")
            and i not in ("retrieval", "retrieval.api")
            and not i.startswith("retrieval.api.")
        )

    assert _offending(front, bad) == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The import reader really sees the kinds of imports the rules are about."""
    sample = ROOT / "cogs" / "qa.py"
    assert "retrieval.api" in imports_of(sample)
    fake = tmp_path / "x.py"
    fake.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import retrieval.service\n")
    assert "retrieval.service" in imports_of(fake)
