"""Child process of bench/startup.py: `python bot.py ask QUESTION --json`, with a timestamp per phase.

``python -m bench._startup_driver ask OUT.json QUESTION`` runs exactly what bot.py runs
(``cli.main.main(["ask", QUESTION, "--json"])``) with timers wrapped around the pieces of
``SummitService.load`` and ``ask``, and writes wall-clock marks and exclusive times per phase to
OUT.json. ``... floor OUT.json QUESTION BACKEND INDEX_DIR`` is the reference: load only the query
embedder and the FAISS sentence index, encode, search, print. Only the standard library is imported
before the first mark, so the marks time the project's imports and nothing of the benchmark's.
"""

import time

T_MAIN = time.time()

import json  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


class Clock:
    """Exclusive wall time per label of nested wrapped calls."""

    def __init__(self) -> None:
        self.exclusive: dict[str, float] = {}
        self.stack: list[list[float]] = []

    def wrap(self, label: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.stack.append([time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, children = self.stack.pop()
                total = time.perf_counter() - start
                self.exclusive[label] = self.exclusive.get(label, 0.0) + total - children
                if self.stack:
                    self.stack[-1][1] += total

        return wrapper


def ask(out: str, question: str) -> int:
    marks = {"main": T_MAIN}
    import cli.main

    marks["cli"] = time.time()
    import retrieval.backends
    import retrieval.index
    import retrieval.service

    marks["imports"] = time.time()
    clock = Clock()
    index, service, chooser = retrieval.index, retrieval.service, retrieval.backends.EmbedderChooser
    service.open_index = clock.wrap("index", service.open_index)  # type: ignore[attr-defined]
    index.build_index = clock.wrap("build", index.build_index)
    index.save_index = clock.wrap("save", index.save_index)
    chooser.reference = clock.wrap("reference_model", chooser.reference)  # type: ignore[method-assign]
    chooser.prepare = clock.wrap("query_model", chooser.prepare)  # type: ignore[method-assign]
    cls = service.SummitService
    cls._open = clock.wrap("setup", cls._open)  # type: ignore[method-assign]
    first_ask = clock.wrap("answer", cls.ask)

    def ask_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        marks.setdefault("answer_start", time.time())
        result = first_ask(self, *args, **kwargs)
        marks.setdefault("answer_end", time.time())
        return result

    cls.ask = ask_once  # type: ignore[method-assign]
    code = cli.main.main(["ask", question, "--json"])
    marks["done"] = time.time()
    _write(out, {"marks": marks, "exclusive": clock.exclusive, "torch": "torch" in sys.modules, "code": code})
    return int(code)


def floor(out: str, question: str, backend: str, index_dir: str) -> int:
    marks = {"main": T_MAIN}
    from pathlib import Path

    from retrieval.ann import FaissIndex

    name = "all-MiniLM-L6-v2"
    if backend == "onnx":
        from retrieval.embedder_onnx import OnnxEmbedder

        marks["imports"] = time.time()
        embedder: Any = OnnxEmbedder(Path(index_dir) / "onnx", name)
    else:
        from retrieval.embedder import SentenceTransformerEmbedder

        marks["imports"] = time.time()
        embedder = SentenceTransformerEmbedder(name)
    marks["model"] = time.time()
    sentence_index = FaissIndex.load(Path(index_dir) / "sentences.faiss")
    marks["index"] = time.time()
    ids, _ = sentence_index.search(embedder.encode_queries([question])[0], 30)
    print(json.dumps({"ids": ids.tolist()}), flush=True)
    marks["answer_end"] = marks["done"] = time.time()
    _write(out, {"marks": marks, "exclusive": {}, "torch": "torch" in sys.modules, "code": 0})
    return 0


def _write(path: str, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    sys.exit(ask(*rest) if mode == "ask" else floor(*rest))
