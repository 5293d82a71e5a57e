"""Start-up: from process start to the first answer of `python bot.py ask "…" --json`, by phase.

Each run is a fresh child process (bench/_startup_driver.py runs bot.py's exact code path with a
timestamp per phase). Per backend and per run: a fresh, empty index folder, then

- cold: the first `ask` in it builds the index (and, for ONNX, exports and checks the model);
- warm: the second `ask` loads everything from disk (no embedding, no export);
- bot.py: the same warm command without any instrumentation, timed from outside (to the JSON line);
- floor: the least a process can do to answer: import the embedder and FAISS, load the model and the
  sentence index, encode the question and search once.

Phases (exclusive wall time, median (min–max) over runs): python start (interpreter and the driver),
imports (cli, config, retrieval: numpy, faiss, bm25s, ...), reference model (importing torch and
sentence-transformers, loading the model), index (reading, checking and loading it; on a cold start
chunking, embedding and saving it), query model (ONNX: loading the session; cold: export and check),
setup (topic vectors, searcher), first answer (``service.ask``), other (argument parsing, logging,
printing, exit). The page cache is warm in every run: "cold" means a cold *index*, not a cold disk.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from bench.common import (
    PYTHON,
    ROOT,
    Options,
    Spread,
    Table,
    base_index,
    child_env,
    log,
    seconds,
    temp_dir,
)

BACKENDS = ("onnx", "sentence-transformers")
QUESTION = "What did Tillerson say about Assad?"
TARGET_WARM_ONNX = 1.5
PHASES = ("python", "imports", "reference_model", "index", "query_model", "setup", "answer", "other")
LABELS = {
    "python": "python start",
    "imports": "imports",
    "reference_model": "torch model",
    "index": "index",
    "query_model": "query model",
    "setup": "setup",
    "answer": "first answer",
    "other": "other",
}


def _spawn(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run ``python ARGS``; return (spawn time, first stdout line time, exit time, first line)."""
    t0 = time.time()
    proc = subprocess.Popen(
        [PYTHON, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    t_line = time.time()
    _, err = proc.communicate()
    t_exit = time.time()
    if proc.returncode != 0 or not line.strip():
        sys.stderr.write(err[-3000:])
        raise RuntimeError(f"{' '.join(args[:3])} failed with exit code {proc.returncode}")
    return t0, t_line, t_exit, line


def driven(mode: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    out = temp_dir("startup-out") / "phases.json"
    t0, t_line, t_exit, line = _spawn(["-m", "bench._startup_driver", mode, str(out), QUESTION, *extra], env)
    data = json.loads(out.read_text(encoding="utf-8"))
    if mode == "ask" and not json.loads(line).get("answered"):
        raise RuntimeError(f"the bot did not answer {QUESTION!r}: {line[:300]}")
    marks, exclusive = data["marks"], data["exclusive"]
    phases = {
        "python": marks["main"] - t0,
        "imports": marks.get("imports", marks["main"]) - marks["main"],
        "reference_model": exclusive.get("reference_model", 0.0),
        "index": sum(exclusive.get(k, 0.0) for k in ("index", "build", "save")),
        "query_model": exclusive.get("query_model", 0.0),
        "setup": exclusive.get("setup", 0.0),
        "answer": exclusive.get("answer", 0.0),
    }
    if mode == "floor":
        phases["query_model"] = marks["model"] - marks["imports"]
        phases["index"] = marks["index"] - marks["model"]
        phases["answer"] = marks["answer_end"] - marks["index"]
    phases["total"] = t_line - t0
    phases["other"] = phases["total"] - sum(phases[p] for p in PHASES if p != "other")
    phases["exit"] = t_exit - t0
    phases["torch"] = float(data["torch"])
    return phases


def plain(env: dict[str, str]) -> float:
    t0, t_line, _, _ = _spawn(["bot.py", "ask", QUESTION, "--json"], env)
    return t_line - t0


def import_profile(env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Total import time of one warm `bot.py ask` (-X importtime), and its self time summed by
    top-level package at every depth (numpy's own modules count for numpy wherever imported)."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "bot.py", "ask", QUESTION, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    totals: dict[str, float] = defaultdict(float)
    pattern = re.compile(r"^import time:\s+(\d+)\s+\|\s+\d+\s+\|\s*(\S+)")
    for line in proc.stderr.splitlines():
        m = pattern.match(line)
        if m:
            totals[m.group(2).split(".")[0]] += int(m.group(1)) / 1e6
    return sum(totals.values()), sorted(totals.items(), key=lambda kv: -kv[1])


def run(opts: Options) -> list[Table]:
    rows: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    plains: dict[str, list[float]] = defaultdict(list)
    for backend in BACKENDS:
        for r in range(opts.runs):
            index_dir = temp_dir(f"startup-{backend}", opts.keep)
            env = child_env(SUMMITBOT_INDEX_DIR=str(index_dir), SUMMITBOT_CORPUS_DIR=str(ROOT / "corpus"))
            env["SUMMITBOT_BACKEND"] = backend
            log(f"startup: {backend} run {r + 1}/{opts.runs}: cold")
            rows[backend, "cold"].append(driven("ask", env))
            log(f"startup: {backend} run {r + 1}/{opts.runs}: warm")
            rows[backend, "warm"].append(driven("ask", env))
            plains[backend].append(plain(env))
            rows[backend, "floor"].append(driven("floor", env, backend, str(index_dir)))
    table = Table(
        f"Start-up to the first answer of `bot.py ask` (seconds; {opts.runs} runs, fresh index folder each)",
        ["backend", "run", *(LABELS[p] for p in PHASES), "to answer", "exit", "torch?"],
    )
    summary = Table(
        "Start-up against its floor",
        ["backend", "warm to answer", "bot.py (plain)", "floor", "warm / floor", "cold to answer", "target"],
    )
    for backend in BACKENDS:
        for kind in ("cold", "warm", "floor"):
            runs = rows[backend, kind]
            cells = [Spread.of([r[p] for r in runs]).fmt("", 2) for p in PHASES]
            imported = {bool(r["torch"]) for r in runs}
            torch = "some" if len(imported) > 1 else "yes" if imported == {True} else "no"
            table.add(
                backend,
                kind,
                *cells,
                seconds(Spread.of([r["total"] for r in runs])),
                seconds(Spread.of([r["exit"] for r in runs])),
                torch,
            )
        warm = Spread.of([r["total"] for r in rows[backend, "warm"]])
        fl = Spread.of([r["total"] for r in rows[backend, "floor"]])
        pairs = zip(rows[backend, "warm"], rows[backend, "floor"], strict=True)
        rel = Spread.of([w["total"] / f["total"] for w, f in pairs])
        target = "—"
        if backend == "onnx":
            target = f"≤ {TARGET_WARM_ONNX} s {'met' if warm.median <= TARGET_WARM_ONNX else 'MISSED'}"
        summary.add(
            backend,
            seconds(warm),
            seconds(Spread.of(plains[backend])),
            seconds(fl),
            rel.fmt("×", 2),
            seconds(Spread.of([r["total"] for r in rows[backend, "cold"]])),
            target,
        )
    table.notes.append(
        "floor row: python start, imports (embedder + faiss), query model = model load, index = FAISS "
        "sentence index read, first answer = encode + search + print."
    )
    log("startup: -X importtime of a warm ONNX ask")
    env = child_env(SUMMITBOT_INDEX_DIR=str(base_index()), SUMMITBOT_CORPUS_DIR=str(ROOT / "corpus"))
    env["SUMMITBOT_BACKEND"] = "onnx"
    total, profile = import_profile(env)
    imports = Table(
        "Where a warm ONNX start-up spends its imports (one run of python -X importtime bot.py ask; "
        "self time by top-level package)",
        ["package", "import time", "share"],
    )
    for name, secs in profile[:12]:
        imports.add(name, f"{secs:.3f} s", f"{secs / total:.0%}")
    imports.notes.append(f"all imports: {total:.3f} s (importtime's own overhead included).")
    return [summary, table, imports]


if __name__ == "__main__":
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["startup", *sys.argv[1:]]))
