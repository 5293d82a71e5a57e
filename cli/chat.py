"""The interactive console: plain questions, /summary X, /positions X, /topics, /source N, /new,
/help, /quit.

Questions are a conversation: a follow-up ("and what did Lavrov say?", "why?") is rewritten into
a standalone question from the last few turns (the service's ``rewrite_followup``) and the console
shows what it searched for; ``/new`` starts afresh.

With a terminal it keeps a line-editing history (readline, saved in ~/.summitbot_history); with a
pipe on stdin it reads one line at a time, so it can be scripted.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from cli.render import answer_text, positions_text, source_text, summary_text, topics_text
from retrieval.api import MAX_TURNS, Turn, UserError

HELP = """Ask anything about the documents, or:
  /summary TOPIC     a cited summary of a topic (see /topics)
  /positions TOPIC   each side's positions side by side (sides come from the corpus profile)
  /topics            the topics the documents cover
  /source N          paragraph N in full
  /new               start a new conversation (follow-ups forget the earlier questions)
  /help              this help
  /quit              leave (Ctrl-D works too)"""
HISTORY = Path.home() / ".summitbot_history"


def _setup_history() -> None:
    try:
        import atexit
        import readline
    except ImportError:
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY)
    readline.set_history_length(1000)
    atexit.register(lambda: _save_history(readline))


def _save_history(readline) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY)


class Conversation:
    """The turns so far (at most ``MAX_TURNS`` are kept: older ones never count)."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []

    def standalone(self, service, question: str) -> str:  # type: ignore[no-untyped-def]
        return str(service.rewrite_followup(question, self.turns))

    def add(self, question: str, answer: str, speaker: str | None) -> None:
        self.turns = [*self.turns, Turn(question, answer, speaker)][-MAX_TURNS:]

    def reset(self) -> None:
        self.turns = []


def ask(service, conversation: Conversation, line: str) -> str:  # type: ignore[no-untyped-def]
    docs = {d.doc_id: d for d in service.documents()}
    question = conversation.standalone(service, line)
    answer = service.ask(question)
    conversation.add(question, answer.answer, answer.speaker)
    head = f"(follow-up, asked as: {question})\n" if question != " ".join(line.split()) else ""
    return head + answer_text(answer, docs)


def handle(service, line: str, conversation: Conversation | None = None) -> str | None:  # type: ignore[no-untyped-def]
    """The console's reply to one line (None means: quit)."""
    conversation = conversation if conversation is not None else Conversation()
    docs = {d.doc_id: d for d in service.documents()}
    line = line.strip()
    if not line:
        return ""
    if not line.startswith("/"):
        return ask(service, conversation, line)
    command, _, rest = line[1:].partition(" ")
    command, rest = command.lower(), rest.strip()
    if command in ("quit", "exit", "q"):
        return None
    if command == "new":
        conversation.reset()
        return "New conversation: follow-ups start afresh."
    if command in ("help", "h", "?"):
        return HELP
    if command == "topics":
        return topics_text(service.topics())
    if command == "summary":
        return summary_text(service.summary(rest), docs)
    if command == "positions":
        return positions_text(service.positions(rest), docs)
    if command == "source":
        if not rest.isdigit():
            return "Usage: /source N (a paragraph number, e.g. /source 4)"
        passage = service.source(int(rest))
        return source_text(passage, service.document(passage.doc_id))
    return f"Unknown command /{command}. " + HELP


def chat(service) -> int:  # type: ignore[no-untyped-def]
    interactive = sys.stdin.isatty()
    conversation = Conversation()
    if interactive:
        _setup_history()
        print("SummitBot console. Type a question, /help for commands, /quit to leave.\n")
    while True:
        try:
            line = input("summitbot> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            continue
        try:
            reply = handle(service, line, conversation)
        except UserError as exc:
            reply = exc.message
        if reply is None:
            break
        if reply:
            print(reply + "\n", flush=True)
    return 0
