"""Is this a question about the release at all? Part of the Query stage.

Requests to produce something ("write a poem about Putin", "translate this", "tell me a joke"),
attempts to change the rules ("ignore your instructions"), and chit-chat ("hi", "thanks!", "who
made you?") are not questions a quoting bot can answer from the release: they get a short reply
saying what the bot does, never a quotation dressed up as an answer.
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["question", "instruction", "chitchat"]

_INSTRUCTION = re.compile(
    r"""^(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+|would\s+you\s+|now\s+)?(?:
        write|compose|draft|generate|create|make\s+(?:up|me)|invent|sing|rap|rhyme
      | translate|rewrite|rephrase|paraphrase
      | tell\s+(?:me\s+)?(?:a\s+)?(?:joke|story|poem|riddle)
      | (?:give|show)\s+me\s+(?:a\s+)?(?:joke|poem|story|song|recipe|haiku)
      | pretend|act\s+as|roleplay|role-play|imagine\s+you
      | ignore|disregard|forget\s+(?:all|your|everything|previous|the)
      | say\s+something|repeat\s+after
      | predict|guess|speculate
    )\b""",
    re.I | re.X,
)
_RULE_BREAKING = re.compile(
    r"\b(?:ignore|disregard|override|bypass)\b.{0,40}\b(?:instructions?|rules?|prompt|guidelines?|system)\b"
    r"|\b(?:jailbreak|system\s+prompt|developer\s+mode|DAN)\b",
    re.I,
)
_CREATIVE = re.compile(
    r"\b(?:a\s+)?(?:joke|poem|haiku|limerick|song|rap|story|essay|tweet)\s+(?:about|on|for)\b", re.I
)
# "why did Tillerson tell the story about the First Lady?" asks about a story; it does not ask for one.
_ASKS_ABOUT_THE_TEXT = re.compile(
    r"^(?:why|when|where|who|which|how(?!\s+about)|did|does|do|was|were|is|has|had)\b", re.I
)
_CHITCHAT = re.compile(
    r"""^(?:
        (?:hi|hello|hey|yo|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|night)|gm|sup)
      | (?:thanks|thank\s+you|thx|ty|cheers|great|cool|nice|ok(?:ay)?|lol|lmao|wow|bye|goodbye|cya)
      | how\s+are\s+(?:you|u)(?:\s+doing)?(?:\s+today)?
      | how(?:'|’)?s\s+it\s+going
      | what(?:'|’)?s\s+up | whats\s+up | wassup
      | who\s+(?:are|r)\s+(?:you|u) | what\s+are\s+(?:you|u)
      | who\s+(?:made|built|created|wrote|programmed|owns)\s+(?:you|u|this\s+bot)
      | (?:are|r)\s+(?:you|u)\s+(?:a\s+)?(?:bot|human|real|ai|alive|there|sentient|conscious)
      | (?:do|can|could)\s+(?:you|u|ya)\s+(?:like|love|feel|think|dream
            |have\s+(?:any\s+)?(?:feelings|emotions|friends|a\s+(?:name|life|soul|body|favou?rite\b)))\b.*
      | what(?:'|’)?s\s+your\s+name | what\s+is\s+your\s+name
      | got\s+it | makes\s+sense
      | (?:ok(?:ay)?|thanks|thx|ty|cool)[\s,]+(?:thanks|thx|ty|got\s+it|makes\s+sense)
    )(?:\s+(?:there|bot|summitbot|guys|all|everyone|so\s+much|a\s+lot|buddy|mate))*
    # "thanks, that helped", "thx that was really useful"
    (?:[\s,]+(?:that|this|it)(?:'|’|\s+wa|\s+i)?s?\s+(?:really\s+|very\s+|super\s+)?(?:helped|helps|helpful|useful|great|perfect|clear))?\s*[!.?,:;)(\s]*(?:\w{0,3}[!.?]*)?$""",
    re.I | re.X,
)


def classify(question: str) -> Intent:
    text = " ".join(question.split())
    if _CHITCHAT.match(text):
        return "chitchat"
    creative = _CREATIVE.search(text) and not _ASKS_ABOUT_THE_TEXT.match(text)
    if _RULE_BREAKING.search(text) or _INSTRUCTION.match(text) or creative:
        return "instruction"
    return "question"
