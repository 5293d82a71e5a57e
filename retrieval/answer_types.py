"""What kind of answer a question expects, and whether a sentence holds one. Query stage.

when / what date / what time -> a date or time; where -> a place; who / which country -> a person
or body; how many / how much -> a number; how long -> a duration; why -> a reason; did / does /
is / was ... -> yes or no (answered by the sentence that confirms or denies it). Two kinds of
question are answered by a verdict the text states in so many words: whether something came off
("did the first lady manage to end the meeting?" -> "so she failed") and what someone denied or
refused ("what wouldn't Putin admit?" -> "Putin firmly denied ..."). Other questions ("what did
X say about Y") expect no particular type.

The detectors are deliberately plain: they look for the surface forms such answers take in
English news text (month names and days, clock times, numerals and number words, "because",
capitalised names, ...). A question whose expected type is in none of the sentences on its
subject is one the release does not answer in full (see answerability).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

AnswerType = Literal[
    "date", "place", "person", "number", "duration", "reason", "yesno", "outcome", "denial", "any"
]
# ``question_form``: an answer type, or "which" for a question that picks one of a kind.
QuestionForm = AnswerType | Literal["which", "about"]

# "what exact date", "at what precise time": the question's own insistence (see _PRECISELY).
_EXACT = r"(?:(?:exact|precise|specific)\s+)?"
_WHEN = re.compile(
    rf"^(?:when|what\s+{_EXACT}(?:date|day|time|year|month|hour)|at\s+what\s+{_EXACT}time"
    rf"|which\s+{_EXACT}(?:day|date|year|month)|how\s+soon|by\s+when|since\s+when)\b",
    re.I,
)
# "what time", "which day": a clock time or a calendar date, not "this morning" or "at one point".
_CALENDAR = re.compile(
    r"\b(?:what|which)\s+(?:(?:exact|precise|specific)\s+)?(?:date|day|time|year|month|hour)\b", re.I
)
_WHERE = re.compile(
    rf"^(?:where|in\s+which\s+(?:city|country|place)|what\s+{_EXACT}(?:city|country|place|venue|location))\b",
    re.I,
)
_WHO = re.compile(
    r"^(?:who|whom|whose|which\s+(?:person|people|official|country|countries|nation|side|leader))\b", re.I
)
_HOW_LONG = re.compile(r"^(?:how\s+long|for\s+how\s+long)\b", re.I)
_HOW_MANY = re.compile(r"^(?:how\s+(?:many|much|often|big|large|old))\b", re.I)
_WHY = re.compile(r"^(?:why|for\s+what\s+reason|what\s+(?:was|is)\s+the\s+reason|how\s+come)\b", re.I)
_YESNO = re.compile(
    r"^(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should)\s+(?!you\b|u\b)", re.I
)
# A yes/no question on whether an attempt came off ("did she manage to ...", "was he able to ...",
# "did it work"), answered by the sentence that says it did or did not ("so she failed").
_ATTEMPT = re.compile(r"\b(?:manag(?:e|ed|es|ing)|succe\w*|able\s+to|fail\w*|work(?:s|ed)?)\b", re.I)
_OUTCOME = re.compile(
    r"\b(?:fail\w*|succe\w*|(?:did\s*n[o’']t|did\s+not|does\s*n[o’']t|does\s+not)\s+work|worked"
    r"|managed|unable|in\s+vain)\b",
    re.I,
)
# A question on what someone refused or would not admit ("what did putin refuse to admit", "did
# putin deny ...?"), answered by the sentence that reports the denial.
_DENIED = re.compile(
    r"\b(?:refus\w*|den(?:y|ied|ies|ying)|admit\w*|reject\w*|would\s*n[o’']?t|wo\s*n[o’']?t)\b", re.I
)
_DENIAL = re.compile(
    r"\b(?:den(?:y|ied|ies|ying|ial)|refus\w*|reject\w*|would\s+not|would\s*n[’']t|will\s+not"
    r"|wo\s*n[’']t|not\s+accept)\b",
    re.I,
)
_LEAD = re.compile(
    r"^(?:(?:and|also|so|ok|okay|but|then|hey|um|uh|like|pls|please|lol|lmao|yo|wait|hmm|oh|btw)[\s,]+)+",
    re.I,
)

_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am|pm)\b"
    r"|\b(?:this|yesterday|tomorrow|last|next)\s+(?:morning|afternoon|evening|night|week|month|year)\b"
    r"|\b(?:today|yesterday|tomorrow|tonight)\b|\bon\s+the\s+\d"
    # a moment given by an event: "after she came in", "had reached a point where", "at one point"
    r"|\b(?:after|before|until|once|as\s+soon\s+as|by\s+the\s+time)\s+(?:she|he|they|it|the|we|i)\b"
    r"|\b(?:a|one)\s+point\s+(?:where|when|at\s+which)\b|\bat\s+one\s+point\b",
    re.I,
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|hundred|thousand|million|billion|dozen|dozens|both|many|few|several|all|none|most"
)
_NUMBER = re.compile(rf"\b\d+(?:[.,]\d+)?\b|\b(?:{_NUMBER_WORDS})\b", re.I)
# A question that insists on the exact figure or moment ("how many times exactly", "what exact
# time") is not answered by "many, many meetings" or "this morning".
_PRECISELY = re.compile(r"\b(?:exact|exactly|precise|precisely|specific|specifically)\b", re.I)
_COUNTED = re.compile(r"\bhow\s+many\s+(?:(?:exact|specific|separate|different)\s+)?(?P<noun>[a-z]+)", re.I)
# Two or more capitalised names in a list: "Russia, Germany, and France", "Lavrov and U.S. ..."
_CAPITALISED = r"(?:the\s+)?[A-Z][\w.’'-]*(?:\s+(?:of\s+)?[A-Z][\w.’'-]*)*"
_NAME_LIST = re.compile(rf"{_CAPITALISED}(?:\s*,\s*{_CAPITALISED})*,?\s+and\s+{_CAPITALISED}")
_VAGUE = {"both", "many", "few", "several", "all", "none", "most", "dozens"}
_PRECISE_DATE = re.compile(
    rf"\b(?:{_MONTHS})\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am|pm)\b|\bon\s+the\s+\d",
    re.I,
)
_DURATION = re.compile(
    rf"\b(?:\d+|an?|another|{_NUMBER_WORDS})\s+(?:more\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:an?|another)\s+(?:hour|minute|day|week|month|year)\b",
    re.I,
)
_REASON = re.compile(
    r"\b(?:because|since|so\s+that|in\s+order\s+to|due\s+to|as\s+a\s+result|the\s+reason|therefore|thus"
    r"|if\s+that\s+were\s+the\s+case|to\s+(?:resolve|avoid|move|settle|establish|collaborate|maintain|find))\b",
    re.I,
)
# A capitalised word that does not start the sentence (names of people, places and bodies).
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z’'\-]+|\bU\.[SN]\.")
_PLACE = re.compile(
    r"\b(?:in|to|near|at|from)\s+(?:the\s+)?(?:[A-Z][a-z]+\s*)+|\bborder\b|\bzone\b|\bregion\b|\bcity\b", re.M
)
_PERSON_NOUN = re.compile(
    r"\b(?:President|Secretary|Minister|Ambassador|translator|community|Department|people|parties|sides"
    r"|leaders|members|Lady)\b"
)


_TYPES: tuple[tuple[re.Pattern[str], AnswerType], ...] = (
    (_HOW_LONG, "duration"),
    (_HOW_MANY, "number"),
    (_WHEN, "date"),
    (_WHERE, "place"),
    (_WHO, "person"),
    (_WHY, "reason"),
    (_YESNO, "yesno"),
)


def expected_type(question: str) -> AnswerType:
    text = _LEAD.sub("", question.strip())
    kind: AnswerType = next((kind for pattern, kind in _TYPES if pattern.search(text)), "any")
    if kind == "yesno" and _ATTEMPT.search(text):
        return "outcome"
    if kind in ("yesno", "any") and _DENIED.search(text):
        return "denial"
    return kind


# A question for someone's very words ("what did putin say word for word", "in his own words",
# "like an actual quote"): answered only where the text quotes that person.
_VERBATIM = re.compile(
    r"\b(?:word\s+for\s+word|verbatim|(?:in\s+)?(?:his|her|their)\s+own\s+words|(?:exact|actual|precise)"
    r"\s+(?:words?|quotes?|quotation|wording)|direct(?:ly)?\s+quot\w*|actual(?:ly)?\s+quot\w*)\b",
    re.I,
)


def asks_verbatim(question: str) -> bool:
    """Whether the question asks for someone's very words, not what they said in substance."""
    return bool(_VERBATIM.search(question))


def asks_precisely(question: str) -> bool:
    """Whether the question insists on an exact figure or moment ("how many times exactly",
    "what exact time")."""
    return bool(_PRECISELY.search(question) or _CALENDAR.search(question))


def question_form(question: str) -> QuestionForm:
    """What a question asks for, beyond its subject: its expected answer type, with "how many
    days" (a number) and "how long" (a duration) as one, and "did it work" (an outcome) a yes/no;
    or "which" for a question that picks one of a kind ("which sanctions does trump want", "what
    evidence did they show"). "does trump want to keep sanctions on north korea" (yesno), "what
    does trump want on north korea sanctions" (any) and "which sanctions does trump want" (which)
    share a subject and nearly all their words (cosine 0.95), not their form: the release answers
    the first two and not the third."""
    kind = expected_type(question)
    if kind == "any" and _WHICH.search(question):
        return "which"
    if kind == "any" and _ABOUT.match(question.strip()):
        return "about"
    return _FORM.get(kind, kind)


# "tell me about the double freeze", "explain the cyber thing", "what about haley": whatever the
# release says on a subject answers it, so the release lacking one detail of it ("what does the
# double freeze actually involve") does not make it partial.
_ABOUT = re.compile(
    r"^(?:(?:can|could|would)\s+(?:you|u)\s+|pl(?:ease|s|z)\s+)?(?:tell\s+(?:me|us)\s+(?:more\s+)?(?:about|of|abt)"
    r"|(?:explain|describe)(?!\s+(?:what|how|why|who|when|where|which|whether|if)\b)|(?:give\s+(?:me|us)\s+)?(?:a\s+|the\s+)?(?:summary|overview|rundown|recap)\s+(?:of|on)"
    r"|(?:what|how)\s+about)\b",
    re.I,
)


# "which sanctions (exactly) does", "what specific steps did", "what kind of proof was": a noun
# right after the question word, then the verb.
_AUXILIARY = r"(?:is|was|are|were|did|does|do|has|have|had|will|would)\b"
_WHICH = re.compile(
    rf"^[^,;?]{{0,40}}?\bwhich\s+(?!{_AUXILIARY})[a-z]+"
    r"|\b(?:which|what)\s+(?:(?:specific|exact|particular|kind\s+of|type\s+of|sort\s+of)\s+)?"
    r"(?!(?:else|exactly|really|actually|about|if|the|they|he|she|it|we|you|i)\b)[a-z]+\s+(?:or\s+[a-z]+\s+)?"
    rf"(?:exactly\s+|specifically\s+)?{_AUXILIARY}",
    re.I,
)


_FORM: dict[AnswerType, AnswerType] = {"duration": "number", "outcome": "yesno"}


def counted(question: str) -> str:
    """What a "how many" question counts ("how many countries agreed" -> "countries"; "" when
    it names nothing or is not such a question)."""
    m = _COUNTED.search(question)
    return m.group("noun").lower() if m else ""


# "how many times did they meet": occurrences of what the verb says, which the release counts in
# a noun of its own ("many, many meetings"): a figure of anything but a unit of time counts.
_OCCURRENCES = frozenset({"times", "occasions"})
_UNITS = re.compile(r"^(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|percent|km|miles?)\b")


def _counts(sentence: str, noun: str, *, precise: bool) -> bool:
    """A figure counting ``noun`` ("35 minutes", "many issues"; any figure when no noun is
    named), not a vague one ("many", "few") when ``precise``; or, for a named noun and not
    ``precise``, a list of names ("the United States, Russia, and Jordan")."""
    for m in _NUMBER.finditer(sentence):
        if precise and m.group(0).lower() in _VAGUE:
            continue
        after = sentence[m.end() : m.end() + 40].lower().split()[:3]
        if not noun or any(w.startswith(noun[:4]) for w in after):
            return True
        if noun in _OCCURRENCES and after and not _UNITS.match(after[0].strip(",")):
            return True
    return bool(noun) and not precise and bool(_NAMED_KINDS.match(noun) and _NAME_LIST.search(sentence))


# What a list of names can count: countries, parties, leaders ... ("the United States, Russia,
# and Jordan" counts countries, not troops or reporters). A word such as "of" or "other" in the
# noun's place ("how many of them") names no kind, so a list may count it too.
_NAMED_KINDS = re.compile(
    r"^(?:countr|nation|state|part(?:y|ie)|side|leader|member|govern|official|minister|president"
    r"|diplomat|power|group|organi[sz]|compan|cit(?:y|ie)|envoy|ambassador|person|of$|other$|is$|are$)",
    re.I,
)


def holds(kind: AnswerType, sentence: str, *, precise: bool = False, counted: str = "") -> bool:
    """Whether ``sentence`` contains an answer of this type (always true for "any"/"yesno"; for
    "outcome" a verdict on an attempt, "failed"; for "denial" a denial or refusal).
    ``precise`` (see ``asks_precisely``): only an exact date or figure will do, not "this
    morning" or "many, many meetings"; ``counted``: what a "how many" question counts, which
    the figure must count."""
    if kind == "date":
        return bool((_PRECISE_DATE if precise else _DATE).search(sentence))
    if kind == "number":
        if precise or counted:
            return _counts(sentence, counted, precise=precise)
        return bool(_NUMBER.search(sentence))
    if kind == "duration":
        return bool(_DURATION.search(sentence))
    if kind == "reason":
        return bool(_REASON.search(sentence))
    if kind == "place":
        return bool(_PLACE.search(sentence))
    if kind == "person":
        return bool(_NAME.search(sentence) or _PERSON_NOUN.search(sentence))
    if kind == "outcome":
        return bool(_OUTCOME.search(sentence))
    if kind == "denial":
        return bool(_DENIAL.search(sentence))
    return True


# "who is Sergey Lavrov?": the whole question is a name, and the answer is what the text calls
# them: the title that comes with the name ("Russian Foreign Minister Sergey Lavrov").
_WHO_IS = re.compile(r"^(?:so\s+)?(?:who|what)\s*(?:is|was|'s|’s|s)\s+(?P<name>[\w’'.\- ]+?)\s*\??$", re.I)
_TITLE_RUN = re.compile(r"(?:\b(?:[A-Z][\w.’'\-]*|of)\s+)*\b[A-Z][\w.’'\-]*\s+$")


def defined_name(question: str) -> str | None:
    """The name a "who is X?" question asks about (its last word: the surname), else None."""
    m = _WHO_IS.match(_LEAD.sub("", question.strip()))
    if not m or len(m.group("name").split()) > 4:
        return None
    return m.group("name").split()[-1]


def titled(name: str, sentence: str) -> bool:
    """Whether ``sentence`` names ``name`` with a title before it ("Ambassador Kurt Volker",
    "President Putin"), not at the start of the sentence."""
    for m in re.finditer(rf"\b{re.escape(name)}\b", sentence, re.I):
        before = _TITLE_RUN.search(sentence[: m.start()])
        if before and before.start() > 0 and sentence[: before.start()].strip():
            return True
    return False


# The kinds whose absence from the sentences on a subject can be told reliably from their surface
# form; a reason, a person or a place is too often implicit ("They sent the First Lady in").
CHECKABLE: frozenset[str] = frozenset({"date", "number", "duration"})

NOT_STATED = {
    "date": "when",
    "place": "where",
    "person": "who",
    "number": "how many or how much",
    "duration": "how long",
    "reason": "why",
}


# "which reporter" would catch too much: a reworded question names things in its own words.
# (Not "how fast": speed is told in adverbs the question does not use, "connected very quickly".)
_FOCUS = re.compile(r"^how\s+(?P<adj>old|big|large|far|tall|heavy|expensive|wide|deep)\b", re.I)
# As a noun only ("her name", "the first ladys name", "the name of"), not "why did Trump name ...".
_DETAIL_NOUNS = r"name|names|age|cost|price|size|salary|nationality|address"
_ASKED_NOUN = re.compile(
    r"\b(?:(?:the|a|an|his|her|their|its|your|my|what|\w+['’]s)\s+(?:\w+\s+){0,2}"
    rf"(?P<noun>{_DETAIL_NOUNS})\b|(?P<of>{_DETAIL_NOUNS})\s+of)\b",
    re.I,
)


def focus_words(question: str) -> list[str]:
    """The word naming what is asked for ("how *old*", "what is her *name*"):
    when the release never uses it, the release cannot be giving that detail."""
    text = _LEAD.sub("", question.strip())
    words = [m.group("noun") or m.group("of") for m in _ASKED_NOUN.finditer(text)]
    m = _FOCUS.search(text)
    if m:
        words.append(m.group("adj"))
    return [w.lower() for w in words if w]


# A request for the gist of the whole document ("tldr of the whole summit pls", "whats the
# tldr on where both sides landed overall"): a gist marker, and no subject of its own besides
# words that name the document or its events as a whole.
_GIST = re.compile(
    r"\b(?:tl\s*;?\s*dr|gist|overall|in\s+a\s+nutshell|sum(?:s|med)?\s+(?:(?:it|this|that|things|everything)\s+)?up"
    r"|summ?ar(?:y|ise|ize)|big\s+picture|take\s*-?\s*aways?|bottom\s+line|upshot|recap|run\s*-?\s*down"
    r"|overview|(?:main|key|short|quick)\s+(?:points?|message|version|story|idea)|in\s+(?:short|brief))\b",
    re.I,
)
# Words that leave a gist request without a subject: the document, its events and sides as a
# whole, and how a user asks ("gimme", "what happened", "how did it all end").
_WHOLE = (
    "whole all everything thing things stuff summit meeting meetings talks briefing briefings release "
    "document article story press news both sides side parties happened happen basically general "
    "end ended landed go went give gimme tell say said pls please plz lol ok okay just like really "
    "actually quick short version bro yo hey tho me i you u we us it its "
    "what whats wat how where did do does is are was were "
    "know mean kinda sorta lmao ngl tbh idk fr rn"
)


def whole_terms(tokens: Callable[[str], Sequence[str]], also_whole: str = "") -> frozenset[str]:
    """The terms that leave a gist request without a subject, as ``tokens`` (the search's
    tokeniser: stop words out, stemmed) gives them; ``also_whole``: more words that name the
    document as a whole (its title). Worked out once per index."""
    return frozenset(tokens(f"{_WHOLE} {also_whole}"))


def asks_gist(question: str, tokens: Callable[[str], Sequence[str]], whole: frozenset[str]) -> bool:
    """Whether the question asks for the gist of the whole document and nothing more specific
    (``whole``: from ``whole_terms`` with the same ``tokens``)."""
    if not _GIST.search(question):
        return False
    return all(t in whole for t in tokens(_GIST.sub(" ", question)))
