"""SummitService: the one object both front ends (CLI/console and Discord) talk to.

Synchronous and CPU-bound: the Discord layer calls it through ``asyncio.to_thread``. ``reindex``
builds a complete new state and swaps it in with one assignment, so questions answered while it
runs see either the old index or the new one, never a mix.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from config.settings import Settings
from retrieval.answer import cite, clean_question, not_covered_message, render_quotes, select_sentences
from retrieval.embedder import Embedder
from retrieval.errors import BadQuestion, UserError
from retrieval.hybrid import HybridSearcher, Method, SearchResult
from retrieval.index import IndexData, open_index
from retrieval.positions import split_positions
from retrieval.scope import ScopeCheck, ScopeGuard, anchor_vectors
from retrieval.speakers import asked_speaker, without_speaker
from retrieval.summarise import UnknownTopic, summarise, topic_hits
from retrieval.topics import TopicSpec, load_topics, match_topic
from retrieval.types import Answer, Document, IndexStats, Passage, Positions, Sentence, Summary, Topic

log = logging.getLogger(__name__)


@dataclass
class _State:
    data: IndexData
    searcher: HybridSearcher
    topic_vectors: np.ndarray  # (n_topics, dim), rows aligned with SummitService.topic_specs
    sentence_topic_sims: np.ndarray  # (n_sentences, n_topics)
    scope: ScopeGuard
    # What every answer looks up, built once per index rather than once per question.
    passage_texts: dict[tuple[str, int], str] = field(default_factory=dict)
    sentences_by_sid: dict[str, Sentence] = field(default_factory=dict)


class SummitService:
    def __init__(self, settings: Settings, embedder_factory: Any = None) -> None:
        from retrieval.backends import EmbedderChooser

        self.settings = settings
        self.topic_specs: list[TopicSpec] = load_topics(settings.topics_file)
        self._embedders = embedder_factory or EmbedderChooser(settings)
        self._reindex_lock = threading.Lock()
        self._state: _State | None = None

    # -------------------------------------------------------------------------------- lifecycle
    @classmethod
    def load(cls, settings: Settings, *, progress: bool = False, rebuild: bool = False) -> SummitService:
        service = cls(settings)
        service._open(progress=progress, rebuild=rebuild)
        return service

    def _open(self, *, progress: bool = False, rebuild: bool = False) -> IndexStats:
        s = self.settings
        data = open_index(
            s.corpus_dir,
            s.index_dir,
            s.model_name,
            s.hnsw_min_vectors,
            self._embedders.reference,
            rebuild=rebuild,
            progress=progress,
        )
        self._embedders.prepare(data, rebuild=data.stats.rebuilt)
        embedder = self.embedder
        topic_vectors = embedder.encode_queries([t.query for t in self.topic_specs])
        searcher = HybridSearcher(
            data, s.rrf_k, s.candidates, s.speaker_boost, s.bm25_weight, s.paragraph_weight
        )
        anchors, anchor_vecs = anchor_vectors(s.off_topic_file, s.index_dir, embedder)
        scope = ScopeGuard(anchors, anchor_vecs, s.min_similarity, s.off_topic_margin)
        corpus = data.corpus
        self._state = _State(
            data,
            searcher,
            topic_vectors,
            data.sentence_vectors @ topic_vectors.T,
            scope,
            {(p.doc_id, p.paragraph): p.text for p in corpus.passages},
            {x.sid: x for x in corpus.sentences},
        )
        return data.stats

    def reindex(self) -> IndexStats:
        """Re-read the corpus; rebuild the index if anything changed; swap it in."""
        with self._reindex_lock:
            return self._open()

    @property
    def embedder(self) -> Embedder:
        return self._embedders.query()

    @property
    def state(self) -> _State:
        if self._state is None:
            raise RuntimeError("SummitService used before load()")
        return self._state

    @property
    def stats(self) -> IndexStats:
        return self.state.data.stats

    # ---------------------------------------------------------------------------------- queries
    def topics(self) -> list[Topic]:
        return [t.topic for t in self.topic_specs]

    def documents(self) -> list[Document]:
        return list(self.state.data.corpus.documents)

    def document(self, doc_id: str) -> Document:
        try:
            return self.state.data.corpus.document(doc_id)
        except KeyError:
            raise UserError(f"There is no document called {doc_id!r}.") from None

    def source(self, paragraph: int, doc: str | None = None) -> Passage:
        corpus = self.state.data.corpus
        doc_id = doc or corpus.documents[0].doc_id
        self.document(doc_id)
        passage = corpus.passage(doc_id, paragraph)
        if passage is None:
            count = sum(1 for p in corpus.passages if p.doc_id == doc_id)
            raise UserError(f"There is no paragraph {paragraph}: the release has paragraphs 1 to {count}.")
        return passage

    def retrieve(self, question: str, *, method: Method = "hybrid", limit: int = 10) -> SearchResult:
        """Ranked sentences for an already cleaned question (used by ask and by eval)."""
        return self._retrieve(question, method, limit)[0]

    def _retrieve(self, question: str, method: Method, limit: int) -> tuple[SearchResult, ScopeCheck]:
        state = self.state
        speaker = asked_speaker(question)
        query = without_speaker(question, speaker) if speaker else question
        vector = self.embedder.encode_queries([query])[0]
        result = state.searcher.search(query, vector, method=method, speaker=speaker, limit=limit)
        terms, found = state.data.passage_bm25.coverage(query)
        covered = terms > 0 and found == terms
        check = state.scope.check(result.confidence, vector, words_covered=covered)
        if check.in_scope and not covered:
            # Names of the people in the release make any question look like the release ("Did
            # Trump and Putin discuss Iran?"): check the rest of the question against the anchors.
            rest = without_speaker(query)
            if rest != query:
                rest_vector = self.embedder.encode_queries([rest])[0]
                rest_check = state.scope.check(state.searcher.best_similarity(rest_vector), rest_vector)
                if rest_check.off_topic - rest_check.confidence > state.scope.margin:
                    check = rest_check
        return result, check

    def ask(self, question: str, *, method: Method = "hybrid") -> Answer:
        s = self.settings
        cleaned = clean_question(question, s.max_question_chars)
        state = self.state
        result, scope = self._retrieve(cleaned, method, 10)
        speaker = result.speaker
        if not result.hits or not scope.in_scope:
            log.debug("Not answered: %s", scope.reason or "no hits")
            return Answer(
                question=cleaned,
                answered=False,
                answer=not_covered_message(self.topics()),
                suggestions=self.topics(),
                speaker=speaker,
                confidence=result.confidence,
                off_topic=scope.off_topic,
            )
        chosen = select_sentences(
            result.hits,
            state.sentences_by_sid,
            s.max_sentences,
            s.max_words,
            s.other_paragraph_similarity,
        )
        quotes, citations = cite(chosen, state.passage_texts)
        return Answer(
            question=cleaned,
            answered=True,
            answer=render_quotes(quotes),
            citations=citations,
            quotes=quotes,
            speaker=speaker,
            confidence=result.confidence,
            off_topic=scope.off_topic,
        )

    def _topic(self, topic: str) -> tuple[str, TopicSpec | None]:
        try:
            cleaned = clean_question(topic, self.settings.max_question_chars)
        except BadQuestion:
            raise UnknownTopic(topic, self.topics()) from None
        return cleaned, match_topic(cleaned, self.topic_specs)

    def summary(self, topic: str) -> Summary:
        cleaned, spec = self._topic(topic)
        return summarise(self, cleaned, spec)

    def positions(self, topic: str) -> Positions:
        cleaned, spec = self._topic(topic)
        hits = topic_hits(self, cleaned, spec, max_sentences=8)
        return split_positions(spec.name if spec else cleaned, hits, self.state.passage_texts)
