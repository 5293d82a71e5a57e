"""Topic summaries: 3-6 cited sentences on one topic, in the order the release tells them.

Pure functions over ranked hits. Candidates come from the hybrid search for the topic's query
(the service runs it). For a topic of the corpus profile, a sentence qualifies only when it is closer
(cosine) to this topic than to every other topic — what keeps a Syria summary from drifting into
Ukraine; ``TopicTable`` computes that once per index. A free-text topic takes sentences whose
similarity to it reaches ``FREE_TEXT_RATIO`` of the answer threshold. The best-scoring qualifying
sentences are kept and then put back in document order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from config.errors import BadQuestion
from retrieval.answer import FURTHER_MIN_RATIO, cite, is_introducer, leans_on_previous, render_quotes
from retrieval.hybrid import Hit
from retrieval.topics import TopicSpec
from retrieval.types import Sentence, Summary, Topic

MAX_SENTENCES = 6
# A sentence of a known topic must be at least this similar to the topic's query ...
TOPIC_FLOOR = 0.25
# ... and a sentence of a free-text topic at least this fraction of the answer threshold.
FREE_TEXT_RATIO = 0.85
# ... or score (hybrid) at least this fraction of the best, as an answer's further sentence must
# (answer.FURTHER_MIN_RATIO): a long sentence on the subject has a low cosine ("moving on from the
# past": the lead, 0.10, third by score). Summaries 380 -> 382 of 389, leaving each set out; 0.5
# and 0.6 read the same, 0.7 380.
FREE_TEXT_SCORE_RATIO = FURTHER_MIN_RATIO
# Free text is summarised from one known topic's sentences when it is this much closer to that
# topic's query than to any other topic's; otherwise from the sentences this close to its best one.
NEAREST_MARGIN = 0.05
# ... and at least this similar to it: below, free text is near no topic at all ("the first lady
# interrupting story" is 0.16 from North Korea's query, 0.10 from the next).
NEAREST_FLOOR = 0.2
FREE_TEXT_SPREAD = 0.15


class UnknownTopic(BadQuestion):
    def __init__(self, topic: str, topics: list[Topic], short: str = "release") -> None:
        shown = " ".join((topic or "").split())[:80]
        names = ", ".join(t.name for t in topics)
        lead = f"The {short} has nothing on {shown!r}." if shown.strip() else "Please name a topic."
        super().__init__(f"{lead} Topics: {names}.")
        self.topics = topics


class TopicTable:
    """Which sentences belong to which known topic, computed once per index: a sentence belongs
    to the topic whose query it is most similar to, when that similarity reaches TOPIC_FLOOR; a
    sentence about what the one before it says (``leans_on_previous``: "Both sides did agree on
    establishing firm mutual commitments to avoid such activity", after the hacking sentences)
    belongs where that one does."""

    def __init__(
        self,
        specs: Sequence[TopicSpec],
        sentences: Sequence[Sentence],
        sims: np.ndarray,
        vectors: np.ndarray | None = None,
    ) -> None:
        """``sims``: (n_sentences, n_topics) cosines, columns in the order of ``specs``;
        ``vectors``: the topics' query vectors (rows in that order), to place free text."""
        self.specs = list(specs)
        self.vectors = vectors
        owner = np.argmax(sims, axis=1) if len(sentences) else np.zeros(0, dtype=np.int64)
        near = sims[np.arange(len(owner)), owner] >= TOPIC_FLOOR if len(owner) else np.zeros(0, dtype=bool)
        for i in range(1, len(sentences)):  # in document order, so a chain follows its first sentence
            before, this = sentences[i - 1], sentences[i]
            same = (before.doc_id, before.paragraph) == (this.doc_id, this.paragraph)
            if same and leans_on_previous(this.text):
                owner[i], near[i] = owner[i - 1], near[i - 1] or near[i]
        self.members: list[frozenset[str]] = []
        for j in range(len(self.specs)):
            own = (owner == j) & near
            self.members.append(frozenset(sentences[int(i)].sid for i in np.flatnonzero(own)))

    def on_topic(self, spec: TopicSpec) -> frozenset[str]:
        return self.members[self.specs.index(spec)]

    def nearest(self, vector: np.ndarray) -> tuple[TopicSpec, float] | None:
        """The known topic free text is about and its cosine with the topic's query, when the
        text is clearly closer to that topic than to the others (by ``NEAREST_MARGIN``) and at
        least ``NEAREST_FLOOR``; else None."""
        if self.vectors is None or len(self.specs) < 2:
            return None
        sims = self.vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        first, second = np.argsort(-sims)[:2]
        if sims[first] >= NEAREST_FLOOR and sims[first] - sims[second] >= NEAREST_MARGIN:
            return self.specs[int(first)], float(sims[first])
        return None


def topic_sentences(
    hits: Sequence[Hit],
    on_topic: frozenset[str] | None,
    free_text_floor: float,
    max_sentences: int = MAX_SENTENCES,
) -> list[Hit]:
    """The best qualifying hits, in document order (empty when none qualifies). ``on_topic``:
    the sentence ids of a known topic; None for a free-text topic, whose hits must reach
    ``free_text_floor`` (dense cosine) or score nearly as well as the best (see
    ``FREE_TEXT_SCORE_RATIO``)."""
    hits = [h for h in hits if not is_introducer(h.sentence.text)]
    if on_topic is not None:
        qualifies = [h for h in hits if h.sentence.sid in on_topic]
    else:
        best = max((h.dense for h in hits), default=0.0)
        floor = max(free_text_floor, best - FREE_TEXT_SPREAD)
        top = max((h.score for h in hits), default=0.0)
        qualifies = [h for h in hits if h.dense >= floor or h.score >= FREE_TEXT_SCORE_RATIO * top]
    chosen = qualifies[:max_sentences]
    chosen.sort(key=lambda h: (h.sentence.doc_id, h.sentence.paragraph, h.sentence.index))
    return chosen


def summarise(
    topic: str, hits: Sequence[Hit], passage_text: dict[tuple[str, int], str], *, known: bool
) -> Summary:
    """A summary quoting ``hits`` (from ``topic_sentences``) and citing their paragraphs."""
    quotes, citations = cite(hits, passage_text)
    return Summary(
        topic=topic, summary=render_quotes(quotes), citations=citations, quotes=quotes, known=known
    )


def central_sentence(sentences: Sequence[Sentence], vectors: np.ndarray) -> int | None:
    """The index of the sentence nearest (cosine) the centroid of all sentences — the one that
    says most of what the whole collection says, for a request for its gist; introducers
    ("Tillerson said,") aside. None without sentences."""
    rows = [i for i, s in enumerate(sentences) if not is_introducer(s.text)]
    if not rows:
        return None
    v = np.asarray(vectors, dtype=np.float32)[rows]
    centroid = v.mean(axis=0)
    return rows[int(np.argmax(v @ centroid))]
