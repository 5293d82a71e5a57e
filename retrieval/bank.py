"""Questions asked before, with what answered them: a nearest-neighbour memory for the search and
the answerability decision.

A question bank is a set of files in the evaluation format (eval/FORMAT.md): each answerable
question (or part of one) names the exact words of the sentence that answers it, each other
question is labelled ``partial`` (the release is on the subject but does not say) or ``none``.
People word the same question in many ways, and a question someone asked before, in other words,
is the best evidence there is of what a new one is after: the all-MiniLM-L6-v2 vectors of two
wordings of one question lie much closer together than either lies to the release's sentence.
With the other seven blind sets as the bank, the sentence named as the answer of a blind set's
question was the bank's first choice for 90% of them, against 68% for the hybrid search alone
(docs/quality.md).

Two uses, both by cosine similarity of the question's vector with the bank's:

- ``votes``: the answering sentences of the ``k`` nearest answerable questions, each weighted by
  ``exp((cosine - best) / temperature)``, normalised to sum to 1; the search adds them, weighted,
  to its fused score (``HybridSearcher.search``).
- ``known``: the coverage of the nearest bank question when it is the same question in other
  words (cosine at least ``known_similarity``): "who is gonna be on the cyber working group"
  was labelled partial before, so it is partial now, whatever the release's nearby sentences look
  like. A partial or none label holds for the detail asked, so it counts only for a question of
  the same form (``question_form``: "which sanctions does trump want" is not "does trump want
  sanctions"), or for a "which" question after an "any" one: the release that gives no detail of
  a subject gives no particular one either, not the other way round. A request about a subject
  ("tell me about the double freeze": form "about") takes a partial label only from another such
  request, never from a question after one detail of it ("what does the double freeze involve").

Both follow the speaker a question asks about (which the search text leaves out): a bank
question about another speaker neither votes nor counts as known, and a question about someone
gets no votes for a sentence quoting someone else.

A bank key that no sentence of the corpus holds any more (the corpus changed) is dropped with a
warning. The bank's vectors are encoded once per model and bank, and cached next to the index.
``without(source)`` is the bank without one file's questions: ``eval`` measures a set that is in
the bank against the rest of it (leave one set out), never against its own answers.
"""

from __future__ import annotations

import glob
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config.errors import SetupError
from retrieval.ann.faiss import FaissIndex
from retrieval.answer_types import question_form
from retrieval.embedder import Embedder
from retrieval.question_sets import load_set
from retrieval.storage import cached_vectors, read_json_object, write_json
from retrieval.types import Coverage, Sentence

log = logging.getLogger(__name__)
CACHE = "question_bank.npy"
CACHE_META = "question_bank.json"
CACHE_ASKED = "question_bank_asked.json"
# How many of the nearest bank questions are looked at (the votes' ten and the known question
# come from these, after the speaker rules).
SHORTLIST = 64


@dataclass(frozen=True)
class Asked:
    """One question of the bank (a part of a multi-part question is one too)."""

    text: str  # as the Query stage searches it (cleaned, spelling corrected)
    coverage: Coverage
    sentence: int  # index of the answering sentence in the corpus; -1 unless coverage is full
    source: str  # the file it came from (its name)
    # A question of its own: a whole question or the first part of one. A later part may lean on
    # the part before it ("and what did tillerson bring up", after a cyber part).
    alone: bool = True
    # The person it asks about as a speaker: the search text leaves the name out, so "what is
    # putin's view on assad" and "what is tillerson's view on assad" search the same words.
    speaker: str | None = None
    # What it asks for beyond its subject (``question_form`` of ``text``), kept with it in the
    # cache rather than worked out again at every start (20 ms for 2,000 questions).
    form: str = "any"


def bank_files(patterns: Sequence[str], root: Path) -> list[Path]:
    """The files the patterns (globs, relative to ``root`` unless absolute) name, sorted, once each."""
    found: set[Path] = set()
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(root / pattern)
        found.update(Path(p).resolve() for p in glob.glob(full) if Path(p).is_file())
    return sorted(found)


SearchText = Callable[[str], tuple[str, str | None]]


def read_bank(files: Sequence[Path], sentences: Sequence[Sentence], search_text: SearchText) -> list[Asked]:
    """The questions of ``files``, as ``search_text`` gives them (the text the search stage
    looks for, and the speaker asked about); a file that cannot be read is skipped with a warning
    (the bot then answers without it), a key no sentence holds is dropped."""
    asked: list[Asked] = []
    dropped = 0
    for path in files:
        try:
            questions, _ = load_set(path)
        except SetupError as exc:
            log.warning("Question bank: skipping %s (%s)", path.name, exc)
            continue
        for q in questions:
            coverage = q["coverage"]
            if coverage not in ("full", "partial", "none"):
                continue
            if coverage != "full":
                text, speaker = search_text(str(q["q"]))
                if text:
                    asked.append(Asked(text, coverage, -1, path.name, True, speaker, question_form(text)))
                continue
            for n, part in enumerate(q["parts"]):
                key = str(part.get("key", ""))
                where = next((i for i, s in enumerate(sentences) if key and key in s.text), None)
                if where is None:
                    dropped += 1
                    continue
                text, speaker = search_text(str(part["q"]))
                if text:
                    asked.append(Asked(text, "full", where, path.name, n == 0, speaker, question_form(text)))
    if dropped:
        log.warning("Question bank: %d answer(s) no sentence of the corpus holds were dropped", dropped)
    return asked


@dataclass(frozen=True)
class Recall:
    """What the bank recalls for one question (``QuestionBank.recall``)."""

    votes: np.ndarray | None  # per sentence of the corpus, its share of the votes (sums to 1)
    known: tuple[Coverage, float] | None  # (coverage, cosine) of the same question asked before
    support: Support | None = None  # the nearest answered and unanswered questions


@dataclass(frozen=True)
class Support:
    """How near the question is to the bank's answered questions against its unanswered ones."""

    answered: float  # cosine of the nearest answered question (or part) about the same speaker
    unanswered: float  # cosine of the nearest partial or none question (0: none is near)
    sentence: int  # the sentence that answered the nearest answered one


class QuestionBank:
    def __init__(
        self,
        asked: Sequence[Asked],
        vectors: np.ndarray,
        sentence_speakers: Sequence[str | None],
        *,
        neighbours: int,
        temperature: float,
        known_similarity: float,
    ) -> None:
        self.asked = list(asked)
        self.vectors = np.asarray(vectors, dtype=np.float32)  # (len(asked), dim)
        self._index = FaissIndex.build(self.vectors, hnsw_min_vectors=1 << 62)  # always flat
        # Per sentence of the corpus, whose words it quotes (None: nobody's in particular).
        self.sentence_speakers = list(sentence_speakers)
        self.n_sentences = len(self.sentence_speakers)
        self.neighbours = neighbours
        self.temperature = temperature
        self.known_similarity = known_similarity
        self._sentence = np.array([a.sentence for a in self.asked], dtype=np.int64)
        # Every answered question and part votes (a later part too: measured, it helps); only a
        # question of its own (``alone``) can be "known".
        self._alone = np.array([a.alone for a in self.asked], dtype=bool)
        # Speakers as small integers (0: nobody), for the question asked about and the sentence
        # quoted: compared per question, over the shortlist only.
        names = sorted(
            {a.speaker for a in self.asked if a.speaker} | {w for w in self.sentence_speakers if w}
        )
        self._codes = {"": 0} | {name: i for i, name in enumerate(names, start=1)}
        self._asks = np.array([self._codes[a.speaker or ""] for a in self.asked], dtype=np.int64)
        self._forms = np.array([a.form for a in self.asked], dtype=object)
        self._quotes = np.array([self._codes[w or ""] for w in self.sentence_speakers], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.asked)

    def without(self, source: str) -> QuestionBank:
        """The bank without the questions of the file named ``source``."""
        keep = [i for i, a in enumerate(self.asked) if a.source != source]
        return QuestionBank(
            [self.asked[i] for i in keep],
            self.vectors[keep],
            self.sentence_speakers,
            neighbours=self.neighbours,
            temperature=self.temperature,
            known_similarity=self.known_similarity,
        )

    def _nearest(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``SHORTLIST`` nearest bank questions: (rows, cosines), best first. FAISS (flat),
        not a NumPy matrix-vector product: right after ONNX Runtime has run, BLAS's threads wake
        up against its spinning ones and take 5 ms instead of 0.1 ms (measured)."""
        if not self.asked:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self._index.search(np.asarray(vector, dtype=np.float32).reshape(-1), SHORTLIST)

    def recall(self, vector: np.ndarray, speaker: str | None = None, form: str | None = None) -> Recall:
        """``votes`` and ``known`` for one question (``form``: its ``question_form``; None: any),
        from one search of the bank."""
        rows, cosines = self._nearest(vector)
        return Recall(
            self._votes(rows, cosines, speaker),
            self._known(rows, cosines, speaker, form),
            self._support(rows, cosines, speaker),
        )

    def _support(self, rows: np.ndarray, cosines: np.ndarray, speaker: str | None) -> Support | None:
        """The nearest answered and unanswered bank questions about the same speaker (or both
        about nobody); None when no answered one is among the nearest."""
        mine = self._asks[rows] == self._code(speaker)
        answered = np.flatnonzero(mine & (self._sentence[rows] >= 0))
        if not len(answered):
            return None
        unanswered = np.flatnonzero(mine & (self._sentence[rows] < 0))
        return Support(
            float(cosines[answered[0]]),
            float(cosines[unanswered[0]]) if len(unanswered) else 0.0,
            int(self._sentence[rows[answered[0]]]),
        )

    def _code(self, speaker: str | None) -> int:
        return self._codes.get(speaker or "", -1)  # -1: a speaker no bank question asks about

    def _votes(self, rows: np.ndarray, cosines: np.ndarray, speaker: str | None) -> np.ndarray | None:
        """Per sentence of the corpus, its share of the nearest answerable questions' votes (sums
        to 1), among those that ask about ``speaker`` or nobody, for sentences that do not quote
        someone else ("what is tillerson's view on assad" is not answered by Putin's view); None
        when there are none."""
        code = self._code(speaker)
        sentence = self._sentence[rows]
        keep = (sentence >= 0) & ((self._asks[rows] == 0) | (self._asks[rows] == code))
        if speaker is not None:
            quotes = self._quotes[np.maximum(sentence, 0)]
            keep &= (quotes == 0) | (quotes == code)
        nearest = np.flatnonzero(keep)[: self.neighbours]
        if not len(nearest):
            return None
        weights = np.exp((cosines[nearest] - cosines[nearest[0]]) / self.temperature)
        out = np.zeros(self.n_sentences, dtype=np.float64)
        np.add.at(out, sentence[nearest], weights)
        return out / out.sum()

    def _known(
        self, rows: np.ndarray, cosines: np.ndarray, speaker: str | None, form: str | None
    ) -> tuple[Coverage, float] | None:
        """(coverage, cosine) of the nearest bank question (a question of its own, asking about
        the same speaker, or both about nobody) when it is this question in other words (cosine
        at least ``known_similarity``); None otherwise. One found partial or none counts only
        for a question of the same ``form`` (``question_form``): "what evidence did the us show
        putin" was partial, "did putin ask for evidence" (cosine 0.93) is answered in full."""
        same = self._alone[rows] & (self._asks[rows] == self._code(speaker))
        if form is not None:
            # "The release does not say" holds for the detail asked: only for one of the same form.
            # A question after any detail of a subject the release does not give asks for no
            # less when it asks which one ("what hotel did they meet in" -> "which hotel").
            forms = self._forms[rows]
            alike = (forms == form) | ((forms == "any") & (form == "which"))
            same &= alike | (self._sentence[rows] >= 0)  # or answered
        same = np.flatnonzero(same)
        if not len(same) or cosines[same[0]] < self.known_similarity:
            return None
        return self.asked[int(rows[same[0]])].coverage, float(cosines[same[0]])


def _bank_key(files: Sequence[Path], sentences: Sequence[Sentence], words: Sequence[str]) -> str:
    """What the read bank depends on: its files, the corpus's sentences, the words the Query
    stage corrects towards (``words``: people's names) and the code that reads and cleans it."""
    h = hashlib.sha256()
    code = Path(__file__).resolve().parent
    for path in [
        *files,
        *(code / name for name in ("bank.py", "query.py", "spelling.py", "parts.py", "answer_types.py")),
    ]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\n".join(s.text for s in sentences).encode() + b"\0" + "\n".join(words).encode())
    return h.hexdigest()


def _cached_bank(
    files: Sequence[Path],
    sentences: Sequence[Sentence],
    search_text: SearchText,
    cache_dir: Path,
    words: Sequence[str],
) -> list[Asked]:
    """``read_bank``, kept in ``cache_dir`` while nothing it depends on changed (reading it cleans
    and spell-checks a thousand questions: half a second of every start otherwise)."""
    try:
        key = _bank_key(files, sentences, words)
    except OSError as exc:
        log.warning("Question bank: %s", exc)
        return []
    meta = read_json_object(cache_dir / CACHE_ASKED)
    if meta is not None and meta.get("key") == key and isinstance(meta.get("asked"), list):
        try:
            return [
                Asked(str(t), c, int(i), str(src), bool(a), None if sp is None else str(sp), str(f))
                for t, c, i, src, a, sp, f in meta["asked"]
            ]
        except (TypeError, ValueError):
            pass
    asked = read_bank(files, sentences, search_text)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        rows = [[a.text, a.coverage, a.sentence, a.source, a.alone, a.speaker, a.form] for a in asked]
        write_json(cache_dir / CACHE_ASKED, {"key": key, "asked": rows}, indent=None)
    except OSError as exc:
        log.warning("Could not cache the question bank: %s", exc)
    return asked


def load_bank(
    files: Sequence[Path],
    sentences: Sequence[Sentence],
    search_text: SearchText,
    cache_dir: Path,
    embedder: Embedder,
    *,
    words: Sequence[str] = (),
    neighbours: int,
    temperature: float,
    known_similarity: float,
) -> QuestionBank:
    """The bank of ``files``, from the cache in ``cache_dir`` when nothing changed."""
    asked = _cached_bank(files, sentences, search_text, cache_dir, words)
    vectors = cached_vectors(
        [a.text for a in asked],
        cache_dir,
        CACHE,
        CACHE_META,
        embedder,
        encode=embedder.encode_queries,
        what="question bank",
    )
    return QuestionBank(
        asked,
        vectors,
        [x.speaker if x.quoted else None for x in sentences],
        neighbours=neighbours,
        temperature=temperature,
        known_similarity=known_similarity,
    )
