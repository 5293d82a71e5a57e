"""Quality figures on a question set (eval/*.toml), and fitting the answerability model.

A set holds ``[[question]]`` tables (q, kind, coverage full|partial|none, paragraph, key, and for
multi-part questions ``parts``: one {q, paragraph, key} per part) and ``[[summary]]`` tables
(topic, coverage, must, must_not). The older sets have no ``coverage``: a question with a
paragraph is "full", one without is "none".

Figures: per retrieval method, Recall@1/@3 and MRR of the expected paragraph for single-part
answerable questions, answer hit (every key inside an answer given in full), unanswerable
questions not answered, false refusals; per kind (hybrid): answer hit, multi-part full hit,
partial/none labelled right, false refusals, mean words; a risk-coverage table over the
calibrated probability; free-text summaries (must / must not).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import BadQuestion
from retrieval.answer import word_count
from retrieval.answerability import FEATURES, Evidence, Thresholds, decide
from retrieval.hybrid import Method
from retrieval.intent import classify
from retrieval.question_sets import load_set

if TYPE_CHECKING:
    from retrieval.service import SummitService

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
DEFAULT_QUESTIONS = EVAL_DIR / "dev.toml"
METHODS: tuple[Method, ...] = ("dense", "bm25", "hybrid")
SWEEP_THRESHOLDS = (0.25, 0.30, 0.35, 0.40, 0.45)
SWEEP_MARGINS = (0.0, 0.05, 0.10, 0.15, 0.20, float("inf"))
FALSE_REFUSAL_COST = 2.0
RISK_STEPS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _answerable(evidence: Evidence, threshold: float, margin: float) -> bool:
    """The plain similarity/anchor rule at other thresholds (margin inf: no off-topic anchors)."""
    return decide(evidence, Thresholds(threshold, margin)).answerable


def paragraph_ranking(hits) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    for h in hits:
        if h.sentence.paragraph not in seen:
            seen.append(h.sentence.paragraph)
    return seen


def _hit(q: dict[str, Any], answer: Any) -> bool:
    """Answered in full, and every part's key is in the answer."""
    return bool(answer.answered) and all(p["key"] in answer.answer for p in q["parts"])


def _words(answer: Any) -> int:
    return sum(word_count(quote.text) for quote in answer.quotes)


def evaluate(service: SummitService, questions_path: str | Path | None = None) -> dict[str, Any]:
    """The figures for one set, answered without the set's own questions in the question bank
    (so a set the bank holds is measured against the other sets' questions only)."""
    path = Path(questions_path) if questions_path else DEFAULT_QUESTIONS
    with service.without_bank_source(path.name):
        return _evaluate(service, path)


def _evaluate(service: SummitService, path: Path) -> dict[str, Any]:
    questions, summaries = load_set(path)
    full = [q for q in questions if q["coverage"] == "full"]
    single = [q for q in full if len(q["parts"]) == 1]
    unanswerable = [q for q in questions if q["coverage"] != "full"]
    report: dict[str, Any] = {
        "set": path.name,
        "questions": len(questions),
        "answerable": len(full),
        "out_of_scope": len(unanswerable),
        "threshold": service.settings.answer.min_similarity,
        "margin": service.settings.answer.off_topic_margin,
        "methods": {},
        "kinds": {},
        "misses": [],
    }
    records: list[dict[str, Any]] = []
    for method in METHODS:
        r1 = r3 = 0
        mrr = 0.0
        for q in single:
            ranking = paragraph_ranking(service.retrieve(q["q"], method=method, limit=50).hits)
            rank = ranking.index(q["paragraph"]) + 1 if q["paragraph"] in ranking else None
            r1 += rank == 1
            r3 += rank is not None and rank <= 3
            mrr += 1.0 / rank if rank else 0.0
        hits = false_refusals = not_answered = 0
        for q in questions:
            answer = service.ask(q["q"], method=method)
            good = _hit(q, answer) if q["coverage"] == "full" else not answer.answered
            if q["coverage"] == "full":
                hits += good
                false_refusals += not answer.answered
            else:
                not_answered += good
            if method == "hybrid":
                records.append({"q": q, "answer": answer, "good": good})
        n = max(1, len(single))
        report["methods"][method] = {
            "recall@1": r1 / n,
            "recall@3": r3 / n,
            "mrr": mrr / n,
            "answer_hit_rate": hits / max(1, len(full)),
            "correct_refusals": not_answered,
            "false_refusals": false_refusals,
        }
    report["kinds"] = _per_kind(records)
    report["overall"] = _per_kind(records, by_kind=False)["all"]
    report["risk_coverage"] = _risk_coverage(records)
    report["threshold_sweep"] = _sweep(service, full, unanswerable)
    report["summaries"] = _summaries(service, summaries)
    for r in records:
        if not r["good"]:
            a = r["answer"]
            report["misses"].append(
                {
                    "q": r["q"]["q"],
                    "kind": r["q"]["kind"],
                    "expected": r["q"]["coverage"],
                    "got": a.coverage,
                    "probability": round(a.probability, 3),
                    "answer": a.answer,
                }
            )
    return report


def _per_kind(records: list[dict[str, Any]], *, by_kind: bool = True) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["q"]["kind"] if by_kind else "all", []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for kind, rs in sorted(groups.items()):
        full = [r for r in rs if r["q"]["coverage"] == "full"]
        multi = [r for r in full if len(r["q"]["parts"]) > 1]
        other = [r for r in rs if r["q"]["coverage"] != "full"]
        answered = [r["answer"] for r in rs if r["answer"].answered]
        out[kind] = {
            "n": len(rs),
            "answerable": len(full),
            "answer_hit": sum(r["good"] for r in full),
            "multi": len(multi),
            "multi_full_hit": sum(r["good"] for r in multi),
            "unanswerable": len(other),
            "not_answered": sum(r["good"] for r in other),
            "label_right": sum(r["answer"].coverage == r["q"]["coverage"] for r in other),
            "false_refusals": sum(not r["answer"].answered for r in full),
            "mean_words": (sum(_words(a) for a in answered) / len(answered)) if answered else 0.0,
        }
    return out


def _risk_coverage(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answering only at or above a probability: how many are answered, and how many of those wrong."""
    rows = []
    for t in RISK_STEPS:
        kept = [r for r in records if r["answer"].answered and r["answer"].probability >= t]
        wrong = sum(not r["good"] for r in kept)
        rows.append(
            {
                "min_probability": t,
                "coverage": len(kept) / max(1, len(records)),
                "answered": len(kept),
                "risk": wrong / len(kept) if kept else 0.0,
                "wrong": wrong,
            }
        )
    return rows


def _sweep(
    service: SummitService, full: list[dict[str, Any]], other: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    inside = [service.evidence(q["q"]) for q in full if len(q["parts"]) == 1]
    outside = [service.evidence(q["q"]) for q in other]
    return [
        {
            "threshold": t,
            "margin": m,
            "false_refusals": sum(not _answerable(e, t, m) for e in inside),
            "wrongly_answered": sum(_answerable(e, t, m) for e in outside),
        }
        for t in SWEEP_THRESHOLDS
        for m in SWEEP_MARGINS
    ]


def _summaries(service: SummitService, items: list[dict[str, Any]]) -> dict[str, Any]:
    passed, failures = 0, []
    for item in items:
        try:
            text = service.summary(item["topic"]).summary
        except BadQuestion:
            text = None
        if item.get("coverage", "full") == "none":
            ok = text is None
        else:
            ok = (
                text is not None
                and all(p in text for p in item.get("must", []))
                and not any(p in text for p in item.get("must_not", []))
            )
        passed += ok
        if not ok:
            failures.append({"topic": item["topic"], "summary": text})
    return {"n": len(items), "passed": passed, "failures": failures}


# --------------------------------------------------------------------------------------- fitting
def fit(service: SummitService, questions_path: str | Path | None = None) -> dict[str, Any]:
    """Fit the answerability model on a set's single questions and parts (without the set's own
    questions in the question bank); returns its TOML fields."""
    path = Path(questions_path) if questions_path else DEFAULT_QUESTIONS
    with service.without_bank_source(path.name):
        return _fit(service, path)


def _fit(service: SummitService, path: Path) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    questions, _ = load_set(path)
    rows, labels, releases, kinds, rule = [], [], [], [], []
    for q in questions:
        texts = [p["q"] for p in q["parts"]] if q["parts"] else [q["q"]]
        for text in texts:
            if classify(text) != "question":
                continue
            signals = service.signals(text)
            rows.append(signals.vector())
            labels.append(q["coverage"] == "full")
            releases.append(signals.evidence.question.release)
            rule.append(signals.rule.answerable and not signals.detail_missing)
            kinds.append(q["coverage"])
    x, y = np.asarray(rows), np.asarray(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((x - mean) / scale, y)
    p = model.predict_proba((x - mean) / scale)[:, 1]

    # The threshold: the fewest mistakes, a false refusal (an answer the user does not get though
    # the release has it) costing FALSE_REFUSAL_COST wrong answers.
    # The service answers only what the rule passes; the model can only hold back more.
    passed = np.asarray(rule)

    def cost(t: float) -> float:
        answered = passed & (p >= t)
        return float((~answered & y).sum() * FALSE_REFUSAL_COST + (answered & ~y).sum())

    # Ties go to the lowest threshold: the model holds back only what it must.
    threshold = min(np.arange(0.0, 0.81, 0.01), key=lambda t: (cost(t), t))
    others = [(r, k) for r, k in zip(releases, kinds, strict=True) if k != "full"]
    floor = max(
        np.arange(0.2, 0.61, 0.01),
        key=lambda f: sum((r >= f) == (k == "partial") for r, k in others),
    )
    return {
        "features": list(FEATURES),
        "mean": [float(v) for v in mean],
        "scale": [float(v) for v in scale],
        "weights": [float(v) for v in model.coef_[0]],
        "bias": float(model.intercept_[0]),
        "threshold": round(float(threshold), 2),
        "partial_floor": round(float(floor), 2),
        "fitted_on": path.name,
        "examples": len(y),
        "training_accuracy": round(float(((passed & (p >= threshold)) == y).mean()), 4),
    }


def fit_toml(fields: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, str):
            return '"' + v + '"'
        return repr(round(v, 6)) if isinstance(v, float) and math.isfinite(v) else repr(v)

    lines = [
        "# The answerability model: a logistic regression over the features below, fitted on the",
        "# dev set by `python bot.py eval --fit` (retrieval/evaluate.py). Do not edit by hand.",
    ]
    lines += [f"{k} = {value(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------------------- printing
def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{report['set']}: {report['questions']} questions: {report['answerable']} answerable, "
        f"{report['out_of_scope']} not answerable from the release",
        "",
        f"{'method':<8} {'R@1':>6} {'R@3':>6} {'MRR':>6} {'answer hit':>10} {'not answered':>13} "
        f"{'false refusals':>15}",
    ]
    for method, m in report["methods"].items():
        lines.append(
            f"{method:<8} {m['recall@1']:>6.1%} {m['recall@3']:>6.1%} {m['mrr']:>6.3f} "
            f"{m['answer_hit_rate']:>10.1%} {m['correct_refusals']:>6}/{report['out_of_scope']:<6} "
            f"{m['false_refusals']:>15}"
        )
    lines += [
        "",
        "per kind (hybrid): answer hit / answerable, multi-part all parts / multi, not answered /",
        "unanswerable (partial-or-none label right), false refusals, mean words of answers",
        f"  {'kind':<12} {'hit':>9} {'multi':>7} {'not answered':>17} {'false ref.':>10} {'words':>6}",
    ]
    for kind, k in [*report["kinds"].items(), ("ALL", report["overall"])]:
        hit = f"{k['answer_hit']}/{k['answerable']}" if k["answerable"] else "-"
        multi = f"{k['multi_full_hit']}/{k['multi']}" if k["multi"] else "-"
        unans = f"{k['not_answered']}/{k['unanswerable']} ({k['label_right']})" if k["unanswerable"] else "-"
        lines.append(
            f"  {kind:<12} {hit:>9} {multi:>7} {unans:>17} {k['false_refusals']:>10} {k['mean_words']:>6.1f}"
        )
    lines += ["", "risk-coverage (hybrid): answered only at or above a calibrated probability"]
    lines.append(f"  {'p >=':>5} {'coverage':>9} {'answered':>9} {'wrong':>6} {'risk':>6}")
    for r in report["risk_coverage"]:
        lines.append(
            f"  {r['min_probability']:>5.1f} {r['coverage']:>9.1%} {r['answered']:>9} {r['wrong']:>6} "
            f"{r['risk']:>6.1%}"
        )
    s = report["summaries"]
    if s["n"]:
        lines += [
            "",
            f"free-text summaries: {s['passed']}/{s['n']} contain every must and no must-not phrase",
        ]
        lines += [f"  failed: {f['topic']}" for f in s["failures"]]
    lines += [
        "",
        "plain similarity/anchor rule sweep (single-part questions): false refusals / unanswerable",
        "answered, by similarity threshold (rows) and off-topic margin (columns; inf = no anchors)",
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
                f"  [{miss['kind']}] {miss['q']}  (expected {miss['expected']}, got {miss['got']}, "
                f"p={miss['probability']})"
            )
    return "\n".join(lines)
