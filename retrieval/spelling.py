"""Spelling and chat forms: part of the Query stage.

A question's words are looked up in the release's own vocabulary. A word found there is kept. A
word that is not there but is a common English word is kept too ("meddling", "weather"). Anything
else — a typo, or a rare word one or two letters from a name in the release ("volcker" → Volker,
"asad" → Assad) — is corrected against the release's vocabulary and names with SymSpell
(symspellpy): at most one edit for words of up to five letters (or the same letters in another
order: "sirya" → Syria), two for longer ones; among equally close words, one that holds every
typed letter in order wins ("agre" → agree, not "are"), then the most frequent. English
words and their frequencies come from the frequency dictionary bundled with symspellpy. Chat forms
("whats", "u", "n", "gonna", "wat") are expanded first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# Chat forms -> what they stand for (lower case; matched as whole words).
CHAT_FORMS: dict[str, str] = {
    "whats": "what is",
    "wats": "what is",
    "wat": "what",
    "wht": "what",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "y": "why",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "dunno": "do not know",
    "tho": "though",
    "abt": "about",
    "bout": "about",
    "pls": "please",
    "plz": "please",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "w/": "with",
    "thx": "thanks",
    "ppl": "people",
    "govt": "government",
    "smth": "something",
    "sth": "something",
    "rn": "right now",
    "whos": "who is",
    "wheres": "where is",
    "hows": "how is",
    "im": "I am",
    "w": "with",
    "sec": "secretary",
    "mins": "minutes",
    "hrs": "hours",
    "dept": "department",
    "admin": "administration",
    "intl": "international",
    "convo": "conversation",
    "mtg": "meeting",
    "mtgs": "meetings",
    "prez": "president",
    "pres": "president",
    "amb": "ambassador",
    "rep": "representative",
    "reps": "representatives",
    "gov": "government",
    "govts": "governments",
    "intel": "intelligence",
    "info": "information",
    "nk": "north korea",
    "yall": "you all",
    "idk": "I do not know",
    # Interjections and hedges that carry no meaning a sentence could match: dropped, so that
    # they do not pull the question's embedding away from its subject.
    "tbh": "",
    "lol": "",
    "lmao": "",
    "lmfao": "",
    "rofl": "",
    "ngl": "",
    "lowkey": "",
    "highkey": "",
    "imo": "",
    "imho": "",
    "fr": "",
    "bro": "",
    "bruh": "",
    "dude": "",
    "omg": "",
    "smh": "",
    "haha": "",
    "hahaha": "",
}
# A negated auxiliary, with or without its apostrophe ("wouldn't", "didnt") -> the auxiliary and
# "not", so that the question's words are the release's ("would not accept").
_NEGATED = re.compile(
    r"^(?P<aux>do|does|did|is|are|was|were|has|have|had|would|could|should|must|need|might|wo|ca|sha)"
    r"n[’']?t$"
)
_NEGATED_AUX = {"wo": "will", "ca": "can", "sha": "shall"}
# An English word this frequent (in symspellpy's 82,765-word list) is never "corrected" ...
COMMON_ENGLISH = 1_000_000
# ... and a rarer one only towards a name of the release (a capitalised word there).
_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*[A-Za-z]|[A-Za-z]")
_TOKEN = re.compile(r"\S+")
# The endings by which a word of the release may be a form of a root it does not use itself.
_INFLECTIONS = frozenset({"s", "es", "ed", "d", "ing", "ment", "ments", "er", "ers"})


def _not(negated: re.Match[str]) -> str:
    """The auxiliary and "not": "wouldn't" -> would not, "won't" -> will not, "cant" -> cannot."""
    aux = _NEGATED_AUX.get(negated["aux"], negated["aux"])
    return "cannot" if aux == "can" else f"{aux} not"


@lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    """Word -> count from symspellpy's bundled English frequency dictionary."""
    text = (
        resources.files("symspellpy")
        .joinpath("frequency_dictionary_en_82_765.txt")
        .read_text(encoding="utf-8")
    )
    counts: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if count.strip().isdigit():
            counts[word] = int(count)
    return counts


def _holds_in_order(word: str, typed: str) -> bool:
    """Whether ``typed``'s letters all occur in ``word``, in order (``typed`` lacks some)."""
    letters = iter(word)
    return all(ch in letters for ch in typed)


def _roots(counts: Counter[str], proper: frozenset[str]) -> Counter[str]:
    """The English words the release's words are forms of but does not use itself ("appoint" of
    "appointed", "discuss" of "discussed"), with their forms' counts: a typo of the root form
    ("apoint") is corrected to it, not to a shorter word one letter away ("point"). A root is
    the Snowball stem, or the stem with an "e" ("agre" -> agree), that is a common English word
    the word is an inflection of ("important" is not a form of "import")."""
    from retrieval.lexical import stem

    english = english_counts()
    roots: Counter[str] = Counter()
    for word, count in counts.items():
        if word in proper or len(word) < 5:
            continue
        base = stem(word)
        for root in (base, base + "e"):
            ending = word[len(root) - root.endswith("e") :] if word.startswith(root.rstrip("e")) else ""
            if ending in _INFLECTIONS and root not in counts and english.get(root, 0) >= COMMON_ENGLISH:
                roots[root] += count
                break
    return roots


@dataclass(frozen=True)
class Correction:
    text: str  # the question as searched
    changed: bool  # whether anything was corrected or expanded


class Speller:
    """Corrects questions against one corpus's vocabulary (built once per index)."""

    def __init__(self, texts: Iterable[str], names: Iterable[str] = ()) -> None:
        counts: Counter[str] = Counter()
        proper: set[str] = set()
        lower: set[str] = set()
        # "cybersecurity" or "cease-fire" for the release's "cyber-security" or "ceasefire": the
        # release's form, whichever way its word was joined.
        self._joined: dict[str, str] = {}
        for text in texts:
            for m in _WORD.finditer(text):
                word = m.group(0)
                if "-" in word and all(p.isalpha() for p in word.split("-")):
                    self._joined[word.lower().replace("-", "")] = word.lower()
                starts = m.start() == 0 or text[: m.start()].rstrip().endswith((".", "!", "?", '"', "“"))
                for piece in re.split(r"[’'\-]", word):
                    if len(piece) < 2:
                        continue
                    counts[piece.lower()] += 1
                    if piece[0].isupper() and not starts:
                        proper.add(piece.lower())
                    elif piece[0].islower():
                        lower.add(piece)
        proper -= lower  # a name is never written in lower case ("The" and "Both" are not names)
        # The roots of the release's own words (``_roots``), worked out with the SymSpell
        # dictionary: they need the English word list, 0.2 s to load that most starts never need.
        self._text_words = (Counter(counts), frozenset(proper))
        self._roots: Counter[str] | None = None
        for name in names:
            for piece in name.split():
                if len(piece) > 1 and piece.isalpha():
                    counts[piece.lower()] += 1
                    if piece[0].isupper():
                        proper.add(piece.lower())
        self.vocabulary = set(counts)
        self.proper = proper
        self._counts = counts
        self._symspell: Any = None

    @property
    def symspell(self) -> Any:
        """The SymSpell dictionary of the release's words, built (and symspellpy imported) on the
        first word that needs correcting: most questions have none."""
        if self._symspell is None:
            from symspellpy import SymSpell

            symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
            for word, count in (self._counts + self.roots).items():
                symspell.create_dictionary_entry(word, count)
            self._symspell = symspell
        return self._symspell

    @property
    def roots(self) -> Counter[str]:
        """``_roots`` of the release's words (before the names were added), on first use."""
        if self._roots is None:
            self._roots = _roots(*self._text_words)
        return self._roots

    def _fix_word(self, word: str) -> str | None:
        """The corrected form of one word (lower case), or None to keep it."""
        low = word.lower()
        if low in self.vocabulary or len(low) < 3 or not low.isalpha():
            return None
        english = english_counts().get(low, 0)
        if english >= COMMON_ENGLISH:
            return None
        distance = 1 if len(low) <= 5 else 2
        from symspellpy import Verbosity

        found = self.symspell.lookup(low, Verbosity.ALL, max_edit_distance=2)
        # A short word takes one edit, or its own letters in another order ("sirya" -> syria).
        found = [s for s in found if s.distance <= distance or sorted(s.term) == sorted(low)]
        if not found:
            return None
        # The fewest edits; among those, a word holding every typed letter in order (a letter left
        # out is the commonest slip: "agre" -> agree, not are), then the most frequent.
        best = max(found, key=lambda s: (-s.distance, _holds_in_order(s.term, low), s.count))
        if english and best.term not in self.proper:
            return None  # a real (if rare) English word, and no name of the release it could be
        return best.term

    def correct(self, question: str) -> Correction:
        out: list[str] = []
        changed = False
        for token in _TOKEN.findall(question):
            core = token.strip('?!.,;:"“”()')
            lead = token[: token.find(core)] if core else token
            tail = token[len(lead) + len(core) :]
            low = core.lower()
            negated = _NEGATED.match(low)
            expansion = CHAT_FORMS.get(low, _not(negated) if negated else None)
            if expansion is not None:
                changed = True
                if expansion:
                    out.append(lead + expansion + tail)
                elif lead + tail:
                    out.append(lead + tail)
                continue
            joined = low.replace("-", "")
            fixed = self._joined.get(joined) or (self._fix_word(core) if core.isalpha() else None)
            if fixed is None and "-" in low and (joined in self.vocabulary or joined in self.roots):
                fixed = joined
            if fixed is not None and fixed != low:
                changed = True
                if core[0].isupper() or fixed in self.proper:
                    fixed = fixed.capitalize()
                out.append(lead + fixed + tail)
            else:
                out.append(token)
        text = " ".join(out)
        if not changed or not any(ch.isalnum() for ch in text):  # "bruh?" is not a "?" question
            return Correction(question, False)
        return Correction(text, True)
