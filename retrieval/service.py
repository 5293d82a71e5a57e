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
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from config.errors import BadQuestion, UserError
from config.settings import ROOT, Settings
from retrieval.answer import (
    ADDITIONAL_MIN_RATIO,
    TYPED_CANDIDATES,
    choose_sentences,
    cite,
    is_comparison,
    not_covered_message,
    render_quotes,
)
from retrieval.answer_types import (
    CHECKABLE,
    NOT_STATED,
    asks_gist,
    asks_precisely,
    asks_verbatim,
    counted,
    defined_name,
    expected_type,
    focus_words,
    holds,
    question_form,
    titled,
    whole_terms,
)
from retrieval.answerability import (
    Calibration,
    Decision,
    Evidence,
    Judge,
    Signals,
    Thresholds,
    anchor_vectors,
    coverage_of,
    load_calibration,
)
from retrieval.backends import EmbedderChooser
from retrieval.bank import QuestionBank, Recall, bank_files, load_bank
from retrieval.documents import read_documents
from retrieval.embedder import Embedder
from retrieval.followup import Turn, content_words, rewrite_followup
from retrieval.hybrid import Hit, HybridSearcher, Method, SearchResult
from retrieval.index import IndexData, open_index
from retrieval.intent import classify
from retrieval.lexical import query_tokens, tokenize
from retrieval.parts import split_parts
from retrieval.positions import SideTable, split_positions
from retrieval.profile import Profile, load_profile
from retrieval.query import Query, clean_question, heard_from, parse_query
from retrieval.speakers import Speakers, heard_names, quoted_speakers
from retrieval.spelling import Speller
from retrieval.summarise import (
    FREE_TEXT_RATIO,
    MAX_SENTENCES,
    TopicTable,
    UnknownTopic,
    central_sentence,
    summarise,
    topic_sentences,
)
from retrieval.topics import TopicSpec, match_topic, mentioned_topic
from retrieval.types import (
    Answer,
    AnswerPart,
    Collection,
    Coverage,
    Document,
    IndexStats,
    Passage,
    Positions,
    Sentence,
    Summary,
    Topic,
)

log = logging.getLogger(__name__)


@dataclass
class _State:
    """Everything built once per index (never per question)."""

    data: IndexData
    profile: Profile  # topics, people, sides, off-topic anchors (generic without a profile file)
    speakers: Speakers
    sides: SideTable
    searcher: HybridSearcher
    topics: TopicTable
    judge: Judge
    passage_texts: dict[tuple[str, int], str]
    sentences_by_sid: dict[str, Sentence]
    sentence_terms: dict[str, frozenset[str]]  # a sentence's text -> its BM25 terms
    speller: Speller
    calibration: Calibration | None
    heard: frozenset[str]  # names some sentence lets speak or state a position (lower case)
    verbatim: frozenset[str]  # the speakers some sentence quotes word for word
    bank: QuestionBank  # questions asked before, with what answered them (may be empty)
    central: int | None  # the sentence that gives the gist of the whole collection (its index)
    whole: frozenset[str]  # the terms that leave a gist request without a subject (see asks_gist)
    name_terms: frozenset[str]  # the search terms of the names the documents use


@dataclass
class _Part:
    """One part of a question on its way through the stages."""

    text: str
    coverage: Coverage
    probability: float
    hits: list[Hit]  # the quoted sentences (the answer, or related ones)
    note: str
    result: SearchResult
    signals: Signals


class SummitService:
    def __init__(self, settings: Settings, embedder_factory: EmbedderChooser | None = None) -> None:
        self.settings = settings
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
        profile = load_profile(s.corpus_dir, read_documents(s.corpus_dir), s.profile_file)
        data = open_index(
            s.corpus_dir,
            s.index_dir,
            s.model_name,
            s.hnsw_min_vectors,
            self._embedders.reference,
            people=profile.people,
            rebuild=rebuild,
            progress=progress,
        )
        self._embedders.prepare(data, rebuild=data.stats.rebuilt)
        embedder = self.embedder
        specs = list(profile.topics)
        topic_vectors = embedder.encode_queries([t.query for t in specs])
        anchors, anchor_vecs = anchor_vectors(profile.off_topic, s.index_dir, embedder)
        thresholds = Thresholds(s.answer.min_similarity, s.answer.off_topic_margin)
        corpus = data.corpus
        speakers = Speakers(profile.people)
        speller = Speller([x.text for x in corpus.sentences], profile.names)

        def search_text(question: str) -> tuple[str, str | None]:
            try:
                cleaned = clean_question(question, s.answer.max_question_chars)
            except BadQuestion:
                return "", None
            query = parse_query(speller.correct(cleaned).text, speakers)
            return query.search_text, query.speaker

        bank = load_bank(
            bank_files(s.retrieval.question_bank, ROOT),
            corpus.sentences,
            search_text,
            s.index_dir,
            embedder,
            words=profile.names,
            neighbours=s.retrieval.bank_neighbours,
            temperature=s.retrieval.bank_temperature,
            known_similarity=s.answer.known_question_similarity,
        )
        self._state = _State(
            data=data,
            profile=profile,
            speakers=speakers,
            sides=SideTable(profile),
            searcher=HybridSearcher(data, s.retrieval),
            topics=TopicTable(
                specs, corpus.sentences, data.sentence_vectors @ topic_vectors.T, topic_vectors
            ),
            judge=Judge(anchors, anchor_vecs, thresholds, subjects=topic_vectors),
            passage_texts={(p.doc_id, p.paragraph): p.text for p in corpus.passages},
            sentences_by_sid={x.sid: x for x in corpus.sentences},
            sentence_terms={
                x.text: frozenset(t)
                for x, t in zip(corpus.sentences, tokenize([x.text for x in corpus.sentences]), strict=True)
            },
            speller=speller,
            calibration=load_calibration(s.answerability_file),
            heard=heard_names(corpus.sentences),
            verbatim=quoted_speakers(corpus.sentences),
            bank=bank,
            central=central_sentence(corpus.sentences, data.sentence_vectors),
            whole=whole_terms(query_tokens, profile.collection.title),
            name_terms=frozenset(query_tokens(" ".join(sorted(speller.proper)))),
        )
        return data.stats

    def reindex(self) -> IndexStats:
        """Re-read the corpus and its profile (topics, people, sides, off-topic subjects); rebuild
        the index if anything changed; swap it all in."""
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
    @property
    def topic_specs(self) -> list[TopicSpec]:
        return list(self.state.profile.topics)

    def collection(self) -> Collection:
        """How replies and help name the documents."""
        return self.state.profile.collection

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
            short = self.collection().short
            raise UserError(f"There is no paragraph {paragraph}: the {short} has paragraphs 1 to {count}.")
        return passage

    # ----------------------------------------------------------------------------------- stages
    def _search(self, query: Query, method: Method, limit: int) -> tuple[SearchResult, np.ndarray, Recall]:
        # The work that needs no query vector comes first: right after the encoder has run, the
        # CPU's caches hold its weights and Python code runs slower (0.7 ms a question, measured).
        lexical = self.state.searcher.lexical(query.search_text)
        form = question_form(query.search_text)
        vector = self.embedder.encode_queries([query.search_text])[0]
        recall = self.state.bank.recall(vector, query.speaker, form)
        result = self.state.searcher.search(
            query.search_text,
            vector,
            method=method,
            speaker=query.speaker,
            limit=limit,
            votes=recall.votes,
            lexical=lexical,
        )
        return result, vector, recall

    @contextmanager
    def without_bank_source(self, source: str) -> Iterator[None]:
        """Answer without the question bank's questions from the file named ``source`` (eval
        measures a set that is in the bank against the rest of it). Not for concurrent use."""
        state = self.state
        self._state = replace(state, bank=state.bank.without(source))
        try:
            yield
        finally:
            self._state = state

    def _judge(
        self,
        query: Query,
        result: SearchResult,
        vector: np.ndarray,
        *,
        full: bool = False,
        coverage: tuple[int, int] | None = None,
        holding: frozenset[str] | None = None,
    ) -> tuple[Evidence, Decision]:
        """``coverage``: (terms, terms found) of the search text, and ``holding`` (see
        ``_holding_every_word``), when the caller has them already."""
        state = self.state
        terms, found = coverage or state.data.passage_bm25.coverage(query.search_text)
        if holding is None:
            holding = self._holding_every_word(query, result)

        def without_names() -> tuple[float, np.ndarray] | None:
            rest = query.without_people
            if rest == query.search_text:
                return None
            rest_vector = self.embedder.encode_queries([rest])[0]
            return state.searcher.best_similarity(rest_vector), rest_vector

        return state.judge.assess(
            result.confidence,
            vector,
            terms > 0 and found == terms,
            without_names,
            full=full,
            in_one_sentence=bool(holding),
        )

    def _holding_every_word(self, query: Query, result: SearchResult) -> frozenset[str]:
        """The sentences (texts) that hold every content word of the question (at least two), for
        a question the similarity floor would refuse; empty for any other (not looked up)."""
        if result.confidence >= self.state.judge.thresholds.min_similarity:
            return frozenset()
        terms = frozenset(query_tokens(" ".join(_content_words(query.text)))) - {""}
        if len(terms) < 2:
            return frozenset()
        return frozenset(text for text, held in self.state.sentence_terms.items() if terms <= held)

    def retrieve(self, question: str, *, method: Method = "hybrid", limit: int = 10) -> SearchResult:
        """Ranked sentences for an already cleaned question (used by eval)."""
        return self._search(parse_query(question, self.state.speakers), method, limit)[0]

    def evidence(self, question: str, *, method: Method = "hybrid") -> Evidence:
        """The whole answerability evidence for a question (eval sweeps thresholds over it)."""
        cleaned = clean_question(question, self.settings.answer.max_question_chars)
        query = parse_query(cleaned, self.state.speakers)
        result, vector, _ = self._search(query, method, 10)
        return self._judge(query, result, vector, full=True)[0]

    def signals(self, question: str, *, method: Method = "hybrid") -> Signals:
        """What the calibrated decision sees for one single-part question (``eval --fit``)."""
        cleaned = clean_question(question, self.settings.answer.max_question_chars)
        text = self.state.speller.correct(cleaned).text
        return self._part(text, None, method).signals

    def _part(
        self,
        text: str,
        context: str | None,
        method: Method,
        quoted: frozenset[str] = frozenset(),
        subject: str = "",
        *,
        last: bool = True,
    ) -> _Part:
        """Search, judge and compose one part. ``context``: the subject of the part before it
        (its words without people's names), which a later part refers to with a pronoun ("who
        agreed to maintain it?") or leaves out ("what does trump want", after a North Korea part);
        a pronoun or "what about" part is first tried without it (``_part_alone``). ``quoted``: the
        sentences earlier parts quote; a part answered by one of them quotes its own next best
        sentence instead when that is nearly as good (it asks something else), else none.
        ``last``: no part comes after it (only then does a reply join its answer: a part after
        it may ask for the reply itself)."""
        state, a = self.state, self.settings.answer
        short = state.profile.collection.short
        query = parse_query(text, state.speakers)
        own_text = query.search_text  # the part's own words, not the part before's

        own_words: list[frozenset[str]] = []  # tokenised when first asked

        def holds_own_words(sentence: str) -> bool:
            """Whether ``sentence`` holds every word of the part's own, stop words aside (asked only
            when an earlier part quotes the part's best sentence)."""
            if not own_words:
                own_words.append(frozenset(query_tokens(" ".join(_content_words(own_text)))))
            return own_words[0] <= state.sentence_terms.get(sentence, frozenset())

        if subject:  # "ukraine: ... who announced the envoy?": the subject all the parts are about
            query = Query(query.text, query.speaker, f"{query.search_text} ({subject})", state.speakers)
        elif context and (_PRONOUN.search(text) or self._elliptic(query)):
            query = Query(query.text, query.speaker, f"{query.search_text} ({context})", state.speakers)
        # What the question's words alone decide is worked out before the search (see _search).
        terms, found = state.data.passage_bm25.coverage(query.search_text)
        kind = expected_type(text)
        precise, counts = asks_precisely(text), counted(text)
        defined = defined_name(query.search_text)
        if defined and defined.lower() not in state.speller.proper:
            defined = None  # "who is the new envoy": not a name of the release
        unknown_focus = [w for w in focus_words(text) if not state.data.passage_bm25.knows(w)]
        unquoted = None if query.speaker else self._unquoted_name(text)
        # "what did putin say word for word": the release reports Putin, it never quotes him
        reported = None
        if asks_verbatim(text):  # whose words: the asked speaker, or the one person it names
            named = [query.speaker] if query.speaker else state.speakers.named(text)
            if len(named) == 1 and named[0] not in state.verbatim:
                reported = named[0]
        question_terms = frozenset(query_tokens(query.search_text))
        comparison = is_comparison(text)
        # "tldr of the whole summit": the sentence nearest the whole's centroid
        central = None if query.speaker else state.central
        if central is not None and not asks_gist(text, query_tokens, state.whole):
            central = None
        result, vector, recall = self._search(query, method, 10)
        holding = self._holding_every_word(query, result)
        evidence, rule = self._judge(query, result, vector, coverage=(terms, found), holding=holding)
        if holding and rule.answerable:
            # Answered because one sentence holds all its words: that sentence is the answer.
            first = [h for h in result.hits if h.sentence.text in holding]
            result = replace(result, hits=first + [h for h in result.hits if h not in first])
        # The kind of answer asked is there when a sentence the answer could be holds it: one of
        # the few best, scoring at least half as well as the best, as the answer must ("how long
        # did the hacking discussion go": the meeting's "35 minutes", fifth at 0.46 of the best's
        # score, does not answer it).
        best = [
            h
            for h in result.hits[:TYPED_CANDIDATES]
            if h.score >= ADDITIONAL_MIN_RATIO * result.hits[0].score
        ]
        type_missing = kind in CHECKABLE and not any(
            holds(kind, h.sentence.text, precise=precise, counted=counts) for h in best
        )
        top = result.hits[0] if result.hits else None
        others = [h.dense for h in result.hits if top and h.sentence.paragraph != top.sentence.paragraph]
        support = recall.support
        supported = bool(
            top
            and support
            and state.data.corpus.sentences[support.sentence].sid == top.sentence.sid
            and support.answered >= a.bank_support_similarity
            and support.answered - support.unanswered >= a.bank_support_margin
        )
        signals = Signals(
            evidence=evidence,
            rule=rule,
            margin=(top.dense - max(others, default=0.0)) if top else 0.0,
            agree=result.lexical_paragraph is not None and result.lexical_paragraph == result.dense_paragraph,
            covered=found / terms if terms else 0.0,
            detail_missing=type_missing or bool(unknown_focus) or bool(unquoted) or bool(reported),
            known=recall.known,
            supported=supported,
        )
        coverage, probability = coverage_of(signals, state.calibration, state.judge.thresholds)
        if central is not None:
            coverage = "full"
        elif not result.hits:
            coverage = "none"
        hits: list[Hit] = []
        note = ""
        if central is not None:
            hits = [self._central_hit(central, vector)]
        elif coverage == "full":
            hits = choose_sentences(
                _unquoted_hits(
                    result.hits,
                    quoted,
                    NEXT_UNQUOTED_RATIO,
                    holds_own_words,
                ),
                state.sentences_by_sid,
                max_words=a.max_words,
                max_sentences=a.max_sentences,
                wants=(lambda t: titled(defined, t))
                if defined
                else (lambda t: holds(kind, t, precise=precise)),
                question_terms=question_terms,
                terms_of=lambda t: state.sentence_terms.get(t, frozenset()),
                side_of=lambda s: state.sides.side_of(s.text, s.speaker, s.quoted),
                comparison=comparison,
                speaker_asked=query.speaker is not None,
                other_paragraph_similarity=a.other_paragraph_similarity,
                name_terms=state.name_terms,
                with_reply=last,
            )
        elif coverage == "partial":
            hits = choose_sentences(
                result.hits, state.sentences_by_sid, max_words=a.max_words, max_sentences=a.max_sentences
            )
            what = NOT_STATED.get(kind)
            if unquoted:
                note = f"The {short} does not quote {unquoted}; it only mentions them:"
            elif reported:
                note = f"The {short} does not quote {reported} word for word; it reports what was said:"
            elif unknown_focus:
                note = f"The {short} does not mention the {unknown_focus[0]} you ask about in “{text}”."
            elif type_missing and what:
                note = f"The {short} does not say {what}: nothing in it answers “{text}”."
            else:
                note = f"The {short} does not answer “{text}” exactly."
        else:
            note = f"The {short} does not cover “{text}”."
        return _Part(text, coverage, probability, hits, note, result, signals)

    def _central_hit(self, row: int, vector: np.ndarray) -> Hit:
        """The gist sentence (row ``row`` of the corpus) as a hit for the question's ``vector``."""
        state = self.state
        v = vector.reshape(-1)
        passage = state.searcher.sentence_passage[row]
        return Hit(
            state.data.corpus.sentences[row],
            1.0,
            float(np.asarray(state.data.sentence_vectors[row], dtype=np.float32) @ v),
            float(np.asarray(state.data.passage_vectors[passage], dtype=np.float32) @ v),
        )

    def _part_alone(
        self,
        text: str,
        method: Method,
        quoted: frozenset[str],
        *,
        what_about: bool = False,
        last: bool = True,
        near: int | None = None,
    ) -> _Part | None:
        """A later part with a pronoun but words of its own ("did tillerson say they rehashed the
        past?"), or a "what about Y" ("..., and what about the cyber stuff"), answered in full
        without the part before: then it did not need that part's subject (a second encode only
        when it did: "did anyone bring up military options, and what about haley"). An elliptic
        part that still has words of its own, in or out of the release ("did they rehash the past",
        after "how did the two leaders get along"), is kept alone only when its best sentence lies
        in ``near``, the paragraph the part before answered from: it is on that subject already,
        and the part before's words would only outweigh its own ("unhappy about the past")."""
        query = parse_query(text, self.state.speakers)
        elliptic = self._elliptic(query)
        pronoun = _PRONOUN.search(text) and not elliptic
        own = elliptic and near is not None and bool(content_words(text, self.state.speakers))
        if not (pronoun or what_about or own):
            return None
        alone = self._part(text, None, method, quoted, last=last)
        if alone.coverage != "full":
            return None
        if pronoun or what_about:
            return alone
        top = alone.hits[0].sentence.paragraph if alone.hits else None
        return alone if top == near else None

    def _elliptic(self, query: Query) -> bool:
        """A part with at most one word of its own the release uses, people's names aside ("what
        does trump want", "what did tillerson point to instead"): its subject is the part before."""
        bm25 = self.state.data.passage_bm25
        words = _content_words(query.without_people)
        return sum(bm25.knows(w) for w in words) <= 1

    def _name_only(self, text: str, before: str) -> str:
        """A part that is only a person's name ("whats the us position on assad? and putins?"):
        the part before, asked of that person ("what is Putin's position on assad?", or "according
        to Putin, what is the us position on assad?"). Any other part is returned as it is."""
        bare = _NAME_ONLY.sub("", text).strip(" ?!.,")
        name = self.state.speakers.canonical(bare) or (
            self.state.speakers.canonical(bare[:-1]) if bare.lower().endswith("s") else None
        )
        return text if name is None else self.state.speakers.with_person(before, name)

    def _person_for_pronoun(self, text: str, before: str) -> str:
        """A later part's "he"/"him" (or "his") as the one person the part before names, when
        the part does not name them itself ("did putin deny the hacking? and did trump believe
        him" -> "... did trump believe Putin"): the search then looks for that person, not for
        the part before's other words."""
        speakers = self.state.speakers
        named = speakers.named(before) or self._who_is(before)
        if len(named) != 1 or named[0] in speakers.named(text) or named[0].lower() in text.lower():
            return text
        name = named[0]
        return _PERSON_PRONOUN.sub(
            lambda m: f"{name}’s" if m.group(0).lower() == "his" else name, text, count=1
        )

    def _who_is(self, text: str) -> list[str]:
        """The name a "who is X" question asks about, when the documents use it as a name ("whos
        volker and what is his job": "his" is Volker's, though the release never quotes him)."""
        m = _WHO_IS.match(text.strip())
        if not m or m.group("name").lower() not in self.state.speller.proper:
            return []
        return [m.group("name")[:1].upper() + m.group("name")[1:]]

    def _unquoted_name(self, text: str) -> str | None:
        """Someone the release names, whose words the question asks for, but whom it neither
        quotes nor reports a position of ("what did Nikki Haley say?"; not "what did Russia
        say", which "Russia requested ..." answers): the name, as the release spells it."""
        name = heard_from(text)
        if not name:
            return None
        words = name.replace("’s", "").replace("'s", "").split()
        proper = self.state.speller.proper
        if not all(w.lower().strip(".") in proper for w in words) or any(
            w.lower().strip(".") in self.state.heard for w in words
        ):
            return None
        return " ".join(w[:1].upper() + w[1:] for w in words)

    def rewrite_followup(self, question: str, turns: Sequence[Turn]) -> str:
        """A follow-up as a standalone question, with this corpus's people (see followup.py)."""
        return rewrite_followup(question, turns, self.state.speakers)

    def _one_subject(self, texts: list[str]) -> bool:
        """Whether BM25 puts the parts of an "about X and Y" split in one paragraph (no encode):
        then they are one subject ("Syria and ISIS") and the question stays whole."""
        firsts = set()
        for part in texts:
            ids, _ = self.state.data.passage_bm25.search(part, 1)
            if not len(ids):
                return False
            firsts.add(int(ids[0]))
        return len(firsts) == 1

    def _lead_subject(self, text: str) -> str:
        """The subject before the parts' colon or dash ("ukraine: ...") when every word of it is
        one the documents use ("quick rundown pls: ..." is a request, not a subject)."""
        words = _content_words(text)
        knows = self.state.data.passage_bm25.knows
        return text if words and all(knows(w) for w in words) else ""

    @staticmethod
    def _mentions(text: str, subject: str) -> bool:
        """Whether ``text`` holds every search term of ``subject`` already."""
        return set(query_tokens(subject)) <= set(query_tokens(text))

    def _remark(self, text: str) -> bool:
        """A later part that asks nothing: a word or two of comment after the question ("... on
        the hacking?? wild"), none of them a word the documents use, and no question mark. Not an
        item of a list: "syria / ukraine / nk" asks about each."""
        words = _content_words(text)
        knows = self.state.data.passage_bm25.knows
        return (
            "?" not in text
            and len(text.split()) <= REMARK_MAX_WORDS
            and not _QUESTION_WORD.match(text)
            and not any(knows(w) for w in words)
        )

    def _split(self, text: str, method: Method) -> list[_Part]:
        split = split_parts(text)
        if not split.tentative and any(self._remark(t) for t in split.texts[1:]):
            keep = [0] + [i for i, t in enumerate(split.texts) if i and not self._remark(t)]
            split = replace(
                split,
                texts=[split.texts[i] for i in keep],
                what_about=tuple(split.what_about[i] for i in keep if i < len(split.what_about)),
            )
            text = split.texts[0] if len(keep) == 1 else text
        if len(split.texts) == 1 or (
            split.tentative and not split.enumerated and self._one_subject(split.texts)
        ):
            return [self._part(text, None, method)]
        parts: list[_Part] = []
        quoted: frozenset[str] = frozenset()
        subject = self._lead_subject(split.subject)
        for index, part_text in enumerate(split.texts):
            last = index == len(split.texts) - 1
            part = None
            context = None
            if parts:
                before = parse_query(parts[-1].text, self.state.speakers)
                # The items of "about X, Y and Z" name their own subjects.
                context = None if split.tentative else before.without_people
                part_text = self._person_for_pronoun(self._name_only(part_text, before.text), before.text)
                what_about = index < len(split.what_about) and split.what_about[index]
                part = (
                    None
                    if subject
                    else self._part_alone(
                        part_text,
                        method,
                        quoted,
                        what_about=what_about,
                        last=last,
                        near=parts[-1].hits[0].sentence.paragraph if parts[-1].hits else None,
                    )
                )
            own = subject if subject and not self._mentions(part_text, subject) else ""
            part = part or self._part(part_text, context, method, quoted, subject=own, last=last)
            parts.append(part)
            quoted |= {h.sentence.sid for h in part.hits}
        if split.tentative:
            # "about X and Y": two subjects only when they lie in different paragraphs; the items
            # of a list, when each has a best sentence of its own.
            firsts = {
                p.result.hits[0].sentence.sid if split.enumerated else p.result.hits[0].sentence.paragraph
                for p in parts
                if p.result.hits
            }
            alike = len(firsts) == 1 if split.enumerated else len(firsts) < len(parts)
            if alike or any(p.coverage == "none" for p in parts):
                return [self._part(text, None, method)]
        return parts

    def ask(self, question: str, *, method: Method = "hybrid") -> Answer:
        state = self.state
        cleaned = clean_question(question, self.settings.answer.max_question_chars)
        intent = classify(cleaned)
        if intent != "question":
            return Answer(
                question=cleaned,
                answered=False,
                answer=about_message(self.topics(), self.collection()),
                suggestions=self.topics(),
                coverage="none",
                parts=[
                    AnswerPart(
                        cleaned,
                        "none",
                        f"That is not a question about the {self.collection().short} ({intent}).",
                    )
                ],
            )
        correction = state.speller.correct(cleaned)
        parts = self._split(correction.text, method)
        seen: set[str] = set()
        for p in parts:  # a sentence one part already quotes is not quoted again
            kept = [h for h in p.hits if h.sentence.sid not in seen]
            if p.hits and not kept and p.coverage == "full":
                p.note = ANSWERED_ABOVE
            p.hits = kept
            seen.update(h.sentence.sid for h in p.hits)
        chosen = [h for p in parts for h in p.hits]
        quotes, citations = cite(chosen, state.passage_texts)
        answer_parts: list[AnswerPart] = []
        at = 0
        for p in parts:
            answer_parts.append(
                AnswerPart(p.text, p.coverage, p.note, quotes[at : at + len(p.hits)], p.probability)
            )
            at += len(p.hits)
        coverages = {p.coverage for p in parts}
        coverage: Coverage = (
            "full" if coverages == {"full"} else "none" if coverages == {"none"} else "partial"
        )
        first = parts[0].result
        common: dict[str, Any] = {
            "question": cleaned,
            "speaker": first.speaker,
            "confidence": first.confidence,
            "off_topic": parts[0].signals.evidence.question.off_topic,
            "coverage": coverage,
            "searched_for": correction.text if correction.changed else "",
            "parts": answer_parts,
            "probability": min(p.probability for p in parts),
        }
        if coverage == "none":
            log.debug("Not answered: %s", parts[0].signals.rule.reason or "no hits")
            return Answer(
                answered=False,
                answer=not_covered_message(self.topics(), self.collection()),
                suggestions=self.topics(),
                **common,
            )
        if len(parts) == 1 and coverage == "full":
            text = render_quotes(quotes)
        else:
            text = " ".join(_part_text(p) for p in answer_parts)
        return Answer(
            answered=coverage == "full",
            answer=text,
            citations=citations,
            quotes=quotes,
            suggestions=[] if coverage == "full" else self.topics(),
            **common,
        )

    def _topic_hits(self, topic: str, max_sentences: int) -> tuple[str, TopicSpec | None, list[Hit]]:
        try:
            cleaned = clean_question(topic, self.settings.answer.max_question_chars)
        except BadQuestion:
            raise UnknownTopic(topic, self.topics(), self.collection().short) from None
        spec = match_topic(cleaned, self.topic_specs)
        state = self.state
        n = len(state.data.corpus.sentences)
        if spec is not None:
            vector = self.embedder.encode_queries([spec.query])[0]
            result = state.searcher.search(spec.query, vector, limit=n)
            on_topic: frozenset[str] | None = state.topics.on_topic(spec)
        else:
            # Free text ("the election meddling thing"): the same answerability rule as a question
            # decides whether the release is about it at all, unless it names one topic in so
            # many words ("the hacking stuff"); its sentences come from the known topic it names
            # or is clearly about, ranked for the words the user chose.
            query = parse_query(self.state.speller.correct(cleaned).text, state.speakers)
            result, vector, _ = self._search(query, "hybrid", n)
            evidence, decision = self._judge(query, result, vector)
            # Names make every sentence that mentions them look like it ("the lavrov and tillerson
            # press briefings" drew "Neither Tillerson nor Lavrov mentioned ... Nikki Haley"):
            # text that says more than the names is ranked for the rest of its words.
            rest = query.without_people
            knows = state.data.passage_bm25.knows
            if rest != query.search_text and any(knows(w) for w in _content_words(rest)):
                unnamed = Query(query.text, query.speaker, rest, state.speakers)
                result, vector, _ = self._search(unnamed, "hybrid", n)
            named = mentioned_topic(query.text, self.topic_specs, knows)
            nearest = state.topics.nearest(vector)
            off_topic = evidence.question.off_topic
            if not decision.answerable and named is None and not self._describes(query, off_topic, nearest):
                raise UnknownTopic(cleaned, self.topics(), self.collection().short)
            near = named or (nearest[0] if nearest else None)
            on_topic = state.topics.on_topic(near) if near else None
            if on_topic is not None and result.hits:
                # The one sentence most like the text itself belongs to what it describes, whichever
                # topic owns it ("what both briefings agreed on": the lead, the relationship's).
                best = max(result.hits, key=lambda h: h.dense)
                on_topic = on_topic | {best.sentence.sid}
        floor = FREE_TEXT_RATIO * self.settings.answer.min_similarity
        hits = topic_sentences(result.hits, on_topic, floor, max_sentences)
        if not hits:
            raise UnknownTopic(cleaned, self.topics(), self.collection().short)
        return cleaned, spec, hits

    def _describes(self, query: Query, off_topic: float, nearest: tuple[TopicSpec, float] | None) -> bool:
        """Whether free text the answerability rule refuses describes a known topic in other
        words ("how it all ended up overall" shares few words with any one sentence): clearly
        nearest that topic, and nearer it than any subject the release does not cover
        (description against description) — without people's names too, as the rule checks
        ("what putin had for lunch" is near the leaders' relationship for the name alone).
        ``off_topic``: the text's best cosine with an off-topic anchor (the judge's evidence)."""
        if nearest is None or nearest[1] < off_topic:
            return False
        judge, topics = self.state.judge, self.state.topics
        rest = query.without_people
        if rest == query.search_text:
            return True
        if not rest.strip():
            return False
        other = self.embedder.encode_queries([rest])[0]
        again = topics.nearest(other)
        return (
            again is not None
            and again[0] == nearest[0]
            and again[1] >= judge.similarities(0.0, other).off_topic
        )

    def summary(self, topic: str) -> Summary:
        cleaned, spec, hits = self._topic_hits(topic, MAX_SENTENCES)
        name = spec.name if spec else cleaned
        return summarise(name, hits, self.state.passage_texts, known=spec is not None)

    def positions(self, topic: str) -> Positions:
        state = self.state
        if not state.sides:
            raise UserError(
                f"Positions need sides, and this {self.collection().short} has none: its corpus folder "
                "has no profile.toml naming people and their sides (see README, “Use it for your own "
                "documents”). Try `summary TOPIC` instead."
            )
        cleaned, spec, hits = self._topic_hits(topic, 8)
        return split_positions(spec.name if spec else cleaned, hits, state.passage_texts, state.sides)


# A later part whose answer an earlier part already quotes ("... on north korea and what does
# trump prefer": one sentence gives both sides).
ANSWERED_ABOVE = "The quote above answers this part too."
# A part whose best sentence an earlier part quotes gets its next best one when it scores at least
# this fraction of it (15 spent sets, each left out: multi-part full hits 119 → 122 of 149).
NEXT_UNQUOTED_RATIO = 0.5


def _unquoted_hits(
    hits: list[Hit], quoted: frozenset[str], ratio: float, holds_all: Callable[[str], bool]
) -> list[Hit]:
    """A part's candidates when an earlier part already quotes its best sentence: the ones no
    part quotes yet, if the best of them scores at least ``ratio`` of that best sentence (the
    part asks something else); else all of them (the quote above answers it too). The quote
    above answers it also when it holds every word of the part's own (``holds_all``: "..., and
    what about haley" after a part quoting the one sentence naming Haley)."""
    if not hits or hits[0].sentence.sid not in quoted or holds_all(hits[0].sentence.text):
        return hits
    rest = [h for h in hits if h.sentence.sid not in quoted]
    # One of the next few holds every word of the part's own the quote above lacks ("..., and
    # who announced it": "His appointment was announced ..."): that one answers it.
    holder = next((h for h in rest[:TYPED_CANDIDATES] if holds_all(h.sentence.text)), None)
    if holder is not None:
        return [holder, *(h for h in rest if h is not holder)]
    return rest if rest and rest[0].score >= ratio * hits[0].score else hits


# What may stand before a bare name in a later part: "and Putin?", "what about Lavrov's?".
_NAME_ONLY = re.compile(r"^(?:(?:and|also|plus|so|what|how|about)\b\s*)*|[’']s\b", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:[’'][^\W\d_]+)?")


def _content_words(text: str) -> list[str]:
    """The words of ``text`` (lower case) that are not stop words."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS_EN_PLUS]


REMARK_MAX_WORDS = 2
_WHO_IS = re.compile(r"^who(?:\s+is|\s+was|'s|’s|s)\s+(?:this\s+|that\s+)?(?P<name>[a-z][\w-]+)\W*$", re.I)
_QUESTION_WORD = re.compile(r"^(?:what|who|whom|whose|when|where|why|how|which|any)\b", re.I)
_PERSON_PRONOUN = re.compile(r"\b(?:he|him|his|she)\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|he|she|they|them|him|her|that|this|those|these|his|their|its)\b", re.I)


def _part_text(part: AnswerPart) -> str:
    quotes = render_quotes(part.quotes)
    if part.coverage == "full":
        return quotes or part.note
    if not quotes:
        return part.note
    return f"{part.note} Related: {quotes}"


def about_message(topics: list[Topic], words: Collection) -> str:
    names = ", ".join(t.name for t in topics)
    return (
        f"I answer questions about {words.title}, quoting it "
        f"and citing its paragraphs. It covers: {names}. Try a question such as "
        f'"{words.example}", or `summary TOPIC`.'
    )
