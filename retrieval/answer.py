"""Extractive answers: pick 1-3 sentences, quote them word for word, number their paragraphs.

Nothing here writes text of its own except the plain "not covered" message: every sentence of an
answer is ``document.text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import combinations

from retrieval.hybrid import Hit
from retrieval.types import Citation, Quote, Sentence, Topic, sentence_id

# A sentence that leans on the one before it ("He said that ...", "They agree ...").
_DEPENDENT_START = re.compile(r"^[\"“]?(?:he|she|they|his|her|their|it|this|that|these|those|both)\b", re.I)
# A further sentence must score at least this fraction of the best one, and be at least this
# similar to the question on its own (tuned on eval/questions.toml).
# A sentence from another paragraph than the best one must be as similar as an answer must be.
ADDITIONAL_MIN_RATIO = 0.5
CANDIDATES = 8  # the best hits considered for an answer
ADDITIONAL_MIN_SIMILARITY = 0.2
# "Tillerson said," alone introduces a quotation: never an answer by itself.
_INTRODUCER = re.compile(r"^\S+(?:\s+\S+)?\s+(?:said|says|added|stressed)\s*[,:]$", re.I)


def word_count(text: str) -> int:
    return len(text.split())


def select_sentences(
    hits: Sequence[Hit],
    corpus_sentences: Sequence[Sentence] | Mapping[str, Sentence],
    max_sentences: int,
    max_words: int,
    other_paragraph_similarity: float = 0.0,
) -> list[Hit]:
    """The best hit, plus up to ``max_sentences - 1`` of the next best hits that are nearly as
    good and relevant on their own: the combination with the highest total score that fits the
    word budget, best first. A chosen sentence that starts with a pronoun
    brings the sentence before it (placed just before it) when that fits, so "He said that ..." is
    not quoted without its subject."""
    hits = [h for h in hits if not _INTRODUCER.match(h.sentence.text)]
    if not hits:
        return []
    top = hits[0]
    candidates = [
        h
        for h in hits[1:CANDIDATES]
        if h.score >= ADDITIONAL_MIN_RATIO * top.score
        and h.dense >= ADDITIONAL_MIN_SIMILARITY
        and (
            (h.sentence.doc_id, h.sentence.paragraph) == (top.sentence.doc_id, top.sentence.paragraph)
            or h.dense >= other_paragraph_similarity
        )
    ]
    # The set (with the best hit) of the highest total score that fits the word budget: a few
    # short relevant sentences beat one long one that crowds out the rest.
    best_set: tuple[Hit, ...] = (top,)
    best_total = top.score
    for size in range(1, max_sentences):
        for extra in combinations(candidates, size):
            if word_count(top.sentence.text) + sum(word_count(h.sentence.text) for h in extra) > max_words:
                continue
            total = top.score + sum(h.score for h in extra)
            if total > best_total:
                best_set, best_total = (top, *extra), total
    chosen = sorted(best_set, key=lambda h: -h.score)
    words = sum(word_count(h.sentence.text) for h in chosen)
    # The service passes its sentences by id (built once per index), not a list to index per question.
    by_sid = (
        corpus_sentences if isinstance(corpus_sentences, Mapping) else {s.sid: s for s in corpus_sentences}
    )
    chosen_ids = {h.sentence.sid for h in chosen}
    ordered: list[Hit] = []  # best first; a needed previous sentence goes right before its sentence
    added = 0
    for hit in chosen:
        s = hit.sentence
        prev = by_sid.get(sentence_id(s.doc_id, s.paragraph, s.index - 1))
        if (
            _DEPENDENT_START.match(s.text)
            and prev is not None
            and prev.sid not in chosen_ids
            and len(chosen) + added < max_sentences
            and words + word_count(prev.text) <= max_words
        ):
            ordered.append(Hit(prev, hit.score, hit.dense, hit.paragraph_dense))
            chosen_ids.add(prev.sid)
            words += word_count(prev.text)
            added += 1
        ordered.append(hit)
    return ordered


def cite(
    chosen: Sequence[Hit], passage_text: dict[tuple[str, int], str]
) -> tuple[list[Quote], list[Citation]]:
    """Number the chosen sentences' paragraphs [1], [2], ... in order of appearance."""
    numbers: dict[tuple[str, int], int] = {}
    scores: dict[tuple[str, int], float] = {}
    quotes: list[Quote] = []
    for hit in chosen:
        key = (hit.sentence.doc_id, hit.sentence.paragraph)
        n = numbers.setdefault(key, len(numbers) + 1)
        scores[key] = max(scores.get(key, 0.0), hit.score)
        quotes.append(Quote(hit.sentence.text, n, hit.sentence.speaker))
    citations = [
        Citation(n, key[0], key[1], passage_text[key], min(1.0, scores[key])) for key, n in numbers.items()
    ]
    return quotes, citations


def render_quotes(quotes: Sequence[Quote]) -> str:
    return " ".join(f"{q.text} [{q.n}]" for q in quotes)


def not_covered_message(topics: Sequence[Topic]) -> str:
    names = ", ".join(t.name for t in topics)
    return (
        "The press release does not answer that. It covers: " + names + ". "
        "Try a question about one of these, or `summary TOPIC`."
    )
