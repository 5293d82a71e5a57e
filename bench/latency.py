"""Per-question latency: a whole ``service.ask(q)`` against the raw floor, for both query backends.

The floor is what no implementation can avoid: one ``embedder.encode_queries([q])`` and one FAISS
search of the sentence index (k = ``candidates``). Both are timed in the same process, interleaved
question by question (alternating which goes first), over the 63 evaluation questions, ``runs``
passes; each pass gives a p50 and a p95, and the tables quote the median (min–max) over passes.

The breakdown times the real ``service.ask`` with timers wrapped around its pieces: the query
embedder's ``encode_queries`` (encode), the FAISS indexes' ``search`` (dense), the BM25 indexes'
``search`` (BM25), ``HybridSearcher.search`` (fusion = its time minus dense and BM25), the scope
check (scope), ``choose_sentences`` + ``cite`` (answer) and ``ask`` itself
(other = ask minus all of these: cleaning the question, finding the speaker, building the Answer).
"""

from __future__ import annotations

import json
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from bench.common import (
    Options,
    Spread,
    Table,
    base_index,
    forget_question_caches,
    log,
    make_settings,
    ms,
    percentile,
    questions,
    ratio,
    run_json_child,
)

BACKENDS = ("onnx", "sentence-transformers")
TARGET = 1.3
STAGES = ("encode", "dense", "bm25", "fusion", "scope", "answer", "other")


def load_service(backend: str) -> Any:
    from retrieval.service import SummitService

    service = SummitService.load(make_settings(base_index(), SUMMITBOT_BACKEND=backend))
    if service.embedder.backend != backend:
        raise RuntimeError(f"asked for {backend}, the service uses {service.embedder.backend}")
    return service


def answer_key(answer: Any) -> tuple[Any, ...]:
    """What an answer says: answered or not, and the sentences it quotes (for comparisons)."""
    return (bool(answer.answered), tuple(q.text for q in answer.quotes))


def measure_passes(service: Any, qs: list[str], runs: int) -> list[dict[str, float]]:
    """``runs`` passes over ``qs``: p50/p95 of ask and of the floor, interleaved."""
    embedder = service.embedder
    index = service.state.data.sentence_index
    k = min(service.settings.retrieval.candidates, index.size)

    def floor(q: str) -> float:
        t0 = time.perf_counter()
        index.search(embedder.encode_queries([q])[0], k)
        return time.perf_counter() - t0

    def ask(q: str) -> float:
        forget_question_caches()
        t0 = time.perf_counter()
        service.ask(q)
        return time.perf_counter() - t0

    for q in qs[:10]:  # warm-up: caches, lazy imports, allocator
        ask(q), floor(q)
    passes = []
    for r in range(runs):
        asks, floors = [], []
        for i, q in enumerate(qs):
            if (i + r) % 2:
                asks.append(ask(q))
                floors.append(floor(q))
            else:
                floors.append(floor(q))
                asks.append(ask(q))
        passes.append(
            {
                "ask_p50": percentile(asks, 50),
                "ask_p95": percentile(asks, 95),
                "floor_p50": percentile(floors, 50),
                "floor_p95": percentile(floors, 95),
                "ask_mean": sum(asks) / len(asks),
            }
        )
    return passes


@contextmanager
def _instrumented(service: Any) -> Iterator[dict[str, float]]:
    """Wrap the public pieces of ``service.ask`` with timers; everything is put back afterwards.

    Pieces that do not exist (the core changes) are skipped: their time shows up under "other"."""
    import retrieval.service as service_module

    totals: dict[str, float] = {}
    state = service.state
    data = state.data
    targets: list[tuple[Any, str, str]] = [
        (service.embedder, "encode_queries", "encode"),
        (data.sentence_index, "search", "dense"),
        (data.passage_index, "search", "dense"),
        (data.sentence_bm25, "search", "bm25"),
        (data.passage_bm25, "search", "bm25"),
        (state.searcher, "search", "search"),
        (getattr(state, "judge", None), "assess", "scope"),
        (service_module, "choose_sentences", "answer"),
        (service_module, "cite", "answer"),
        (service, "ask", "ask"),
    ]

    def wrap(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0

        return timed

    undo: list[Callable[[], None]] = []
    for obj, name, label in targets:
        original = getattr(obj, name, None) if obj is not None else None
        if original is None:
            continue
        setattr(obj, name, wrap(original, label))
        if isinstance(obj, types.ModuleType):
            undo.append(lambda obj=obj, name=name, original=original: setattr(obj, name, original))
        else:
            undo.append(lambda obj=obj, name=name: delattr(obj, name))
    try:
        yield totals
    finally:
        for step in reversed(undo):
            with suppress(AttributeError):
                step()


def stage_breakdown(service: Any, qs: list[str], runs: int = 3) -> dict[str, float]:
    """Mean seconds per question in each stage (median over ``runs`` passes)."""
    per_pass: list[dict[str, float]] = []
    for _ in range(runs):
        with _instrumented(service) as t:
            for q in qs:
                forget_question_caches()
                service.ask(q)
        g = {
            k: t.get(k, 0.0) / len(qs)
            for k in ("encode", "dense", "bm25", "search", "scope", "answer", "ask")
        }
        per_pass.append(
            {
                "encode": g["encode"],
                "dense": g["dense"],
                "bm25": g["bm25"],
                "fusion": g["search"] - g["dense"] - g["bm25"],
                "scope": g["scope"],
                "answer": g["answer"],
                "other": g["ask"] - g["encode"] - g["search"] - g["scope"] - g["answer"],
                "ask": g["ask"],
            }
        )
    return {k: Spread.of([p[k] for p in per_pass]).median for k in per_pass[0]}


def run(opts: Options) -> list[Table]:
    base_index()  # built once here, shared with the child processes
    qs = questions()
    runs = opts.runs
    summary = Table(
        f"Per-question latency: service.ask against the floor (encode + one FAISS search), "
        f"{len(qs)} questions × {runs} passes",
        ["backend", "ask p50", "ask p95", "floor p50", "floor p95", "p50 ratio", "p95 ratio", "target"],
    )
    stages = Table(
        "Where the time of one question goes (mean per question, median of passes)",
        ["backend", *STAGES, "ask", "sum of stages"],
    )
    for backend in BACKENDS:
        out = run_json_child(["-m", "bench.latency", "child", json.dumps({"backend": backend, "runs": runs})])
        passes, br = out["passes"], out["stages"]
        get = {k: Spread.of([p[k] for p in passes]) for k in passes[0]}
        r50 = Spread.of([p["ask_p50"] / p["floor_p50"] for p in passes])
        r95 = Spread.of([p["ask_p95"] / p["floor_p95"] for p in passes])
        verdict = (f"≤ {TARGET} {'met' if r50.median <= TARGET else 'MISSED'}") if backend == "onnx" else "—"
        summary.add(
            backend,
            ms(get["ask_p50"]),
            ms(get["ask_p95"]),
            ms(get["floor_p50"]),
            ms(get["floor_p95"]),
            ratio(r50),
            ratio(r95),
            verdict,
        )
        total = sum(br[s] for s in STAGES)
        cells = [f"{br[s] * 1e3:.3f} ms ({br[s] / br['ask']:.0%})" for s in STAGES]
        stages.add(backend, *cells, f"{br['ask'] * 1e3:.3f} ms", f"{total * 1e3:.3f} ms")
    summary.notes += [
        "ratio = ask / floor within each pass; median (min–max) over passes.",
        "each backend runs in its own process: with onnxruntime loaded, torch runs several times slower.",
    ]
    stages.notes += [
        "encode: embedder.encode_queries; dense: FAISS search of the sentence and passage indexes; BM25: "
        "both BM25 searches; fusion: HybridSearcher.search minus dense and BM25 (RRF, scores, sort);",
        "scope: the in-scope check; answer: choose_sentences and cite; other: the rest "
        "of ask (cleaning the question, speaker detection, the Answer). dense also counts the searches of "
        "the scope re-check (HybridSearcher.best_similarity) that a few questions get, outside search: "
        "where dense search is slow, fusion can read slightly negative.",
    ]
    return [summary, stages]


def child(args: dict[str, Any]) -> dict[str, Any]:
    backend, runs = args["backend"], args["runs"]
    log(f"latency: loading the service with the {backend} backend")
    service = load_service(backend)
    qs = questions()
    log(f"latency: {backend}: {runs} passes")
    passes = measure_passes(service, qs, runs)
    return {"passes": passes, "stages": stage_breakdown(service, qs, runs)}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        print(json.dumps(child(json.loads(sys.argv[2]))))
        sys.exit(0)
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["latency", *sys.argv[1:]]))
