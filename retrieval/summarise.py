"""Topic summaries: 3-6 cited sentences on one topic, in the order the release tells them.

Candidates come from the hybrid search for the topic's query. For a topic from topics.toml, a
sentence qualifies only when it is closer (cosine) to this topic than to every other topic: that is
what keeps a Syria summary from drifting into Ukraine. A free-text topic takes sentences whose
similarity to it reaches the answer threshold. The best-scoring qualifying sentences are kept and
then put back in document order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retrieval.answer import cite, render_quotes
from retrieval.errors import BadQuestion
from retrieval.hybrid import Hit
from retrieval.topics import TopicSpec
from retrieval.types import Summary, Topic

if TYPE_CHECKING:
    from retrieval.service import SummitService

MAX_SENTENCES = 6
# A sentence of a known topic must be at least this similar to the topic's query ...
TOPIC_FLOOR = 0.25
# ... and a sentence of a free-text topic at least this fraction of the answer threshold.
FREE_TEXT_RATIO = 0.85


class UnknownTopic(BadQuestion):
    def __init__(self, topic: str, topics: list[Topic]) -> None:
        shown = " ".join((topic or "").split())[:80]
        names = ", ".join(t.name for t in topics)
        lead = f"The release has nothing on {shown!r}." if shown.strip() else "Please name a topic."
        super().__init__(f"{lead} Topics: {names}.")
        self.topics = topics


def topic_hits(
    service: SummitService, topic_text: str, spec: TopicSpec | None, max_sentences: int = MAX_SENTENCES
) -> list[Hit]:
    """The best qualifying sentences on a topic, in document order (see the module docstring)."""
    state = service.state
    sentences = state.data.corpus.sentences
    query = spec.query if spec else topic_text
    vector = service.embedder.encode_queries([query])[0]
    result = state.searcher.search(query, vector, limit=len(sentences))
    if spec is not None:
        j = service.topic_specs.index(spec)
        sims = state.sentence_topic_sims
        own = (np.argmax(sims, axis=1) == j) & (sims[:, j] >= TOPIC_FLOOR)
        on_topic = {sentences[i].sid for i in np.flatnonzero(own)}
        qualifies = [h for h in result.hits if h.sentence.sid in on_topic]
    else:
        floor = FREE_TEXT_RATIO * service.settings.min_similarity
        qualifies = [h for h in result.hits if h.dense >= floor]
    if not qualifies:
        raise UnknownTopic(topic_text, service.topics())
    chosen = qualifies[:max_sentences]
    chosen.sort(key=lambda h: (h.sentence.doc_id, h.sentence.paragraph, h.sentence.index))
    return chosen


def summarise(service: SummitService, topic_text: str, spec: TopicSpec | None) -> Summary:
    """Up to MAX_SENTENCES cited sentences; fewer only when the release says no more on the topic."""
    quotes, citations = cite(topic_hits(service, topic_text, spec), service.state.passage_texts)
    return Summary(
        topic=spec.name if spec else topic_text,
        summary=render_quotes(quotes),
        citations=citations,
        quotes=quotes,
        known=spec is not None,
    )
