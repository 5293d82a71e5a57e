"""Hybrid search: dense (FAISS inner product) and BM25 rankings, at sentence and paragraph level,
fused by reciprocal rank fusion (RRF), with a preference for the speaker a question asks about.

A sentence's fused score is the RRF of its own dense and BM25 ranks plus, weighted by
``paragraph_weight``, the RRF of its paragraph's dense and BM25 ranks (so a sentence in the right
paragraph rises). Scores are divided by the best score a sentence could get, so they lie in [0, 1]
before the speaker boost. The question bank's votes for a sentence (retrieval/bank.py: which
sentences answered the questions most like this one), weighted by ``bank_weight``, are added last.
Every weight comes from ``[retrieval]`` in config/defaults.toml.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from config.settings import RetrievalSettings
from retrieval.index import IndexData
from retrieval.types import Sentence

Method = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Hit:
    sentence: Sentence
    score: float  # fused score in [0, 1] + the bank's weighted vote (or one method's normalised score)
    dense: float  # cosine similarity question ~ sentence
    paragraph_dense: float  # cosine similarity question ~ the sentence's paragraph
    speaker_match: bool = False


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]  # best first
    confidence: float  # best dense cosine over sentences and paragraphs
    speaker: str | None = None  # the speaker the search preferred
    lexical_paragraph: int | None = None  # the passage BM25 ranks first (index into passages)
    dense_paragraph: int | None = None  # the passage the dense search ranks first


def rrf(ranked_ids: Sequence[int] | np.ndarray, k: int) -> dict[int, float]:
    """Reciprocal rank fusion contribution of one ranking (ids best first)."""
    ids = ranked_ids.tolist() if isinstance(ranked_ids, np.ndarray) else ranked_ids
    return {int(i): 1.0 / (k + rank) for rank, i in enumerate(ids, start=1)}


def fuse(rankings: Sequence[tuple[Sequence[int] | np.ndarray, float]], k: int) -> dict[int, float]:
    """Weighted RRF of several rankings: [(ids best first, weight), ...] -> id -> score."""
    out: dict[int, float] = {}
    for ids, weight in rankings:
        for i, s in rrf(ids, k).items():
            out[i] = out.get(i, 0.0) + weight * s
    return out


class HybridSearcher:
    def __init__(self, data: IndexData, settings: RetrievalSettings) -> None:
        self.data = data
        self.bm25_weight = settings.bm25_weight
        self.paragraph_weight = settings.paragraph_weight
        self.rrf_k = settings.rrf_k
        self.candidates = settings.candidates
        self.speaker_boost = settings.speaker_boost
        self.bank_weight = settings.bank_weight
        corpus = data.corpus
        pid_index = {(p.doc_id, p.paragraph): i for i, p in enumerate(corpus.passages)}
        # per sentence, its passage's index (a list: read one item at a time in ``search``)
        self.sentence_passage: list[int] = [pid_index[(s.doc_id, s.paragraph)] for s in corpus.sentences]
        self.passage_sentences: dict[int, list[int]] = {}
        for si, pi in enumerate(self.sentence_passage):
            self.passage_sentences.setdefault(pi, []).append(si)

    def best_similarity(self, query_vector: np.ndarray) -> float:
        """The best dense cosine of a vector with any sentence or paragraph."""
        qv = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(-1)
        _, s_scores = self.data.sentence_index.search(qv, 1)
        _, p_scores = self.data.passage_index.search(qv, 1)
        return float(max(s_scores.max(initial=-1.0), p_scores.max(initial=-1.0)))

    def lexical(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """The BM25 half of ``search``: (sentence ids, passage ids), best first. It needs no query
        vector, so a caller can run it before the encoder does."""
        data = self.data
        k = min(self.candidates, len(data.corpus.sentences))
        bs_ids, _ = data.sentence_bm25.search(question, k)
        bp_ids, _ = data.passage_bm25.search(question, min(k, len(data.corpus.passages)))
        return bs_ids, bp_ids

    def search(
        self,
        question: str,
        query_vector: np.ndarray,
        *,
        method: Method = "hybrid",
        speaker: str | None = None,
        limit: int = 10,
        votes: np.ndarray | None = None,
        lexical: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> SearchResult:
        """``votes``: per sentence, its share of the question bank's votes (retrieval/bank.py),
        added to the hybrid score weighted by ``bank_weight``. ``lexical``: ``self.lexical(question)``
        when the caller has it already."""
        data = self.data
        n_sent = len(data.corpus.sentences)
        k = min(self.candidates, n_sent)
        qv = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(-1)
        s_ids, s_scores = data.sentence_index.search(qv, k)
        p_ids, p_scores = data.passage_index.search(qv, min(k, len(data.corpus.passages)))
        confidence = float(max(s_scores.max(initial=-1.0), p_scores.max(initial=-1.0)))
        bs_ids, bp_ids = lexical if lexical is not None else self.lexical(question)

        wp, wb = self.paragraph_weight, self.bm25_weight
        if method == "dense":
            sentence_rankings, paragraph_rankings = [(s_ids, 1.0)], [(p_ids, wp)]
        elif method == "bm25":
            sentence_rankings, paragraph_rankings = [(bs_ids, 1.0)], [(bp_ids, wp)]
        else:
            sentence_rankings = [(s_ids, 1.0), (bs_ids, wb)]
            paragraph_rankings = [(p_ids, wp), (bp_ids, wp * wb)]
        rankings = sentence_rankings + paragraph_rankings
        fused = fuse(sentence_rankings, self.rrf_k)
        para_fused = fuse(paragraph_rankings, self.rrf_k)
        for pi, score in para_fused.items():
            for si in self.passage_sentences.get(pi, []):
                fused[si] = fused.get(si, 0.0) + score
        best_possible = sum(w for _, w in rankings) / (self.rrf_k + 1)
        bank = votes if votes is not None and method == "hybrid" and self.bank_weight > 0 else None
        share: list[float] = []
        if bank is not None:
            for voted in np.flatnonzero(bank).tolist():
                fused.setdefault(voted, 0.0)
            share = bank.tolist()

        sentences = data.corpus.sentences
        ranked: list[tuple[float, str, int, bool]] = []
        for si, score in fused.items():
            sentence = sentences[si]
            match = speaker is not None and sentence.speaker == speaker
            normalised = score / best_possible
            if match:
                normalised *= 1.0 + self.speaker_boost
            if share:
                normalised += self.bank_weight * share[si]
            ranked.append((-normalised, sentence.sid, si, match))
        ranked.sort()  # best first, ties by sentence id; only the ``limit`` best become hits
        dense_of = dict(zip(s_ids.tolist(), s_scores.tolist(), strict=True))
        para_dense_of = dict(zip(p_ids.tolist(), p_scores.tolist(), strict=True))
        hits = []
        for negative, _, si, match in ranked[:limit]:
            pi = self.sentence_passage[si]
            dense = dense_of.get(si)
            if dense is None:
                dense = float(data.sentence_vectors[si] @ qv)
            para_dense = para_dense_of.get(pi)
            if para_dense is None:
                para_dense = float(data.passage_vectors[pi] @ qv)
            hits.append(Hit(sentences[si], -negative, float(dense), float(para_dense), match))
        return SearchResult(
            hits,
            confidence,
            speaker,
            int(bp_ids[0]) if len(bp_ids) else None,
            int(p_ids[0]) if len(p_ids) else None,
        )
