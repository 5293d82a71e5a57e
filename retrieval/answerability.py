"""Does the release answer a question? The whole decision, in one place.

Evidence, measured once per question: the best cosine of the question with the release (sentences
and paragraphs), the best cosine with an off-topic anchor (the corpus profile's ``[off_topic]``: subjects the
release never mentions; none without a profile), whether every word of the question occurs in
the release, and the same two cosines for the question without the names of the release's
people (names make any question look like the release: "Did Trump and Putin discuss Iran?").

The rule (``decide``), for given thresholds: refused when the best cosine is below
``min_similarity`` (below ``IN_ONE_SENTENCE_MIN_SIMILARITY`` when one sentence of the release
holds every content word of the question); or, unless every word occurs in the release, when the
question is closer to an anchor than to the release by more than ``off_topic_margin``; or when the
question without the names is. "Closer to the release" weighs like against like: an anchor is a
short description of a subject, so the question's cosine with it is set against the better of its
cosine with the release's text and with the descriptions of the release's own subjects (the
profile's topic queries), so "whats the deal with north korea" is not taken for "Japan and South
Korea".
``eval`` calls ``decide`` with other thresholds for its sweep.

Anchor vectors are computed once per model and anchor list, and cached next to the index.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config.errors import SetupError
from retrieval.embedder import Embedder
from retrieval.storage import cached_vectors
from retrieval.types import Coverage

log = logging.getLogger(__name__)
# A subject description is a list of its topic's key words, easier to match than an anchor on the
# strength of one shared word ("where was the summit held" vs "overall outcome of the summit"):
# it counts this much less.
SUBJECT_DISCOUNT = 0.05
# A question every content word of which one sentence of the release holds ("what would the
# international community not accept") is refused for low similarity only below this cosine:
# reworded questions about the release rarely share all their words with one sentence, questions
# about other things even more rarely.
IN_ONE_SENTENCE_MIN_SIMILARITY = 0.25
CACHE = "off_topic.npy"
CACHE_META = "off_topic.json"


@dataclass(frozen=True)
class Thresholds:
    min_similarity: float
    off_topic_margin: float


@dataclass(frozen=True)
class Similarities:
    """How close one text is to the release and to the nearest subject it does not cover."""

    release: float  # best cosine with a sentence or paragraph
    off_topic: float  # best cosine with an off-topic anchor (-1 without anchors)
    anchor: str  # that anchor
    # Best cosine with a description of one of the release's own subjects (the profile's topic
    # queries; -1 without). Anchors are short descriptions of subjects, so they are weighed
    # against descriptions of the release's subjects too, not only against its long sentences.
    subject: float = -1.0

    @property
    def gap(self) -> float:
        """How much closer the text is to a subject the release does not cover than to the release."""
        return self.off_topic - max(self.release, self.subject - SUBJECT_DISCOUNT)


@dataclass(frozen=True)
class Evidence:
    question: Similarities
    words_covered: bool  # every (stemmed, non-stop) word of the question occurs in the release
    without_names: Similarities | None  # None: the question names nobody, or it was not needed
    in_one_sentence: bool = False  # one sentence holds every content word (at least two)


@dataclass(frozen=True)
class Decision:
    answerable: bool
    confidence: float  # best cosine with the release of the text the decision was made on
    off_topic: float
    reason: str  # "" when answerable


def _check(
    sims: Similarities, t: Thresholds, *, words_covered: bool, in_one_sentence: bool = False
) -> Decision:
    floor = min(t.min_similarity, IN_ONE_SENTENCE_MIN_SIMILARITY) if in_one_sentence else t.min_similarity
    if sims.release < floor:
        reason = f"best similarity {sims.release:.2f} < {floor:.2f}"
    elif sims.gap > t.off_topic_margin and not words_covered:
        closest = sims.off_topic - sims.gap  # the release, or one of its subjects (discounted)
        reason = f"closer to an uncovered subject ({sims.anchor!r}: {sims.off_topic:.2f} vs {closest:.2f})"
    else:
        reason = ""
    return Decision(not reason, sims.release, sims.off_topic, reason)


def needs_second_look(first: Decision, evidence: Evidence) -> bool:
    """Whether the question without the names decides (only an answerable one not all of whose
    words occur in the release is looked at again)."""
    return first.answerable and not evidence.words_covered


def decide(evidence: Evidence, t: Thresholds) -> Decision:
    first = _check(
        evidence.question, t, words_covered=evidence.words_covered, in_one_sentence=evidence.in_one_sentence
    )
    rest = evidence.without_names
    if rest is not None and needs_second_look(first, evidence):
        second = _check(rest, t, words_covered=False)
        if rest.gap > t.off_topic_margin:
            return second
    return first


class Judge:
    """Measures the evidence for a question against the anchors (see the module docstring)."""

    def __init__(
        self,
        anchors: list[str],
        vectors: np.ndarray,
        thresholds: Thresholds,
        subjects: np.ndarray | None = None,
    ) -> None:
        """``subjects``: vectors of descriptions of the release's own subjects (rows), if any."""
        self.anchors = anchors
        self.vectors = vectors
        self.thresholds = thresholds
        self.subjects = subjects if subjects is not None and len(subjects) else None

    def similarities(self, release: float, vector: np.ndarray) -> Similarities:
        if not self.anchors:
            return Similarities(release, -1.0, "")
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        sims = self.vectors @ v
        best = int(np.argmax(sims))
        subject = float((self.subjects @ v).max()) if self.subjects is not None else -1.0
        return Similarities(release, float(sims[best]), self.anchors[best], subject)

    def assess(
        self,
        release: float,
        vector: np.ndarray,
        words_covered: bool,
        without_names: Callable[[], tuple[float, np.ndarray] | None],
        *,
        full: bool = False,
        in_one_sentence: bool = False,
    ) -> tuple[Evidence, Decision]:
        """The evidence and the decision at this judge's thresholds. ``without_names`` gives
        (best cosine, vector) of the question without people's names, or None when that is the
        same question; it is called only when the decision needs it, or always with ``full``
        (eval's sweep decides at other thresholds, so it wants the whole evidence)."""
        evidence = Evidence(self.similarities(release, vector), words_covered, None, in_one_sentence)
        t = self.thresholds
        first = decide(evidence, t)
        if full or needs_second_look(first, evidence):
            rest = without_names()
            if rest is not None:
                evidence = Evidence(
                    evidence.question, words_covered, self.similarities(*rest), in_one_sentence
                )
        return evidence, decide(evidence, t)


def anchor_vectors(
    anchors: Sequence[str], cache_dir: Path, embedder: Embedder
) -> tuple[list[str], np.ndarray]:
    """The anchors and their vectors, from the cache when the anchors and model are unchanged."""
    anchors = [a for a in anchors if a.strip()]
    vectors = cached_vectors(
        anchors,
        cache_dir,
        CACHE,
        CACHE_META,
        embedder,
        encode=embedder.encode_documents,
        what="off-topic anchor",
    )
    return anchors, vectors


# ------------------------------------------------------------------------- calibrated probability
FEATURES = ("release", "off_topic_gap", "names_gap", "margin", "agree", "covered", "rule")


@dataclass(frozen=True)
class Signals:
    """Everything the calibrated decision looks at, for one question (or part of one)."""

    evidence: Evidence
    rule: Decision  # the similarity/anchor rule at the configured thresholds
    margin: float  # best sentence cosine minus the best one in another paragraph
    agree: bool  # dense and BM25 put the same paragraph first
    covered: float  # fraction of the question's terms that occur in the release
    # What the question asks for is not in the release: an expected date, number or duration in
    # none of the best sentences, a name/age/size it never uses, or the words of someone it never quotes.
    detail_missing: bool
    # (coverage, cosine) of a question of the question bank this one is in other words, if any.
    known: tuple[Coverage, float] | None = None
    # The bank's nearest answered question is near (nearer than its nearest unanswered one by
    # a margin) and was answered by the sentence the search puts first.
    supported: bool = False

    def vector(self) -> list[float]:
        q, rest = self.evidence.question, self.evidence.without_names
        names_gap = rest.gap if rest is not None else -1.0
        return [
            q.release,
            q.gap,
            names_gap,
            self.margin,
            float(self.agree),
            self.covered,
            float(self.rule.answerable),
        ]


@dataclass(frozen=True)
class Calibration:
    """A logistic model over ``FEATURES`` fitted on the dev set (``python bot.py eval --fit``)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # answered in full at or above this probability
    partial_floor: float  # below it, a question with this best cosine is not on the subject at all

    def probability(self, signals: Signals) -> float:
        x = np.asarray(signals.vector(), dtype=np.float64)
        z = float(
            ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights) + self.bias
        )
        return float(1.0 / (1.0 + np.exp(-z)))


def load_calibration(path: Path) -> Calibration | None:
    """The fitted model, or None when the file is absent (the plain rule then decides)."""
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if tuple(raw["features"]) != FEATURES:
            raise SetupError(f"{path.name} was fitted on other features: run `python bot.py eval --fit`.")
        return Calibration(
            tuple(float(v) for v in raw["mean"]),
            tuple(float(v) or 1.0 for v in raw["scale"]),
            tuple(float(v) for v in raw["weights"]),
            float(raw["bias"]),
            float(raw["threshold"]),
            float(raw["partial_floor"]),
        )
    except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"Cannot read the answerability model {path}: {exc}") from None


def coverage_of(
    signals: Signals, calibration: Calibration | None, thresholds: Thresholds
) -> tuple[Coverage, float]:
    """("full" | "partial" | "none", probability). Full: the release answers it. Partial: it is
    on a subject of the release but the detail asked is not there (no sentence holds the kind of
    answer it expects, or the model doubts it). None: not a subject of the release."""
    if calibration is None:
        probability = 1.0 if signals.rule.answerable else 0.0
        threshold, floor = 0.5, thresholds.min_similarity
    else:
        probability = calibration.probability(signals)
        threshold, floor = calibration.threshold, calibration.partial_floor
    q = signals.evidence.question
    if signals.known is not None:
        # The same question in other words was answered (or found not answered) before: that
        # decides, even against a missing-detail check (measured: those checks err more often).
        return signals.known[0], probability
    if signals.supported and not signals.detail_missing:
        # Questions nearly like it were answered, by the sentence the search puts first, and none
        # as near was found unanswered: answered, however little its words share with that sentence.
        return "full", probability
    # Partial needs the release to be on the subject: as similar as an answer must be.
    floor = max(floor, thresholds.min_similarity)
    on_subject = q.release >= floor and q.gap <= thresholds.off_topic_margin
    # The rule must pass, and the model (when fitted) must not doubt it.
    if signals.rule.answerable and probability >= threshold and not signals.detail_missing:
        return "full", probability
    if on_subject:
        return "partial", probability
    return "none", probability
