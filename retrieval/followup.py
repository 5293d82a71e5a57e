"""Follow-up questions: "and what did Lavrov say?", "why?", "what about Ukraine?", "did he say
anything else?" rewritten into standalone questions from the last few turns of a conversation.

Pure and Discord-free: the console keeps its turns in memory, the Discord layer reads them from
the thread or the reply chain. Rules, in order:

1. No earlier turn: the question is returned as it is.
2. A question that names its own subject and has no follow-up marker (a leading "and"/"what
   about", a pronoun, "else", or only a question word such as "why?") is returned as it is.
3. Otherwise the subject and the speaker of the last turn carry over: a new person replaces the
   speaker ("and what did Lavrov say?"), a new subject replaces the subject ("what about
   Ukraine?"), he/she/him/her become the last speaker, it/that/this the last subject, they/them
   the people the last turn named (when it named two or more).

The subject of a turn is what its question asked about ("about X", "on X", ...) or, failing that,
its content words without question words, names and verbs of saying.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.speakers import Speakers

MAX_TURNS = 3  # how many earlier turns a follow-up may lean on


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the (standalone) question, the answer's text, and the speaker the
    question asked about, when known."""

    question: str
    answer: str = ""
    speaker: str | None = None


NOBODY = Speakers()


@lru_cache(maxsize=8)
def _person(speakers: Speakers) -> re.Pattern[str]:
    """Any alias of the profile's people (a pattern that matches nothing without people)."""
    aliases = sorted({a for names in speakers.people.values() for a in names}, key=len, reverse=True)
    if not aliases:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(?P<name>" + "|".join(re.escape(a) for a in aliases) + r")(?:[’']s)?\b", re.I)


_LEAD = re.compile(
    r"^(?:(?:and|but|so|also|ok(?:ay)?|then|now|hmm+)[\s,]+)*"
    r"(?:(?:what|how)\s+about|and|what\s+of|as\s+for|regarding)\b[\s,]*",
    re.I,
)
_CONNECTOR = re.compile(r"^(?:(?:and|but|so|also|ok(?:ay)?|then|now)[\s,]+)+", re.I)
_ABOUT = re.compile(
    r"\b(?:about|on|regarding|concerning|over|of|with\s+regard\s+to|in\s+relation\s+to)\s+(?P<subject>.+)$",
    re.I,
)
_SUBJECT_TAIL = re.compile(r"\s+(?:is|are|was|were|be|been|has|have|had|did|do|does|will|would)\b.*$", re.I)
_HE = re.compile(r"\b(he|she|him|her)\b", re.I)
_HIS = re.compile(r"\b(his|hers)\b", re.I)
_THEY = re.compile(r"\b(they|them|their)\b", re.I)
_IT = re.compile(
    r"\bit\b|\b(?:that|this)\b(?=\s*$|\s+(?:is|was|mean|means|happen|happened|agreed|decided|about)\b)",
    re.I,
)
_ELSE = re.compile(r"\b(?:else|more|again)\b", re.I)
_WH_ONLY = re.compile(
    r"^(?:why|how|when|where|who|what|how\s+so|really|and|so|which|how\s+come|in\s+what\s+way)"
    r"(?:\s+(?:not|exactly|then|though|so))?$",
    re.I,
)
_QUESTION_START = re.compile(r"^(?:what|who|when|where|why|how|did|does|do|is|are|was|were|will)\b", re.I)
_AUX = re.compile(r"^(?:does|do|did|is|are|was|were|will|would|can|could|has|have|had|should)\b", re.I)
_STOP = frozenset(
    """a an the what who whom whose which when where why how did does do is are was were will would
    can could should shall has have had say said says saying tell told think thought mention
    mentioned about on regarding concerning of to in for and or but so also please me us you i we
    anything something else more other any there it that this he she they them his her their
    again really exactly any then""".split()  # noqa: SIM905
)


def _people(text: str, speakers: Speakers) -> list[str]:
    """The people named in ``text``, canonical, in order of first mention."""
    found: list[str] = []
    for m in _person(speakers).finditer(text):
        person = speakers.canonical(m.group("name"))
        if person and person not in found:
            found.append(person)
    return found


def content_words(text: str, speakers: Speakers) -> list[str]:
    """The words of ``text`` that say what it asks about: people's names, question and speech
    words ("what did tillerson say about it": none) left out."""
    words = re.findall(r"[\w’'-]+", _person(speakers).sub(" ", text))
    return [w for w in words if w.lower() not in _STOP]


def subject_of(question: str, speakers: Speakers = NOBODY) -> str:
    """What a question asks about: "what did Tillerson say about Assad?" -> "Assad"."""
    text = question.strip().rstrip("?!. ")
    m = _ABOUT.search(text)
    if m:
        subject = _SUBJECT_TAIL.sub("", m.group("subject")).strip(" ,")
        if content_words(subject, speakers):
            return subject
    words = content_words(_LEAD.sub("", text), speakers)
    return " ".join(words)


def speaker_of(turn: Turn, speakers: Speakers = NOBODY) -> str | None:
    """The person a turn was about: the asked speaker, else the first person the question names,
    else the first person its answer names."""
    if turn.speaker:
        return turn.speaker
    return (
        speakers.asked_speaker(turn.question)
        or next(iter(_people(turn.question, speakers)), None)
        or next(iter(_people(turn.answer, speakers)), None)
    )


def is_followup(question: str, speakers: Speakers = NOBODY) -> bool:
    """Whether a question leans on earlier turns (see the module's rules)."""
    text = question.strip().rstrip("?!. ")
    if not text:
        return False
    if _LEAD.match(text) or _WH_ONLY.match(text) or _ELSE.search(text):
        return True
    if _HE.search(text) or _HIS.search(text) or _THEY.search(text) or _IT.search(text):
        return True
    return not content_words(text, speakers)


def rewrite_followup(
    question: str, turns: Sequence[Turn], speakers: Speakers = NOBODY, max_turns: int = MAX_TURNS
) -> str:
    """``question`` as a standalone question, given the earlier ``turns`` (oldest first) and the
    people of the corpus profile (``speakers``: who "he" and "they" can be)."""
    question = " ".join(question.split())
    recent = [t for t in turns if t.question.strip()][-max_turns:]
    if not recent or not is_followup(question, speakers):
        return question
    last = recent[-1]
    subject = next((s for s in (subject_of(t.question, speakers) for t in reversed(recent)) if s), "")
    speaker = next((p for p in (speaker_of(t, speakers) for t in reversed(recent)) if p), None)
    named_last = _people(last.question, speakers) or _people(last.answer, speakers)
    text = question.strip().rstrip("?!. ")
    mark = "?"

    # "why?", "how so?", "when?": the question word applied to the last question.
    if _WH_ONLY.match(text):
        word = text.split()[0].lower()
        if word in ("and", "so", "really"):
            word = "what else"
        previous = last.question.strip().rstrip("?!. ")
        if _AUX.match(previous):
            return f"{word.capitalize()} {previous[0].lower()}{previous[1:]}{mark}"
        who = speaker or "they"
        return f"{word.capitalize()} did {who} say that about {subject or 'it'}{mark}"

    lead = _LEAD.match(text)
    rest = text[lead.end() :] if lead else text
    rest_people = _people(rest, speakers)
    rest_words = content_words(rest, speakers)
    # "what about Ukraine?" / "and Lavrov?": a bare new subject or person.
    if lead and rest and not _QUESTION_START.match(rest):
        if rest_people and not rest_words:
            return f"What did {rest_people[0]} say about {subject or 'the summit'}{mark}"
        if speaker:
            return f"What did {speaker} say about {rest}{mark}"
        return f"What did they say about {rest}{mark}"

    rewritten = _CONNECTOR.sub("", rest).strip()
    own_subject = subject_of(rewritten, speakers) if _ABOUT.search(rewritten) else ""
    # Pronouns: he/she -> the last speaker; they -> the people named last (two or more);
    # it/that/this -> the last subject.
    if speaker and not rest_people:
        rewritten = _HE.sub(speaker, rewritten)
        rewritten = _HIS.sub(f"{speaker}'s", rewritten)
    if len(named_last) >= 2:
        rewritten = _THEY.sub(" and ".join(named_last[:2]), rewritten)
    if subject and not own_subject:
        replaced = _IT.sub(subject, rewritten, count=1)
        if replaced != rewritten:
            return _finish(replaced)
        if (
            (rest_people and not content_words(rewritten, speakers))
            or _ELSE.search(rewritten)
            or not rest_words
        ):
            return _finish(f"{rewritten} about {subject}")
    return _finish(rewritten)


def _finish(text: str) -> str:
    text = " ".join(text.split()).rstrip("?!. ")
    return (text[:1].upper() + text[1:] + "?") if text else text


_QUESTION_WORD = re.compile(
    r"^(?:what|what's|whats|who|who's|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|"
    r"can|could|will|would|should|has|have|had|tell\s+me|explain|describe|summari[sz]e|any)\b",
    re.I,
)


def looks_like_question(text: str, *, in_conversation: bool = False) -> bool:
    """Whether a message in an answer channel is a question for the bot: at least two words and
    a question mark or a leading question word ("lol", "thanks!" and "ok?" are not). In a
    conversation the bot started (its thread), a one-word follow-up such as "why?" counts too.
    Links do not count: their "?" is a query string."""
    text = re.sub(r"https?://\S+", " ", text)
    words = re.findall(r"[^\W_]+(?:[’'-][^\W_]+)*", text)
    if not words:
        return False
    if (
        in_conversation
        and is_followup(text)
        and (len(words) > 1 or _WH_ONLY.match(text.strip().rstrip("?!. ")))
    ):
        return True
    if len(words) < 2:
        return False
    return "?" in text or bool(_QUESTION_WORD.match(text.strip()))
