"""Shared pieces of the benchmarks: repeated measurements, tables, results files, a private index.

Every benchmark measures our code and a reference in the same run and reports ratios, because the
machine is shared and noisy. A measurement is repeated ``runs`` times and quoted as
``median (min–max)`` over the runs.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from config.settings import ROOT, Settings, load_settings

RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"
QUESTIONS = ROOT / "eval" / "questions.toml"
PYTHON = sys.executable
INDEX_ENV = "BENCH_INDEX_DIR"


@dataclass
class Options:
    runs: int = 5
    quick: bool = False
    seed: int = 20170707
    sizes: tuple[int, ...] = ()
    keep: bool = False  # keep temporary folders (for debugging)
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) of a non-empty sequence."""
    data = sorted(values)
    if not data:
        raise ValueError("percentile of nothing")
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


@dataclass(frozen=True)
class Spread:
    """One quantity measured in several runs."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(tuple(float(v) for v in values))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def lo(self) -> float:
        return min(self.values)

    @property
    def hi(self) -> float:
        return max(self.values)

    def fmt(self, unit: str = "", digits: int = 2, scale: float = 1.0) -> str:
        m, lo, hi = self.median * scale, self.lo * scale, self.hi * scale
        if len(self.values) == 1:
            return f"{m:.{digits}f}{unit}"
        return f"{m:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def ms(spread: Spread, digits: int = 2) -> str:
    return spread.fmt(" ms", digits, 1e3)


def seconds(spread: Spread, digits: int = 2) -> str:
    return spread.fmt(" s", digits)


def mib(spread: Spread, digits: int = 0) -> str:
    return spread.fmt(" MiB", digits, 1 / 2**20)


def ratio(spread: Spread, digits: int = 2) -> str:
    return spread.fmt("×", digits)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# --------------------------------------------------------------------------------------------- tables


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.title}: {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        line = "  ".join("-" * w for w in widths)
        out = [self.title, line, "  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))]
        out.append(line)
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        out.append(line)
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        out = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |"]
        out.append("|" + "|".join("---" for _ in self.columns) + "|")
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows]
        if self.notes:
            out.append("")
            out += [f"- {n}" for n in self.notes]
        return "\n".join(out)


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = "?"
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load}, commit {commit or '?'}, {time.strftime('%Y-%m-%d %H:%M:%S')}"
    )


def report(name: str, tables: list[Table], command: str, preamble: str = "") -> Path:
    """Print the tables and write them as markdown to bench/results/NAME.md."""
    for t in tables:
        print()
        print(t.text())
    sys.stdout.flush()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    parts = [f"<!-- `{command}` — {machine()} -->"]
    if preamble:
        parts.append(preamble)
    parts += [t.markdown() for t in tables]
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print(f"\n(written to {path.relative_to(ROOT)})")
    return path


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------- settings and index


def questions() -> list[str]:
    with QUESTIONS.open("rb") as fh:
        return [str(q["q"]) for q in tomllib.load(fh)["question"]]


def forget_question_caches() -> None:
    """Make the next question look new: clear what the core remembers between questions (the BM25
    query tokens), so that a benchmark repeating the evaluation questions measures first asks."""
    from retrieval import lexical

    cached = getattr(lexical, "query_tokens", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: no developer SUMMITBOT_/DISCORD_ settings, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "DISCORD_"))}
    env.update(HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), TOKENIZERS_PARALLELISM="false")
    env.update(overrides)
    return env


def make_settings(index_dir: Path, corpus_dir: Path = ROOT / "corpus", **env: str) -> Settings:
    """Defaults plus the given environment only (never the developer's .env), like tests/conftest.py."""
    base = {"SUMMITBOT_INDEX_DIR": str(index_dir), "SUMMITBOT_CORPUS_DIR": str(corpus_dir)}
    return load_settings({**base, **env}, dotenv=False)


def temp_dir(prefix: str, keep: bool = False) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"summitbot-bench-{prefix}-"))
    if not keep:
        atexit.register(shutil.rmtree, path, True)
    return path


@lru_cache(maxsize=1)
def base_index() -> Path:
    """A private index of the real corpus, built once per `python -m bench` (with the ONNX export),
    in a child process so that this process does not import torch. Deleted at exit. Child processes
    of the benchmark find it through BENCH_INDEX_DIR."""
    if os.environ.get(INDEX_ENV):
        return Path(os.environ[INDEX_ENV])
    index_dir = temp_dir("index")
    log(f"building a private index with the ONNX export in {index_dir} (once per run)")
    env = child_env(SUMMITBOT_INDEX_DIR=str(index_dir), SUMMITBOT_CORPUS_DIR=str(ROOT / "corpus"))
    env["SUMMITBOT_BACKEND"] = "onnx"
    subprocess.run([PYTHON, "bot.py", "index"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ[INDEX_ENV] = str(index_dir)
    return index_dir


def rss_bytes() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far (ru_maxrss is in KiB on Linux)."""
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def run_json_child(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 7200
) -> dict[str, Any]:
    """Run ``python ARGS`` and parse the last stdout line as JSON. The child's ``[bench ...]`` log
    lines are passed through as they come; the rest of its stderr only when it fails."""
    proc = subprocess.Popen(
        [PYTHON, *args],
        cwd=ROOT,
        env=env or child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tail: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("[bench "):
                sys.stderr.write("  " + line)
                sys.stderr.flush()
            tail.append(line)
            del tail[:-60]

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    assert proc.stdout is not None
    timer = threading.Timer(timeout, proc.kill)  # this child only, by its own handle
    timer.start()
    try:
        out = proc.stdout.read()
        proc.wait()
    finally:
        timer.cancel()
    reader.join(10)
    if proc.returncode != 0:
        sys.stderr.write("".join(tail))
        raise RuntimeError(f"child {' '.join(args[:3])} ... failed with exit code {proc.returncode}")
    lines = [line for line in out.splitlines() if line.strip()]
    return dict(json.loads(lines[-1]))
