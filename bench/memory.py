"""Memory: resident set size of the service at rest (after load) and under a burst of 100 questions.

Each measurement is a fresh child process (so one backend's libraries never count against the
other): RSS just after ``SummitService.load``, then after 100 questions in a row (the evaluation
questions, cycled), with the process's peak RSS (``ru_maxrss``) at both points. The reference is a
floor process per backend: the same embedder and the FAISS sentence index, loaded and asked once,
nothing else (no service, no BM25, no topics).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    Options,
    Spread,
    Table,
    base_index,
    log,
    make_settings,
    mib,
    peak_rss_bytes,
    questions,
    ratio,
    rss_bytes,
    run_json_child,
)

BACKENDS = ("onnx", "sentence-transformers")
BURST = 100


def child_service(args: dict[str, Any]) -> dict[str, Any]:
    from retrieval.service import SummitService

    start_rss = rss_bytes()
    service = SummitService.load(make_settings(Path(args["index"]), SUMMITBOT_BACKEND=args["backend"]))
    assert service.embedder.backend == args["backend"]
    rest, rest_peak = rss_bytes(), peak_rss_bytes()
    qs = questions()
    t0 = time.perf_counter()
    for i in range(BURST):
        service.ask(qs[i % len(qs)])
    burst_s = time.perf_counter() - t0
    return {
        "start": start_rss,
        "rest": rest,
        "rest_peak": rest_peak,
        "burst": rss_bytes(),
        "burst_peak": peak_rss_bytes(),
        "burst_seconds": burst_s,
    }


def child_floor(args: dict[str, Any]) -> dict[str, Any]:
    from retrieval.ann import FaissIndex

    index_dir = Path(args["index"])
    name = make_settings(index_dir).model_name
    if args["backend"] == "onnx":
        from retrieval.embedder_onnx import OnnxEmbedder

        embedder: Any = OnnxEmbedder(index_dir / "onnx", name)
    else:
        from retrieval.embedder import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder(name)
    index = FaissIndex.load(index_dir / "sentences.faiss")
    index.search(embedder.encode_queries([questions()[0]])[0], 30)
    return {"rest": rss_bytes(), "rest_peak": peak_rss_bytes()}


def run(opts: Options) -> list[Table]:
    index_dir = str(base_index())
    table = Table(
        f"Memory (RSS) of the service at rest and after a burst of {BURST} questions "
        f"({opts.runs} fresh processes each)",
        [
            "backend",
            "at rest",
            "peak at rest",
            "after burst",
            "peak after burst",
            "floor peak",
            "peak / floor",
            "burst q/s",
        ],
    )
    for backend in BACKENDS:
        services, floors = [], []
        for r in range(opts.runs):
            log(f"memory: {backend} run {r + 1}/{opts.runs}")
            payload = json.dumps({"index": index_dir, "backend": backend})
            services.append(run_json_child(["-m", "bench.memory", "child-service", payload]))
            floors.append(run_json_child(["-m", "bench.memory", "child-floor", payload]))
        get = {k: Spread.of([s[k] for s in services]) for k in services[0]}
        floor_peak = Spread.of([f["rest_peak"] for f in floors])
        rel = Spread.of([s["burst_peak"] / f["rest_peak"] for s, f in zip(services, floors, strict=True)])
        qps = Spread.of([BURST / s["burst_seconds"] for s in services])
        table.add(
            backend,
            mib(get["rest"]),
            mib(get["rest_peak"]),
            mib(get["burst"]),
            mib(get["burst_peak"]),
            mib(floor_peak),
            ratio(rel),
            qps.fmt("", 0),
        )
    table.notes += [
        "at rest: RSS right after SummitService.load; peak: ru_maxrss of the process so far (the ONNX "
        "process never imports torch).",
        "floor: a process that loads only the query embedder and the FAISS sentence index and answers one "
        "search; peak / floor compares the peak after the burst with the floor's peak.",
    ]
    return [table]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("child-"):
        handlers = {"child-service": child_service, "child-floor": child_floor}
        print(json.dumps(handlers[sys.argv[1]](json.loads(sys.argv[2]))))
        sys.exit(0)
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["memory", *sys.argv[1:]]))
