"""A seeded generator of synthetic corpora N times the size of the press release (for bench/scale.py).

A corpus of size N is N documents, each a ``NAME.txt`` + ``NAME.toml`` pair as ``corpus/`` holds:

- document 0 is the release itself, copied verbatim (so a 1x corpus *is* the real corpus, and the
  evaluation questions still have their true answers in every larger corpus);
- documents 1 .. N-1 are ``synthetic-NNNNNN``: the release's shape (8 paragraphs holding 2, 6, 3, 6,
  4, 8, 2 and 3 sentences) filled with sentences recombined from the release's own sentences.

Each synthetic sentence starts from a real sentence of the release: the one at the same position
with probability ``1 - CROSS_PARAGRAPH_RATE``, else one drawn from anywhere in the release. With
probability ``CLAUSE_SWAP_RATE`` its tail after the first comma is replaced by the tail of another
sentence. Then every word of four letters or more is, with probability ``SUBSTITUTION_RATE``
(at least one word per sentence), replaced by a word of the same kind (capitalised or lower-case)
drawn from the release's vocabulary. Quotation marks are dropped and the sentence ends with a full
stop. So texts stay on the release's topics and vocabulary (what BM25 and the embedding model see)
while every document is different; very short sentences ("That didn't work.") may repeat.

Document k depends only on (seed, k), never on N: the corpus of size N is a prefix of any larger
one. The nominal size of an N-times corpus is ``8 N`` paragraphs and ``RELEASE_SENTENCES * N``
sentences (34 N for the release; the chunker's pysbd may split a recombined sentence differently,
so the indexed count can differ by a fraction of a percent).
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config.settings import ROOT

GENERATOR_VERSION = 1  # bump when the output for a given seed changes (it keys cached vectors)
DEFAULT_SEED = 20170707
RELEASE_DIR = ROOT / "corpus"
RELEASE_NAME = "summit-2017-07-press-release"
SYNTHETIC_PREFIX = "synthetic-"
CROSS_PARAGRAPH_RATE = 0.3
CLAUSE_SWAP_RATE = 0.3
SUBSTITUTION_RATE = 0.2
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]{3,}")
_QUOTES = re.compile(r"[\"“”]")
# Words that keep sentences readable and their speaker attribution intact.
_KEEP = frozenset({"said", "that", "this", "with", "they", "their", "there", "have", "were", "from", "both"})


@dataclass(frozen=True)
class Release:
    """The release, as the generator sees it: paragraphs of sentences, and its vocabulary."""

    paragraphs: tuple[tuple[str, ...], ...]
    capitalised: tuple[str, ...]
    lower: tuple[str, ...]

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for p in self.paragraphs for s in p)


@dataclass(frozen=True)
class SyntheticDocument:
    name: str  # file stem
    text: str  # NAME.txt
    meta: str  # NAME.toml (title, source, date)
    paragraphs: int
    sentences: int  # as generated (before the chunker)


@lru_cache(maxsize=2)
def load_release(corpus_dir: Path = RELEASE_DIR) -> Release:
    """The release's paragraphs and sentences, chunked by the project's own chunker."""
    from retrieval.documents import load_corpus

    corpus = load_corpus(corpus_dir)
    doc_id = corpus.documents[0].doc_id
    paragraphs = []
    for p in corpus.passages:
        if p.doc_id == doc_id:
            paragraphs.append(
                tuple(s.text for s in corpus.sentences if s.doc_id == doc_id and s.paragraph == p.paragraph)
            )
    words = {w for p in paragraphs for s in p for w in _WORD.findall(s)}
    return Release(
        paragraphs=tuple(paragraphs),
        capitalised=tuple(sorted(w for w in words if w[0].isupper())),
        lower=tuple(sorted(w for w in words if w[0].islower() and w.lower() not in _KEEP)),
    )


def release_sentences(corpus_dir: Path = RELEASE_DIR) -> int:
    return len(load_release(corpus_dir).sentences)


def _sentence(rng: random.Random, release: Release, j: int, i: int) -> str:
    everything = release.sentences
    text = release.paragraphs[j][i] if rng.random() >= CROSS_PARAGRAPH_RATE else rng.choice(everything)
    if rng.random() < CLAUSE_SWAP_RATE and ", " in text:
        other = rng.choice([s for s in everything if ", " in s])
        text = text.split(", ", 1)[0] + ", " + other.split(", ", 1)[1]
    text = " ".join(_QUOTES.sub("", text).split())
    matches = [m for m in _WORD.finditer(text) if m.group(0).lower() not in _KEEP]
    if matches:
        chosen = [m for m in matches if rng.random() < SUBSTITUTION_RATE] or [rng.choice(matches)]
        pieces, last = [], 0
        for m in chosen:
            pool = release.capitalised if m.group(0)[0].isupper() else release.lower
            pieces += [text[last : m.start()], rng.choice(pool)]
            last = m.end()
        text = "".join([*pieces, text[last:]])
    text = text.rstrip(" ,;:—-")
    return text if text.endswith((".", "?", "!")) else text + "."


def synthetic_document(seed: int, k: int, release: Release | None = None) -> SyntheticDocument:
    """Document number ``k`` (>= 1) of every corpus generated with ``seed``."""
    if k < 1:
        raise ValueError("document 0 is the release itself; synthetic documents start at 1")
    release = release or load_release()
    rng = random.Random(f"summitbot-bench:{GENERATOR_VERSION}:{seed}:{k}")
    paragraphs = [
        " ".join(_sentence(rng, release, j, i) for i in range(len(sentences)))
        for j, sentences in enumerate(release.paragraphs)
    ]
    name = f"{SYNTHETIC_PREFIX}{k:06d}"
    meta = (
        f'title = "Synthetic release {k} (seed {seed})"\n'
        f'source = "bench/generator.py v{GENERATOR_VERSION}, seed {seed}, document {k}"\n'
        'date = "July 2017"\n'
    )
    return SyntheticDocument(
        name=name,
        text="\n\n".join(paragraphs) + "\n",
        meta=meta,
        paragraphs=len(paragraphs),
        sentences=sum(len(p) for p in release.paragraphs),
    )


def generate(size: int, seed: int = DEFAULT_SEED) -> Iterator[SyntheticDocument]:
    """The ``size - 1`` synthetic documents of a ``size``-times corpus (the release is the other one)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    release = load_release()
    for k in range(1, size):
        yield synthetic_document(seed, k, release)


@dataclass(frozen=True)
class CorpusInfo:
    folder: Path
    size: int
    seed: int
    documents: int
    paragraphs: int  # nominal: 8 per document
    sentences: int  # nominal: as generated, before the chunker
    text_bytes: int


def write_corpus(folder: Path, size: int, seed: int = DEFAULT_SEED) -> CorpusInfo:
    """Write a ``size``-times corpus into ``folder`` (emptied first): the release + synthetic documents."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    release = load_release()
    paragraphs, sentences, text_bytes = len(release.paragraphs), len(release.sentences), 0
    for suffix in (".txt", ".toml"):
        shutil.copyfile(RELEASE_DIR / f"{RELEASE_NAME}{suffix}", folder / f"{RELEASE_NAME}{suffix}")
    # the synthetic documents recombine the release: its profile (topics, people, sides) applies
    shutil.copyfile(RELEASE_DIR / "profile.toml", folder / "profile.toml")
    text_bytes += (RELEASE_DIR / f"{RELEASE_NAME}.txt").stat().st_size
    for doc in generate(size, seed):
        data = doc.text.encode("utf-8")
        (folder / f"{doc.name}.txt").write_bytes(data)
        (folder / f"{doc.name}.toml").write_text(doc.meta, encoding="utf-8")
        paragraphs += doc.paragraphs
        sentences += doc.sentences
        text_bytes += len(data)
    return CorpusInfo(folder, size, seed, size, paragraphs, sentences, text_bytes)
