"""Scale: the index and the queries on synthetic corpora 1×, 100×, 1,000× and 10,000× the release.

For each size (bench/generator.py, seeded) and each FAISS index type (flat: every index exact;
HNSW: ``faiss.IndexHNSWFlat`` as ``retrieval/ann/faiss.py`` builds it above ``hnsw_min_vectors``):

- build: ``retrieval.index.open_index(..., rebuild=True)`` in a child process — time by phase,
  size on disk, peak RSS of the child;
- query: ``SummitService`` on that index in a child process (ONNX queries) — load time, RSS after
  load, p50/p95 of the sentence-index search (flat or HNSW) and of a whole ``service.ask``;
- HNSW against flat on the same real embeddings: recall@10 and @30 of the sentence search for the
  evaluation questions, and how many answers (cited sentences) stay the same.

Embeddings are real: every synthetic sentence is embedded once with the ONNX export of
all-MiniLM-L6-v2 (the vectors match sentence-transformers to cosine >= 0.999) and cached in
bench/results/cache/ keyed by generator version, seed and size, so reruns are fast. Build
children get these vectors through a cached embedder, so "build" below excludes embedding; the
embedding rate is measured separately and the full build time is projected from it. Passage vectors
in the synthetic builds are the normalised mean of their sentences' vectors (FAISS build and search
time do not depend on how the vectors were made; only passage *embedding* is projected).

A last table sweeps the number of sentence vectors (prefixes of the largest cached set) to find
where HNSW starts to pay: the recommended ``hnsw_min_vectors``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench import generator
from bench.common import (
    CACHE,
    Options,
    Spread,
    Table,
    base_index,
    child_env,
    forget_question_caches,
    log,
    make_settings,
    mib,
    ms,
    percentile,
    questions,
    ratio,
    run_json_child,
    seconds,
    temp_dir,
)

DEFAULT_SIZES = (1, 100, 1000, 10000)
QUICK_SIZES = (1, 100)
FLAT = 10**12  # hnsw_min_vectors that keeps every index flat
HNSW = 0  # hnsw_min_vectors that makes every index HNSW
EMBED_PART = 8192  # sentences per cached part (an interrupted fill resumes from the last part)
SWEEP = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000)
BIG = 50_000  # sentences above which a build (minutes) is measured once, not `runs` times
CUTOVER_SHARE = 0.10  # flat search worth replacing when it costs this share of a query encode
MIN_RECALL = 0.98
EF_SEARCH = (64, 128, 256, 512, 1024, 2048)


def _texts_hash(texts: list[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------ vector cache


@dataclass(frozen=True)
class Prepared:
    size: int
    corpus_dir: Path
    cache_dir: Path
    meta: dict[str, Any]


def cache_dir_for(seed: int, size: int) -> Path:
    from retrieval.documents import CHUNKER_VERSION

    return CACHE / f"vectors-g{generator.GENERATOR_VERSION}-c{CHUNKER_VERSION}-seed{seed}-x{size}"


def _onnx_embedder() -> Any:
    from retrieval.embedder_onnx import OnnxEmbedder

    return OnnxEmbedder(base_index() / "onnx", make_settings(base_index()).model_name)


def prepare(size: int, seed: int, work: Path) -> Prepared:
    """Write the corpus into ``work`` and make sure its sentence vectors are cached."""
    corpus_dir = work / f"corpus-x{size}"
    started = time.perf_counter()
    info = generator.write_corpus(corpus_dir, size, seed)
    log(f"{size}×: wrote {info.documents} documents in {time.perf_counter() - started:.1f} s")
    cache = cache_dir_for(seed, size)
    meta_path = cache / "meta.json"
    if meta_path.is_file():
        return Prepared(size, corpus_dir, cache, json.loads(meta_path.read_text(encoding="utf-8")))
    from retrieval.documents import load_corpus

    log(f"{size}×: chunking the corpus to embed it (once; cached in {cache})")
    corpus = load_corpus(corpus_dir)
    texts = [s.text for s in corpus.sentences]
    parts = cache / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    embedder = _onnx_embedder()
    spent, done = 0.0, 0
    for i, start in enumerate(range(0, len(texts), EMBED_PART)):
        part = parts / f"{i:05d}.npy"
        chunk = texts[start : start + EMBED_PART]
        if part.is_file() and np.load(part, mmap_mode="r").shape[0] == len(chunk):
            continue
        t0 = time.perf_counter()
        np.save(part, embedder.encode_documents(chunk))
        spent += time.perf_counter() - t0
        done += len(chunk)
        left = len(texts) - start - len(chunk)
        rate = done / spent
        log(
            f"{size}×: embedded {start + len(chunk)}/{len(texts)} "
            f"({rate:.0f}/s, ~{left / rate / 60:.0f} min left)"
        )
    vectors = np.concatenate([np.load(p) for p in sorted(parts.glob("*.npy"))])
    if vectors.shape[0] != len(texts):
        raise RuntimeError(f"cached parts hold {vectors.shape[0]} vectors for {len(texts)} sentences")
    pid_index = {(p.doc_id, p.paragraph): i for i, p in enumerate(corpus.passages)}
    owner = np.array([pid_index[(s.doc_id, s.paragraph)] for s in corpus.sentences])
    sums = np.zeros((len(corpus.passages), vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, owner, vectors)
    passages = (sums / np.linalg.norm(sums, axis=1, keepdims=True)).astype(np.float32)
    np.save(cache / "sentences.npy", vectors)
    np.save(cache / "passages.npy", passages)
    meta = {
        "size": size,
        "seed": seed,
        "generator_version": generator.GENERATOR_VERSION,
        "documents": len(corpus.documents),
        "passages": len(corpus.passages),
        "sentences": len(corpus.sentences),
        "sentences_hash": _texts_hash(texts),
        "passages_hash": _texts_hash([p.text for p in corpus.passages]),
        "model": embedder.model_name,
        "embedded_by": "onnx",
    }
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    shutil.rmtree(parts, ignore_errors=True)
    return Prepared(size, corpus_dir, cache, meta)


class CachedEmbedder:
    """Hands ``build_index`` the cached vectors of exactly the texts they were made from."""

    backend = "cached"

    def __init__(self, cache_dir: Path, model_name: str) -> None:
        self.cache_dir = cache_dir
        self.model_name = model_name
        self.meta = json.loads((cache_dir / "meta.json").read_text(encoding="utf-8"))
        self.dim = 384

    def encode_documents(self, texts: Any, *, progress: bool = False) -> np.ndarray:
        digest = _texts_hash(list(texts))
        for kind in ("sentences", "passages"):
            if digest == self.meta[f"{kind}_hash"]:
                return np.load(self.cache_dir / f"{kind}.npy")
        raise RuntimeError(f"{self.cache_dir} does not hold these texts: delete it to re-embed")

    def encode_queries(self, texts: Any) -> np.ndarray:
        raise RuntimeError("the cached embedder only serves the corpus")


# ------------------------------------------------------------------------------------------ children


class _Clock:
    """Exclusive time per label of nested wrapped calls."""

    def __init__(self) -> None:
        self.exclusive: dict[str, float] = {}
        self._stack: list[list[float]] = []  # [start, time spent in children]

    def wrap(self, label: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, children = self._stack.pop()
                total = time.perf_counter() - start
                self.exclusive[label] = self.exclusive.get(label, 0.0) + total - children
                if self._stack:
                    self._stack[-1][1] += total

        return wrapper


def child_build(args: dict[str, Any]) -> dict[str, Any]:
    import retrieval.index as index_module
    from bench.common import peak_rss_bytes
    from retrieval.ann import FaissIndex
    from retrieval.lexical import LexicalIndex

    clock = _Clock()
    index_module.load_corpus = clock.wrap("chunk", index_module.load_corpus)  # type: ignore[attr-defined]
    build_faiss = FaissIndex.build.__func__  # type: ignore[attr-defined]
    FaissIndex.build = classmethod(clock.wrap("faiss", build_faiss))  # type: ignore[method-assign,assignment]
    index_module.save_index = clock.wrap("save", index_module.save_index)
    build = LexicalIndex.build.__func__  # type: ignore[attr-defined]
    LexicalIndex.build = classmethod(clock.wrap("bm25", build))  # type: ignore[method-assign,assignment]
    settings = make_settings(Path(args["index"]), Path(args["corpus"]))
    embedder = CachedEmbedder(Path(args["cache"]), settings.model_name)
    embedder.encode_documents = clock.wrap("vectors", embedder.encode_documents)  # type: ignore[method-assign]
    from retrieval.documents import read_documents
    from retrieval.profile import load_profile

    profile = load_profile(settings.corpus_dir, read_documents(settings.corpus_dir), settings.profile_file)
    started = time.perf_counter()
    data = clock.wrap("other", index_module.open_index)(
        settings.corpus_dir,
        settings.index_dir,
        settings.model_name,
        args["hnsw_min"],
        lambda: embedder,
        people=profile.people,
        rebuild=True,
    )
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "phases": clock.exclusive,
        "disk_bytes": _dir_bytes(settings.index_dir),
        "peak_rss": peak_rss_bytes(),
        "index_type": data.manifest["index_type"],
        "passages": len(data.corpus.passages),
        "sentences": len(data.corpus.sentences),
    }


class _FixedEmbedders:
    """An embedder factory for SummitService: ONNX for queries, the cache for (never needed) builds."""

    def __init__(self, query: Any, reference: Any) -> None:
        self._query, self._reference = query, reference

    def reference(self) -> Any:
        return self._reference

    def query(self) -> Any:
        return self._query

    def prepare(self, data: Any, *, rebuild: bool = False) -> None:
        return None


def child_query(args: dict[str, Any]) -> dict[str, Any]:
    from bench.common import peak_rss_bytes, rss_bytes
    from bench.latency import answer_key, stage_breakdown
    from retrieval.embedder_onnx import OnnxEmbedder
    from retrieval.service import SummitService

    settings = make_settings(Path(args["index"]), Path(args["corpus"]), SUMMITBOT_BACKEND="onnx")
    settings = settings.with_(hnsw_min_vectors=args["hnsw_min"])
    query = OnnxEmbedder(Path(args["onnx"]), settings.model_name)
    reference = CachedEmbedder(Path(args["cache"]), settings.model_name)
    service = SummitService(settings, embedder_factory=_FixedEmbedders(query, reference))
    started = time.perf_counter()
    stats = service._open()
    load = time.perf_counter() - started
    if stats.rebuilt:
        raise RuntimeError("the query child rebuilt the index: its settings differ from the build's")
    rss_loaded, peak_loaded = rss_bytes(), peak_rss_bytes()
    qs = questions()
    data = service.state.data
    k = min(settings.retrieval.candidates, data.sentence_index.size)
    vectors = query.encode_queries(qs)
    for q in qs[:5]:
        service.ask(q)
    passes: list[dict[str, float]] = []
    for _ in range(args["passes"]):
        search, ask = [], []
        for q, v in zip(qs, vectors, strict=True):
            t0 = time.perf_counter()
            data.sentence_index.search(v, k)
            forget_question_caches()
            t1 = time.perf_counter()
            service.ask(q)
            t2 = time.perf_counter()
            search.append(t1 - t0)
            ask.append(t2 - t1)
        passes.append(
            {
                "search_p50": percentile(search, 50),
                "search_p95": percentile(search, 95),
                "ask_p50": percentile(ask, 50),
                "ask_p95": percentile(ask, 95),
            }
        )
    stages = stage_breakdown(service, qs)
    return {
        "load_seconds": load,
        "rss_loaded": rss_loaded,
        "peak_loaded": peak_loaded,
        "peak_end": peak_rss_bytes(),
        "passes": passes,
        "stages": stages,
        "answers": [answer_key(service.ask(q)) for q in qs],
    }


# -------------------------------------------------------------------------------------------- parent


def _recall(exact: np.ndarray, approx: np.ndarray, k: int) -> float:
    hits = sum(len(set(e[:k].tolist()) & set(a[:k].tolist())) for e, a in zip(exact, approx, strict=True))
    return hits / (k * len(exact))


def _score_ratio(exact_scores: np.ndarray, approx_scores: np.ndarray, k: int) -> float:
    """Mean over questions of (mean of HNSW's top-k cosines) / (mean of the exact top-k cosines):
    how much worse the neighbours HNSW returns are, when they are not the exact ones (near-ties)."""
    return float(np.mean(approx_scores[:, :k].mean(axis=1) / exact_scores[:, :k].mean(axis=1)))


def _encode_p50(embedder: Any, qs: list[str], runs: int) -> Spread:
    values = []
    for _ in range(runs):
        times = []
        for q in qs:
            t0 = time.perf_counter()
            embedder.encode_queries([q])
            times.append(time.perf_counter() - t0)
        values.append(percentile(times, 50))
    return Spread.of(values)


def run(opts: Options) -> list[Table]:
    from retrieval.ann import FaissIndex
    from retrieval.ann.faiss import HNSW_EF_SEARCH

    sizes = opts.sizes or (QUICK_SIZES if opts.quick else DEFAULT_SIZES)
    work = temp_dir("scale", opts.keep)
    onnx_dir = base_index() / "onnx"
    qs = questions()
    embedder = _onnx_embedder()
    qvecs = embedder.encode_queries(qs)
    encode = _encode_p50(embedder, qs, opts.runs)

    build_t = Table(
        "Index build (excluding embedding) and size, by corpus size and index type",
        [
            "corpus",
            "sentences",
            "index",
            "build",
            "chunk",
            "FAISS",
            "BM25",
            "save",
            "disk",
            "peak RSS",
            "embed (projected)",
        ],
    )
    query_t = Table(
        "Queries at scale (ONNX queries, 63 evaluation questions × passes)",
        [
            "corpus",
            "index",
            "load",
            "RSS loaded",
            "search p50",
            "search p95",
            "ask p50",
            "ask p95",
            "ask/flat ask",
        ],
    )
    recall_t = Table(
        f"HNSW (M=32, efSearch={HNSW_EF_SEARCH}) against flat on real embeddings (evaluation questions)",
        ["corpus", "sentences", "recall@10", "recall@30", "score@10", "same answers"],
    )
    stage_t = Table(
        "Where a question's time goes at scale (mean per question, ms; ONNX; median of passes)",
        ["corpus", "index", "encode", "dense", "BM25", "fusion", "scope", "answer", "other", "ask"],
    )
    rates = embed_rates(opts)
    largest: Prepared | None = None
    for size in sizes:
        prepared = prepare(size, opts.seed, work)
        largest = prepared
        n_sent, n_pass = prepared.meta["sentences"], prepared.meta["passages"]
        builds = opts.runs if n_sent <= BIG else 1
        flat_ask: Spread | None = None
        answers: dict[str, list[Any]] = {}
        for kind, hnsw_min in (("flat", FLAT), ("hnsw", HNSW)):
            index_dir = work / f"index-x{size}-{kind}"
            results = []
            for r in range(builds):
                log(f"{size}× {kind}: build {r + 1}/{builds}")
                results.append(
                    run_json_child(
                        [
                            "-m",
                            "bench.scale",
                            "child-build",
                            json.dumps(
                                {
                                    "corpus": str(prepared.corpus_dir),
                                    "index": str(index_dir),
                                    "cache": str(prepared.cache_dir),
                                    "hnsw_min": hnsw_min,
                                }
                            ),
                        ]
                    )
                )
            phase = {
                p: Spread.of([r["phases"].get(p, 0.0) for r in results])
                for p in ("chunk", "faiss", "bm25", "save")
            }
            projected = n_sent / rates["sentences"].median + n_pass / rates["passages"].median
            build_t.add(
                f"{size:,}×",
                f"{results[0]['sentences']:,}",
                results[0]["index_type"],
                seconds(Spread.of([r["seconds"] - r["phases"].get("vectors", 0.0) for r in results])),
                seconds(phase["chunk"]),
                seconds(phase["faiss"]),
                seconds(phase["bm25"]),
                seconds(phase["save"]),
                f"{results[0]['disk_bytes'] / 2**20:.1f} MiB",
                mib(Spread.of([r["peak_rss"] for r in results])),
                f"{projected:,.0f} s",
            )
            children = opts.runs if n_sent <= BIG else 1
            passes = opts.runs if n_sent <= BIG else max(2, opts.runs)
            outs = []
            for r in range(children):
                log(f"{size}× {kind}: queries {r + 1}/{children}")
                outs.append(
                    run_json_child(
                        [
                            "-m",
                            "bench.scale",
                            "child-query",
                            json.dumps(
                                {
                                    "corpus": str(prepared.corpus_dir),
                                    "index": str(index_dir),
                                    "cache": str(prepared.cache_dir),
                                    "hnsw_min": hnsw_min,
                                    "onnx": str(onnx_dir),
                                    "passes": max(1, passes // children) if children > 1 else passes,
                                }
                            ),
                        ],
                        env=child_env(),
                    )
                )
            every = [p for o in outs for p in o["passes"]]
            ask50 = Spread.of([p["ask_p50"] for p in every])
            if kind == "flat":
                flat_ask = ask50
            rel = Spread.of([a / flat_ask.median for a in ask50.values]) if flat_ask else ask50
            query_t.add(
                f"{size:,}×",
                kind,
                seconds(Spread.of([o["load_seconds"] for o in outs])),
                mib(Spread.of([o["rss_loaded"] for o in outs])),
                ms(Spread.of([p["search_p50"] for p in every]), 3),
                ms(Spread.of([p["search_p95"] for p in every]), 3),
                ms(ask50),
                ms(Spread.of([p["ask_p95"] for p in every])),
                ratio(rel),
            )
            st = outs[0]["stages"]
            stage_t.add(
                f"{size:,}×",
                kind,
                *(
                    f"{st[s] * 1e3:.2f}"
                    for s in ("encode", "dense", "bm25", "fusion", "scope", "answer", "other", "ask")
                ),
            )
            answers[kind] = outs[0]["answers"]
        flat = FaissIndex.load(work / f"index-x{size}-flat" / "sentences.faiss")
        hnsw = FaissIndex.load(work / f"index-x{size}-hnsw" / "sentences.faiss")
        k30 = min(30, flat.size)
        exact, exact_d = flat.search_batch(qvecs, k30)
        approx, approx_d = hnsw.search_batch(qvecs, k30)
        same = sum(a == b for a, b in zip(answers["flat"], answers["hnsw"], strict=True))
        recall_t.add(
            f"{size:,}×",
            f"{n_sent:,}",
            f"{_recall(exact, approx, min(10, k30)):.4f}",
            f"{_recall(exact, approx, k30):.4f}",
            f"{_score_ratio(exact_d, approx_d, min(10, k30)):.4f}",
            f"{same}/{len(qs)}",
        )
        del flat, hnsw
        if not opts.keep:
            for kind in ("flat", "hnsw"):
                shutil.rmtree(work / f"index-x{size}-{kind}", ignore_errors=True)
    build_t.notes += [
        "build = open_index(rebuild=True) in a child process, minus reading the cached vectors; "
        "peak RSS of that child (a real build also holds the torch model, a few hundred MiB more).",
        f"embed (projected) = sentences / {rates['sentences'].median:.0f} per s + passages / "
        f"{rates['passages'].median:.0f} per s: sentence-transformers document rates measured in this run.",
        f"builds repeated {opts.runs}× up to {BIG:,} sentences, once above (each takes minutes).",
    ]
    query_t.notes += [
        "search = one sentence-index search (k = candidates = 30); ask = service.ask, all of it.",
        "load = SummitService loading the saved index (checksums, chunks, BM25, FAISS, topic vectors).",
    ]
    stage_t.notes.append(
        "stages as in bench/latency.py; dense includes the scope re-check's searches of the few questions "
        "that get one, so where flat search is slow, fusion (search minus dense and BM25) reads negative."
    )
    recall_t.notes += [
        "score@10: mean cosine of HNSW's top 10 over that of the exact top 10 (1 = as good, ties aside).",
        "same answers: questions whose cited sentences are identical with HNSW and flat.",
    ]
    tables = [build_t, query_t, stage_t, recall_t]
    if largest is not None:
        tables += sweep(largest, qvecs, encode, opts)
    rate_t = Table("Embedding rates (documents, batch of texts)", ["backend", "sentences/s", "passages/s"])
    for backend in ("sentence-transformers", "onnx"):
        rate_t.add(backend, rates[f"{backend}:sentences"].fmt("", 0), rates[f"{backend}:passages"].fmt("", 0))
    tables.append(rate_t)
    return tables


def embed_rates(opts: Options) -> dict[str, Spread]:
    """Document-embedding rates of both backends on synthetic sentences and paragraphs (child)."""
    out = run_json_child(
        [
            "-m",
            "bench.scale",
            "child-rates",
            json.dumps(
                {
                    "runs": max(2, opts.runs if not opts.quick else 2),
                    "onnx": str(base_index() / "onnx"),
                }
            ),
        ]
    )
    rates = {k: Spread.of(v) for k, v in out.items()}
    rates["sentences"] = rates["sentence-transformers:sentences"]
    rates["passages"] = rates["sentence-transformers:passages"]
    return rates


def child_rates(args: dict[str, Any]) -> dict[str, list[float]]:
    from retrieval.embedder import SentenceTransformerEmbedder
    from retrieval.embedder_onnx import OnnxEmbedder

    docs = list(generator.generate(40, generator.DEFAULT_SEED))
    paragraphs = [p for d in docs for p in d.text.strip().split("\n\n")]
    from retrieval.documents import sentence_spans

    sentences = [p[a:b] for p in paragraphs for a, b in sentence_spans(p)]
    name = make_settings(Path(args["onnx"]).parent).model_name
    embedders = {
        "sentence-transformers": SentenceTransformerEmbedder(name),
        "onnx": OnnxEmbedder(Path(args["onnx"]), name),
    }
    out: dict[str, list[float]] = {}
    for backend, embedder in embedders.items():
        embedder.encode_documents(sentences[:64])
        for kind, texts in (("sentences", sentences[:1024]), ("passages", paragraphs[:256])):
            values = []
            for _ in range(args["runs"]):
                t0 = time.perf_counter()
                embedder.encode_documents(texts)
                values.append(len(texts) / (time.perf_counter() - t0))
            out[f"{backend}:{kind}"] = values
    return out


def sweep(prepared: Prepared, qvecs: np.ndarray, encode: Spread, opts: Options) -> list[Table]:
    """Flat against HNSW over the first n sentence vectors of the largest corpus; then efSearch
    against recall at the largest n."""
    from retrieval.ann.faiss import HNSW_EF_SEARCH

    vectors = np.load(prepared.cache_dir / "sentences.npy", mmap_mode="r")
    total = vectors.shape[0]
    ns = [n for n in SWEEP if n < total] + [total]
    table = Table(
        f"Flat or HNSW? Sentence-index search over n real vectors (k=30, efSearch={HNSW_EF_SEARCH}, "
        f"{len(qvecs)} questions)",
        [
            "n",
            "flat p50",
            "HNSW p50",
            "flat/HNSW",
            "flat / encode",
            "HNSW build",
            "recall@10",
            "recall@30",
            "score@10",
        ],
    )
    found: list[tuple[int, float, float, float]] = []
    for n in ns:
        subset = np.ascontiguousarray(vectors[:n], dtype=np.float32)
        flat = _build(subset, FLAT)
        log(f"sweep: HNSW over {n:,} vectors")
        build_s, hnsw = _timed_build(subset)
        k = min(30, n)
        flat_p50, hnsw_p50 = [], []
        for _ in range(opts.runs):
            tf, th = [], []
            for v in qvecs:
                q = v.reshape(1, -1)
                t0 = time.perf_counter()
                flat.search(q, k)
                t1 = time.perf_counter()
                hnsw.search(q, k)
                t2 = time.perf_counter()
                tf.append(t1 - t0)
                th.append(t2 - t1)
            flat_p50.append(percentile(tf, 50))
            hnsw_p50.append(percentile(th, 50))
        exact_d, exact = flat.search(qvecs, k)
        approx_d, approx = hnsw.search(qvecs, k)
        f, h = Spread.of(flat_p50), Spread.of(hnsw_p50)
        r10, r30 = _recall(exact, approx, min(10, k)), _recall(exact, approx, k)
        share = Spread.of([x / encode.median for x in f.values])
        table.add(
            f"{n:,}",
            ms(f, 3),
            ms(h, 3),
            ratio(Spread.of([a / b for a, b in zip(f.values, h.values, strict=True)])),
            f"{share.median:.1%}",
            f"{build_s:.1f} s",
            f"{r10:.4f}",
            f"{r30:.4f}",
            f"{_score_ratio(exact_d, approx_d, min(10, k)):.4f}",
        )
        found.append((n, f.median, r10, r30))
        if n != ns[-1]:
            del flat, hnsw, subset
    table.notes.append(
        f"encode = one ONNX query encode, p50 {encode.median * 1e3:.2f} ms in this run; flat / encode is "
        "what the exact sentence search adds to it. A question also searches the passage index "
        "(about n / 4.25 vectors)."
    )
    table.notes.append(recommend(found, encode.median))
    return [table, ef_sweep(flat, hnsw, qvecs, opts)]


def ef_sweep(flat: Any, hnsw: Any, qvecs: np.ndarray, opts: Options) -> Table:
    """HNSW search time and recall against efSearch, on the largest index of the sweep."""
    from retrieval.ann.faiss import HNSW_EF_SEARCH

    n = flat.ntotal
    k = min(30, n)
    exact_d, exact = flat.search(qvecs, k)
    table = Table(
        f"HNSW efSearch at n = {n:,} (M=32, efConstruction=200; retrieval/ann/faiss.py: {HNSW_EF_SEARCH})",
        ["efSearch", "HNSW p50", "recall@10", "recall@30", "score@10"],
    )
    for ef in EF_SEARCH:
        hnsw.hnsw.efSearch = ef
        p50 = []
        for _ in range(opts.runs):
            times = []
            for v in qvecs:
                t0 = time.perf_counter()
                hnsw.search(v.reshape(1, -1), k)
                times.append(time.perf_counter() - t0)
            p50.append(percentile(times, 50))
        approx_d, approx = hnsw.search(qvecs, k)
        table.add(
            str(ef),
            ms(Spread.of(p50), 3),
            f"{_recall(exact, approx, min(10, k)):.4f}",
            f"{_recall(exact, approx, k):.4f}",
            f"{_score_ratio(exact_d, approx_d, min(10, k)):.4f}",
        )
    hnsw.hnsw.efSearch = HNSW_EF_SEARCH
    table.notes.append(
        "HNSW alone here; in the sweep above each HNSW search follows a flat scan of the same vectors "
        "(caches flushed), so its p50 there is higher."
    )
    return table


def _build(vectors: np.ndarray, hnsw_min_vectors: int) -> Any:
    """The raw FAISS index as the backend builds it: the sweeps below vary its own parameters."""
    from retrieval.ann import FaissIndex

    return FaissIndex.build(vectors, hnsw_min_vectors).index


def _timed_build(vectors: np.ndarray) -> tuple[float, Any]:
    t0 = time.perf_counter()
    index = _build(vectors, HNSW)
    return time.perf_counter() - t0, index


def recommend(found: list[tuple[int, float, float, float]], encode_s: float) -> str:
    """The smallest n at which flat search costs CUTOVER_SHARE of an encode (interpolated linearly,
    flat search being linear in n), provided HNSW keeps recall@10 >= MIN_RECALL there."""
    budget = CUTOVER_SHARE * encode_s
    previous: tuple[int, float] | None = None
    for n, flat_s, r10, _ in found:
        if flat_s >= budget:
            if previous is None:
                cut = n
            else:
                n0, f0 = previous
                cut = int(n0 + (budget - f0) * (n - n0) / max(flat_s - f0, 1e-12))
            cut = int(round(cut, -3 if cut >= 10_000 else -2))
            verdict = "" if r10 >= MIN_RECALL else f" (but HNSW recall@10 is only {r10:.3f} there)"
            return (
                f"RECOMMENDED hnsw_min_vectors ≈ {cut:,}: where flat search reaches "
                f"{CUTOVER_SHARE:.0%} of a query encode ({budget * 1e3:.2f} ms){verdict}."
            )
        previous = (n, flat_s)
    return (
        f"Flat search stays under {CUTOVER_SHARE:.0%} of a query encode up to {found[-1][0]:,} vectors: "
        "keep flat up to there."
    )


def main(argv: list[str]) -> int:
    mode, payload = argv[0], json.loads(argv[1])
    handlers = {"child-build": child_build, "child-query": child_query, "child-rates": child_rates}
    print(json.dumps(handlers[mode](payload)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("child-"):
        sys.exit(main(sys.argv[1:]))
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["scale", *sys.argv[1:]]))
