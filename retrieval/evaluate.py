"""Quality figures on the question set (eval/questions.toml), for dense, BM25 and the hybrid.

Per method: Recall@1 and Recall@3 and MRR of the expected paragraph in the ranking (paragraphs in
the order their best sentence appears), the answer hit rate (the key phrase is inside the short
answer), correct refusals (out-of-scope questions answered "not covered") and false refusals
(answerable questions refused). The confidence figures show where the refusal threshold sits.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import SetupError
from retrieval.answerability import Evidence, Thresholds, decide
from retrieval.hybrid import Method

if TYPE_CHECKING:
    from retrieval.service import SummitService

DEFAULT_QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.toml"
METHODS: tuple[Method, ...] = ("dense", "bm25", "hybrid")


SWEEP_THRESHOLDS = (0.25, 0.30, 0.35, 0.40, 0.45)
SWEEP_MARGINS = (0.0, 0.05, 0.10, 0.15, 0.20, float("inf"))


def _answerable(evidence: Evidence, threshold: float, margin: float) -> bool:
    """The service's own decision at other thresholds (margin inf: no off-topic anchors)."""
    return decide(evidence, Thresholds(threshold, margin)).answerable


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        items = tomllib.loads(path.read_text(encoding="utf-8"))["question"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the question set {path}: {exc}") from None
    return list(items)


def paragraph_ranking(hits) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    for h in hits:
        if h.sentence.paragraph not in seen:
            seen.append(h.sentence.paragraph)
    return seen


def evaluate(service: SummitService, questions_path: str | Path | None = None) -> dict[str, Any]:
    questions = load_questions(Path(questions_path) if questions_path else DEFAULT_QUESTIONS)
    answerable = [q for q in questions if q["paragraph"]]
    unanswerable = [q for q in questions if not q["paragraph"]]
    report: dict[str, Any] = {
        "questions": len(questions),
        "answerable": len(answerable),
        "out_of_scope": len(unanswerable),
        "threshold": service.settings.answer.min_similarity,
        "margin": service.settings.answer.off_topic_margin,
        "methods": {},
        "misses": [],
    }
    for method in METHODS:
        r1 = r3 = hits = false_refusals = correct_refusals = 0
        mrr = 0.0
        in_conf: list[float] = []  # best release cosine
        out_conf: list[float] = []
        in_evidence: list[Evidence] = []
        out_evidence: list[Evidence] = []
        for q in answerable:
            result = service.retrieve(q["q"], method=method, limit=50)
            ranking = paragraph_ranking(result.hits)
            rank = ranking.index(q["paragraph"]) + 1 if q["paragraph"] in ranking else None
            r1 += rank == 1
            r3 += rank is not None and rank <= 3
            mrr += 1.0 / rank if rank else 0.0
            answer = service.ask(q["q"], method=method)
            in_conf.append(answer.confidence)
            if method == "hybrid":
                in_evidence.append(service.evidence(q["q"], method=method))
            if not answer.answered:
                false_refusals += 1
            hit = answer.answered and q["key"] in answer.answer
            hits += hit
            if not hit and method == "hybrid":
                report["misses"].append(
                    {
                        "q": q["q"],
                        "kind": q["kind"],
                        "expected": q["paragraph"],
                        "rank": rank,
                        "answer": answer.answer,
                    }
                )
        for q in unanswerable:
            answer = service.ask(q["q"], method=method)
            out_conf.append(answer.confidence)
            if method == "hybrid":
                out_evidence.append(service.evidence(q["q"], method=method))
            if not answer.answered:
                correct_refusals += 1
            elif method == "hybrid":
                report["misses"].append(
                    {"q": q["q"], "kind": q["kind"], "expected": 0, "rank": None, "answer": answer.answer}
                )
        n = max(1, len(answerable))
        if method == "hybrid":
            report["threshold_sweep"] = [
                {
                    "threshold": t,
                    "margin": m,
                    "false_refusals": sum(not _answerable(e, t, m) for e in in_evidence),
                    "wrongly_answered": sum(_answerable(e, t, m) for e in out_evidence),
                }
                for t in SWEEP_THRESHOLDS
                for m in SWEEP_MARGINS
            ]
        report["methods"][method] = {
            "recall@1": r1 / n,
            "recall@3": r3 / n,
            "mrr": mrr / n,
            "answer_hit_rate": hits / n,
            "correct_refusals": correct_refusals,
            "false_refusals": false_refusals,
            "min_confidence_answerable": min(in_conf, default=0.0),
            "max_confidence_out_of_scope": max(out_conf, default=0.0),
        }
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{report['questions']} questions: {report['answerable']} answerable, "
        f"{report['out_of_scope']} out of scope; refusal: similarity < {report['threshold']:.2f} "
        f"or off-topic margin > {report['margin']:.2f}",
        "",
        f"{'method':<8} {'R@1':>6} {'R@3':>6} {'MRR':>6} {'answer hit':>10} {'correct refusals':>17} "
        f"{'false refusals':>15}",
    ]
    for method, m in report["methods"].items():
        lines.append(
            f"{method:<8} {m['recall@1']:>6.1%} {m['recall@3']:>6.1%} {m['mrr']:>6.3f} "
            f"{m['answer_hit_rate']:>10.1%} {m['correct_refusals']:>8}/{report['out_of_scope']:<8} "
            f"{m['false_refusals']:>15}"
        )
    h = report["methods"]["hybrid"]
    lines += [
        "",
        f"confidence (best cosine): answerable min {h['min_confidence_answerable']:.3f}, "
        f"out of scope max {h['max_confidence_out_of_scope']:.3f}",
    ]
    lines += [
        "",
        "refusal rule sweep (hybrid): false refusals / out-of-scope answered, by similarity threshold",
        "(rows) and off-topic margin (columns; inf = no off-topic anchors)",
        "         " + "".join(f"{m:>9}" for m in SWEEP_MARGINS),
    ]
    for t in SWEEP_THRESHOLDS:
        cells = [r for r in report["threshold_sweep"] if r["threshold"] == t]
        lines.append(
            f"  {t:.2f}   " + "".join(f"{r['false_refusals']:>5}/{r['wrongly_answered']:<3}" for r in cells)
        )
    if report["misses"]:
        lines += ["", "hybrid misses:"]
        for miss in report["misses"]:
            lines.append(
                f"  [{miss['kind']}] {miss['q']}  (expected ¶{miss['expected']}, rank {miss['rank']})"
            )
    return "\n".join(lines)
