"""Extractive answers: pick 1-3 sentences, quote them word for word, number their paragraphs.

Nothing here writes text of its own except the plain "not covered" message: every sentence of an
answer is ``document.text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from retrieval.hybrid import Hit
from retrieval.speakers import QUOTE_MARK
from retrieval.types import Citation, Collection, Quote, Sentence, Topic, sentence_id

# A sentence that leans on the one before it ("He said that ...", "They agree ...").
_REPLY_START = r"in\s+response|in\s+return|as\s+a\s+result"  # what was done about the sentence before
_DEPENDENT_START = re.compile(
    rf"^[\"“]?(?:(?:he|she|they|his|her|their|it|this|these|those)\b|(?:{_REPLY_START}|however|instead)\s*,)",
    re.I,
)
_REPLY = re.compile(rf"^[\"“]?(?:{_REPLY_START})\s*,", re.I)
_SUCH = re.compile(r"\bsuch\b", re.I)  # "commitments to avoid such activity": the activity before


def leans_on_previous(text: str) -> bool:
    """Whether a sentence is about what the sentence before it says ("He said that he agreed
    ...", "In response, ...", "... to avoid such activity in the future")."""
    return bool(_DEPENDENT_START.match(text) or _SUCH.search(text))


# The most words a quotation's remaining sentences may add to close it; a longer rest is left out.
QUOTE_REST_MAX_WORDS = 25
# "Tillerson said," alone introduces a quotation: never an answer by itself.
_INTRODUCER = re.compile(r"^\S+(?:\s+\S+)?\s+(?:said|says|added|stressed)\s*[,:]$", re.I)


def is_introducer(text: str) -> bool:
    """A sentence that only introduces a quotation ("Tillerson said,"): never quoted alone."""
    return bool(_INTRODUCER.match(text))


def word_count(text: str) -> int:
    return len(text.split())


def _marks(sentence: Sentence) -> int:
    return len(QUOTE_MARK.findall(sentence.text))


def paragraph_of(sentence: Sentence, by_sid: Mapping[str, Sentence]) -> list[Sentence]:
    """The sentences of ``sentence``'s paragraph, in order (looked up by id, not by scanning
    the corpus)."""
    out: list[Sentence] = []
    while (s := by_sid.get(sentence_id(sentence.doc_id, sentence.paragraph, len(out) + 1))) is not None:
        out.append(s)
    return out


def quote_rest(sentence: Sentence, by_sid: Mapping[str, Sentence]) -> list[Sentence]:
    """The sentences that close a quotation ``sentence`` opens and leaves open ("... at one point,
    \"They sent the First Lady in ..."), when they are few (at most ``QUOTE_REST_MAX_WORDS``
    words): a quotation is quoted whole, or its open part stands alone as the release prints it.
    Quotation marks are counted from the paragraph's start, as for the speakers (a quotation
    closes with its paragraph at the latest)."""

    def at(index: int) -> Sentence | None:
        return by_sid.get(sentence_id(sentence.doc_id, sentence.paragraph, index))

    before = sum(_marks(s) for i in range(1, sentence.index) if (s := at(i)) is not None)
    if before % 2 == 1 or _marks(sentence) % 2 == 0:
        return []  # it starts inside a quotation, or leaves none open
    rest: list[Sentence] = []
    words = 0
    while (nxt := at(sentence.index + len(rest) + 1)) is not None:
        rest.append(nxt)
        words += word_count(nxt.text)
        if words > QUOTE_REST_MAX_WORDS:
            return []
        if _marks(nxt) % 2 == 1:
            return rest
    return []


_COMPARISON = re.compile(
    r"\b(?:differ\w*|compar\w*|versus|vs\.?|whereas|contrast\w*"
    r"|each\s+side|both\s+sides|the\s+two\s+sides|disagree\w*)\b",
    re.I,
)
# The sentence holding the kind of answer asked must score at least this fraction of the best.
ADDITIONAL_MIN_RATIO = 0.5
# A further sentence must score at least this fraction of the answer to be considered at all
# (0.5 → 0.55: mean words 42.2 → 40.2, no answer lost, leaving each of 15 spent sets out).
FURTHER_MIN_RATIO = 0.55
CANDIDATES = 8  # the best hits considered for an answer
TYPED_CANDIDATES = 5  # ... and for the one holding the kind of answer asked for
ADDITIONAL_MIN_SIMILARITY = 0.2
# Word-overlap ceiling (Jaccard of content terms) above which a further sentence is redundant.
REDUNDANT_OVERLAP = 0.5
# The question terms a further sentence must add when the answer already holds some of them,
# unless it adds a name its paragraph never uses (1 → 2: mean words 41.6 → 38.4; single hits 1064
# → 1059 of 1125, multi-part 151 → 148 of 173, leaving each of 17 spent sets out; the paragraph's
# exception: multi-part 182 → 183 of 209, 38.5 → 39.0 words, leaving each of 20 out; for names
# only, not words such as "asked": 183 → 182, 39.1 → 38.8 words; of 11 changed answers 7 lose a
# padding sentence, 4 swap it for another).
FURTHER_NEW_TERMS = 2
# A further sentence scoring this close to the answer is as likely to be what was asked.
CLOSE_RATIO = 0.9


def is_comparison(question: str) -> bool:
    return bool(_COMPARISON.search(question))


def choose_sentences(
    hits: Sequence[Hit],
    by_sid: Mapping[str, Sentence],
    *,
    max_words: int,
    max_sentences: int = 3,
    wants: Callable[[str], bool] = lambda _text: True,
    question_terms: frozenset[str] = frozenset(),
    terms_of: Callable[[str], frozenset[str]] = lambda _text: frozenset(),
    side_of: Callable[[Sentence], str | None] = lambda _s: None,
    comparison: bool = False,
    speaker_asked: bool = False,
    other_paragraph_similarity: float = 0.0,
    name_terms: frozenset[str] | None = None,
    with_reply: bool = True,
) -> list[Hit]:
    """Quote what answers, then stop.

    The answer is the best hit that holds the expected kind of answer (``wants``: a date for a
    "when" question, ...; among the few best) and, when the question asks what someone said, is
    that person's (``speaker_asked``), else the best hit. A further sentence joins only
    when it adds what the first lacks (MMR-style: relevant on its own and not redundant):
    the other side of a comparison (``side_of``), or question terms (``terms_of``) the answer so
    far does not contain. A sentence that starts with a pronoun brings the sentence before it
    when that fits, so "He said that ..." is not quoted without its subject, and one that opens a
    quotation brings the few sentences that close it (``quote_rest``). At most ``max_words``
    words and ``max_sentences`` sentences, those brought along included. ``name_terms``: the
    terms of the names the documents use; when given, only a name the answer's paragraph lacks
    lets a sentence adding one question term join (see ``FURTHER_NEW_TERMS``). A sentence
    opening "In response," right after the answer (among the candidates) is quoted with it, unless
    ``with_reply`` is false (a later part of the question may ask for it)."""
    pool = [h for h in hits if not is_introducer(h.sentence.text)]
    if not pool:
        return []
    top = pool[0]
    for h in pool[:TYPED_CANDIDATES]:  # the asked speaker's words, holding the kind of answer asked
        if (
            (h.speaker_match or not speaker_asked)
            and wants(h.sentence.text)
            and h.score >= ADDITIONAL_MIN_RATIO * top.score
        ):
            top = h
            break
    # What was done about it ("In response, Trump has appointed ...") completes the answer's
    # sentence ("... Russia requested that a special channel be opened"): the two are quoted
    # together, the reply as the answer, placed after what it replies to (see below). It scores
    # lower ("how did the us respond to russia's request": the question's words describe the
    # request), so it need only be among the candidates.
    if with_reply:
        after = sentence_id(top.sentence.doc_id, top.sentence.paragraph, top.sentence.index + 1)
        reply = next((h for h in pool[:CANDIDATES] if h.sentence.sid == after), None)
        if reply is not None and _REPLY.match(reply.sentence.text):
            top = reply
    chosen = [top]
    rests: dict[str, list[Sentence]] = {}  # the sentences closing a quotation a chosen one opens

    in_answer: set[str] = set()
    words = 0

    def with_rest(hit: Hit) -> list[Sentence]:
        """``hit``'s sentence and the rest of the quotation it opens, when that fits: the ones
        not in the answer yet."""
        rest = quote_rest(hit.sentence, by_sid)
        new = [hit.sentence, *(r for r in rest if r.sid not in in_answer)]
        if (
            len(new) > 1
            and len(in_answer) + len(new) <= max_sentences
            and words + sum(word_count(s.text) for s in new) <= max_words
        ):
            rests[hit.sentence.sid] = rest
            return new
        return [hit.sentence]

    quoted = with_rest(top)
    in_answer = {s.sid for s in quoted}
    covered = {t for s in quoted for t in terms_of(s.text)}
    sides = {side_of(top.sentence)} if comparison else set()  # sides matter only to a comparison
    words = sum(word_count(s.text) for s in quoted)
    foreign: frozenset[str] | None = None
    for h in pool[:CANDIDATES] if len(in_answer) < max_sentences else ():
        if (
            h.sentence.sid in in_answer
            or h.score < FURTHER_MIN_RATIO * top.score
            or h.dense < ADDITIONAL_MIN_SIMILARITY
        ):
            continue
        same_paragraph = (h.sentence.doc_id, h.sentence.paragraph) == (
            top.sentence.doc_id,
            top.sentence.paragraph,
        )
        if not same_paragraph and h.dense < other_paragraph_similarity:
            continue
        terms = terms_of(h.sentence.text)
        if covered and terms and len(terms & covered) / len(terms | covered) > REDUNDANT_OVERLAP:
            continue  # says what is already quoted
        side = side_of(h.sentence) if comparison else None
        adds_side = side is not None and side not in sides
        added = (terms & question_terms) - covered
        # One question term more is padding when the answer already holds some of them, unless
        # the answer's whole paragraph never uses it and it names something: then the answer may
        # be in the wrong place ("what did the ministers agree on Iran", the Iran sentence being
        # new to the bank).
        if foreign is None:
            foreign = question_terms - {
                t for x in paragraph_of(top.sentence, by_sid) for t in terms_of(x.text)
            }
            if name_terms is not None:  # a name the paragraph lacks ("Iran"), not a word ("asked")
                foreign &= name_terms
        sure = bool(covered & question_terms) and not added & foreign
        adds_terms = len(added) >= (FURTHER_NEW_TERMS if sure else 1)
        close = h.score >= CLOSE_RATIO * top.score  # nearly as good an answer on its own
        if not (adds_side or adds_terms or close):
            continue
        if words + word_count(h.sentence.text) > max_words:
            continue
        chosen.append(h)
        quoted = with_rest(h)
        in_answer |= {s.sid for s in quoted}
        covered |= {t for s in quoted for t in terms_of(s.text)}
        sides.add(side)
        words += sum(word_count(s.text) for s in quoted)
        if len(chosen) >= 2 or len(in_answer) >= max_sentences:
            break
    ordered: list[Hit] = []
    chosen_ids = set(in_answer)

    def place(hit: Hit) -> None:
        """``hit``, then the rest of the quotation it opens (a sentence of it quoted above stays
        there, so the answer still comes first)."""
        ordered.append(hit)
        placed = {h.sentence.sid for h in ordered}
        rest = (r for r in rests.get(hit.sentence.sid, ()) if r.sid not in placed)
        ordered.extend(Hit(r, hit.score, hit.dense, hit.paragraph_dense) for r in rest)

    for hit in chosen:
        s = hit.sentence
        if any(h.sentence.sid == s.sid for h in ordered):
            continue  # placed already, before the sentence that leans on it
        prev = by_sid.get(sentence_id(s.doc_id, s.paragraph, s.index - 1))
        if _DEPENDENT_START.match(s.text) and prev is not None:
            own = next((h for h in chosen if h.sentence.sid == prev.sid), None)
            if own is not None:  # chosen on its own too: what this one leans on goes first
                if all(h.sentence.sid != own.sentence.sid for h in ordered):
                    place(own)  # (unless it is placed already, as the answer itself)
            elif (
                prev.sid not in chosen_ids
                and not _INTRODUCER.match(prev.text)
                and len(chosen_ids) < max_sentences
                and words + word_count(prev.text) <= max_words
            ):
                ordered.append(Hit(prev, hit.score, hit.dense, hit.paragraph_dense))
                chosen_ids.add(prev.sid)
                words += word_count(prev.text)
        place(hit)
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


def not_covered_message(topics: Sequence[Topic], words: Collection) -> str:
    names = ", ".join(t.name for t in topics)
    return (
        f"The {words.name} does not answer that. It covers: " + names + ". "
        "Try a question about one of these, or `summary TOPIC`."
    )
