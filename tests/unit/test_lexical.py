"""The BM25 tokeniser: the same tokens as bm25s's own, for the release and for every question."""

from __future__ import annotations

import tomllib
from pathlib import Path

import bm25s
import numpy as np

from retrieval.lexical import TOKEN_PATTERN, LexicalIndex, _stemmer, query_tokens, tokenize

ROOT = Path(__file__).resolve().parents[2]


def bm25s_tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(  # type: ignore[return-value]
        texts,
        token_pattern=TOKEN_PATTERN,
        stopwords="en",
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )


def texts() -> list[str]:
    out = [line for f in sorted((ROOT / "corpus").glob("*.txt")) for line in f.read_text().splitlines()]
    for f in sorted((ROOT / "eval").glob("*.toml")):
        with f.open("rb") as fh:
            out += [q["q"] for q in tomllib.load(fh).get("question", [])]
    return out


def test_tokens_are_bm25s_tokens_for_the_release_and_every_question() -> None:
    sample = texts()
    assert len(sample) > 1000
    odd = ["", "   ", "Straße naïve CAFÉ", "it's don't I'm", "a b c", "x1 22 333", "THE and Of"]
    for text in [*sample, *odd]:
        assert tokenize([text]) == bm25s_tokens([text]), text
    assert tokenize(sample) == bm25s_tokens(sample)  # and many at once


def test_tokens_are_lower_case_stemmed_and_without_stop_words() -> None:
    tokens = tokenize(["What did Tillerson say about the ceasefires?"])
    assert tokens == [["what", "did", "tillerson", "say", "about", "ceasefir"]]  # "the" is a stop word
    assert query_tokens("The") == ()


def test_an_index_searches_with_those_tokens() -> None:
    index = LexicalIndex.build(["The ceasefire holds.", "Hacking was discussed.", "Nothing here."])
    ids, scores = index.search("ceasefires", 3)
    assert ids.tolist() == [0] and float(scores[0]) > 0
    assert index.coverage("the hacking of ceasefires elsewhere") == (3, 2)
    assert np.count_nonzero(index.scores("unrelated words")) == 0


def test_scores_are_bm25s_scores() -> None:
    sample = texts()
    corpus = (ROOT / "corpus" / "summit-2017-07-press-release.txt").read_text().split(". ")
    for method in ("lucene", "bm25+"):
        index = LexicalIndex(bm25s.BM25(method=method), len(corpus))
        index.retriever.index(tokenize(corpus), show_progress=False)
        vocab = index.retriever.vocab_dict
        checked = 0
        for q in [*sample, "ceasefire ceasefire syria", "nothing known zzzz"]:
            tokens = [t for t in query_tokens(q) if t in vocab]
            expected = index.retriever.get_scores(tokens) if tokens else np.zeros(len(corpus))
            assert np.array_equal(index.scores(q), np.asarray(expected, dtype=np.float32)), q
            checked += bool(tokens)
        assert checked > 1000
