"""SummitService: the facade that runs the stages for both front ends (CLI/console and Discord).

question -> ``query.parse_query`` -> ``hybrid.HybridSearcher.search`` -> ``answerability.Judge``
-> composition (``answer``, ``summarise``, ``positions``). Front ends reach it only through
``retrieval.api``.

Synchronous and CPU-bound: the Discord layer calls it through ``asyncio.to_thread``. ``reindex``
builds a complete new state and swaps it in with one assignment, so questions answered while it
runs see either the old index or the new one, never a mix.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np

from config.errors import BadQuestion, UserError
from config.settings import Settings
from retrieval.answer import cite, not_covered_message, render_quotes, select_sentences
from retrieval.answerability import Decision, Evidence, Judge, Thresholds, anchor_vectors
from retrieval.backends import EmbedderChooser
from retrieval.embedder import Embedder
from retrieval.hybrid import Hit, HybridSearcher, Method, SearchResult
from retrieval.index import IndexData, open_index
from retrieval.positions import split_positions
from retrieval.query import Query, clean_question, parse_query
from retrieval.summarise import (
    FREE_TEXT_RATIO,
    MAX_SENTENCES,
    TopicTable,
    UnknownTopic,
    summarise,
    topic_sentences,
)
from retrieval.topics import TopicSpec, load_topics, match_topic
from retrieval.types import Answer, Document, IndexStats, Passage, Positions, Sentence, Summary, Topic

log = logging.getLogger(__name__)


@dataclass
class _State:
    """Everything built once per index (never per question)."""

    data: IndexData
    searcher: HybridSearcher
    topics: TopicTable
    judge: Judge
    passage_texts: dict[tuple[str, int], str]
    sentences_by_sid: dict[str, Sentence]


class SummitService:
    def __init__(self, settings: Settings, embedder_factory: EmbedderChooser | None = None) -> None:
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
        anchors, anchor_vecs = anchor_vectors(s.off_topic_file, s.index_dir, embedder)
        thresholds = Thresholds(s.answer.min_similarity, s.answer.off_topic_margin)
        corpus = data.corpus
        self._state = _State(
            data=data,
            searcher=HybridSearcher(data, s.retrieval),
            topics=TopicTable(self.topic_specs, corpus.sentences, data.sentence_vectors @ topic_vectors.T),
            judge=Judge(anchors, anchor_vecs, thresholds),
            passage_texts={(p.doc_id, p.paragraph): p.text for p in corpus.passages},
            sentences_by_sid={x.sid: x for x in corpus.sentences},
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

    @property
    def query_backend(self) -> str:
        return self.embedder.backend

    # ---------------------------------------------------------------------------------- lookups
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

    # ----------------------------------------------------------------------------------- stages
    def _search(self, query: Query, method: Method, limit: int) -> tuple[SearchResult, np.ndarray]:
        vector = self.embedder.encode_queries([query.search_text])[0]
        result = self.state.searcher.search(
            query.search_text, vector, method=method, speaker=query.speaker, limit=limit
        )
        return result, vector

    def _judge(
        self, query: Query, result: SearchResult, vector: np.ndarray, *, full: bool = False
    ) -> tuple[Evidence, Decision]:
        state = self.state
        terms, found = state.data.passage_bm25.coverage(query.search_text)

        def without_names() -> tuple[float, np.ndarray] | None:
            rest = query.without_people
            if rest == query.search_text:
                return None
            rest_vector = self.embedder.encode_queries([rest])[0]
            return state.searcher.best_similarity(rest_vector), rest_vector

        return state.judge.assess(
            result.confidence, vector, terms > 0 and found == terms, without_names, full=full
        )

    def retrieve(self, question: str, *, method: Method = "hybrid", limit: int = 10) -> SearchResult:
        """Ranked sentences for an already cleaned question (used by eval)."""
        return self._search(parse_query(question), method, limit)[0]

    def evidence(self, question: str, *, method: Method = "hybrid") -> Evidence:
        """The whole answerability evidence for a question (eval sweeps thresholds over it)."""
        query = parse_query(clean_question(question, self.settings.answer.max_question_chars))
        result, vector = self._search(query, method, 10)
        return self._judge(query, result, vector, full=True)[0]

    def ask(self, question: str, *, method: Method = "hybrid") -> Answer:
        a = self.settings.answer
        query = parse_query(clean_question(question, a.max_question_chars))
        state = self.state
        result, vector = self._search(query, method, 10)
        _, decision = self._judge(query, result, vector)
        if not result.hits or not decision.answerable:
            log.debug("Not answered: %s", decision.reason or "no hits")
            return Answer(
                question=query.text,
                answered=False,
                answer=not_covered_message(self.topics()),
                suggestions=self.topics(),
                speaker=result.speaker,
                confidence=result.confidence,
                off_topic=decision.off_topic,
            )
        chosen = select_sentences(
            result.hits, state.sentences_by_sid, a.max_sentences, a.max_words, a.other_paragraph_similarity
        )
        quotes, citations = cite(chosen, state.passage_texts)
        return Answer(
            question=query.text,
            answered=True,
            answer=render_quotes(quotes),
            citations=citations,
            quotes=quotes,
            speaker=result.speaker,
            confidence=result.confidence,
            off_topic=decision.off_topic,
        )

    def _topic_hits(self, topic: str, max_sentences: int) -> tuple[str, TopicSpec | None, list[Hit]]:
        try:
            cleaned = clean_question(topic, self.settings.answer.max_question_chars)
        except BadQuestion:
            raise UnknownTopic(topic, self.topics()) from None
        spec = match_topic(cleaned, self.topic_specs)
        state = self.state
        text = spec.query if spec else cleaned
        vector = self.embedder.encode_queries([text])[0]
        result = state.searcher.search(text, vector, limit=len(state.data.corpus.sentences))
        on_topic = state.topics.on_topic(spec) if spec else None
        floor = FREE_TEXT_RATIO * self.settings.answer.min_similarity
        hits = topic_sentences(result.hits, on_topic, floor, max_sentences)
        if not hits:
            raise UnknownTopic(cleaned, self.topics())
        return cleaned, spec, hits

    def summary(self, topic: str) -> Summary:
        cleaned, spec, hits = self._topic_hits(topic, MAX_SENTENCES)
        name = spec.name if spec else cleaned
        return summarise(name, hits, self.state.passage_texts, known=spec is not None)

    def positions(self, topic: str) -> Positions:
        cleaned, spec, hits = self._topic_hits(topic, 8)
        return split_positions(spec.name if spec else cleaned, hits, self.state.passage_texts)
