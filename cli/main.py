"""The command line: argument parsing, one function per command, friendly errors.

Exit codes: 0 success; 1 bad input (empty question, unknown topic, ...); 2 set-up problem (missing
corpus, unloadable model, missing Discord token); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from cli.doctor import cmd_doctor
from retrieval.api import UserError

log = logging.getLogger("summitbot")


def _service(args: argparse.Namespace, *, rebuild: bool = False):  # type: ignore[no-untyped-def]
    from config.settings import load_settings
    from retrieval.api import open_service

    return open_service(load_settings(), progress=sys.stderr.isatty(), rebuild=rebuild)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _docs(service) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {d.doc_id: d for d in service.documents()}


# --------------------------------------------------------------------------------------- commands
def cmd_ask(args: argparse.Namespace) -> int:
    from cli.render import answer_text
    from config.settings import load_settings
    from retrieval.api import clean_question

    if args.question != "-":  # a bad question is refused before the model is loaded
        clean_question(args.question, load_settings().answer.max_question_chars)
    service = _service(args)
    if args.question == "-":
        return _ask_stream(service, args.json)
    answer = service.ask(args.question)
    if args.json:
        _print_json(answer.to_json())
    else:
        print(answer_text(answer, _docs(service)))
    return 0


def _ask_stream(service, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    """One question per stdin line, one answer per line, each flushed as soon as it is ready.

    Lines are read as bytes: a byte that is not UTF-8 becomes a lone surrogate, which the question
    cleaner removes, so such a line is answered (or refused) like any other and never ends the
    stream. A refused line is echoed with those bytes shown as U+FFFD."""
    from cli.render import answer_text

    for raw in sys.stdin.buffer:
        line = raw.rstrip(b"\r\n")
        question = line.decode("utf-8", "surrogateescape")
        try:
            answer = service.ask(question)
        except UserError as exc:
            obj: dict[str, Any] = {
                "question": line.decode("utf-8", "replace"),
                "answered": False,
                "answer": exc.message,
                "citations": [],
                "coverage": "none",
                "error": True,
            }
            _print_json(obj) if as_json else print(exc.message, flush=True)
            continue
        if as_json:
            _print_json(answer.to_json())
        else:
            print(answer_text(answer, _docs(service)) + "\n", flush=True)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from cli.render import summary_text

    service = _service(args)
    summary = service.summary(args.topic)
    _print_json(summary.to_json()) if args.json else print(summary_text(summary, _docs(service)))
    return 0


def cmd_positions(args: argparse.Namespace) -> int:
    from cli.render import positions_text

    service = _service(args)
    positions = service.positions(args.topic)
    _print_json(positions.to_json()) if args.json else print(positions_text(positions, _docs(service)))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from cli.render import topics_text
    from config.settings import load_settings
    from retrieval.api import list_topics

    topics = list_topics(load_settings())
    if args.json:
        _print_json([{"name": t.name, "description": t.description} for t in topics])
    else:
        print(topics_text(topics))
    return 0


def cmd_source(args: argparse.Namespace) -> int:
    from cli.render import source_text

    service = _service(args)
    passage = service.source(args.paragraph, args.doc)
    doc = service.document(passage.doc_id)
    if args.json:
        _print_json({"doc": passage.doc_id, "paragraph": passage.paragraph, "text": passage.text})
    else:
        print(source_text(passage, doc))
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    service = _service(args, rebuild=args.rebuild)
    stats = service.stats
    seconds = time.perf_counter() - start
    state = f"rebuilt ({stats.reason})" if stats.rebuilt else "up to date"
    print(
        f"{stats.documents} document(s), {stats.passages} passages, {stats.sentences} sentences; "
        f"index {state}; {seconds:.2f} seconds; query backend: {service.query_backend}"
    )
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from cli.chat import chat

    return chat(_service(args))


def cmd_eval(args: argparse.Namespace) -> int:
    from retrieval.api import evaluation_report, fit_answerability, format_evaluation

    if args.fit:
        from config.settings import load_settings

        path = fit_answerability(_service(args), args.questions, load_settings().answerability_file)
        print(f"answerability model written to {path}; run `python bot.py eval` again to see it at work")
        return 0
    report = evaluation_report(_service(args), args.questions)
    _print_json(report) if args.json else print(format_evaluation(report))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Totals and the worst-rated questions; ``--export FILE``: the down-voted questions as an
    eval set (TOML) to review and join. Reads the database only: no model, no index."""
    from cli.render import feedback_text
    from config.settings import load_settings
    from retrieval.api import FeedbackUnavailable, SetupError, eval_toml, open_feedback

    store = open_feedback(load_settings())
    try:
        if args.export:
            questions = store.down_voted()
            with open(args.export, "w", encoding="utf-8") as fh:
                fh.write(eval_toml(questions))
            print(f"{len(questions)} down-voted question(s) written to {args.export}", file=sys.stderr)
            return 0
        summary = store.summary()
    except FeedbackUnavailable as exc:
        raise SetupError(f"cannot read the feedback: {exc}") from None
    except OSError as exc:
        raise UserError(f"cannot write {args.export}: {exc.strerror}") from None
    _print_json(summary.to_json()) if args.json else print(feedback_text(summary))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from config.settings import load_settings

    settings = load_settings()
    try:
        from cogs.launcher import run_bot
    except ImportError as exc:
        raise UserError(f"The Discord bot is not available: {exc}") from None
    return run_bot(settings)


def cmd_sync(args: argparse.Namespace) -> int:
    from config.settings import load_settings

    settings = load_settings()
    try:
        from cogs.launcher import run_sync
    except ImportError as exc:
        raise UserError(f"The Discord bot is not available: {exc}") from None
    return run_sync(settings, args.guild)


def cmd_start(args: argparse.Namespace) -> int:
    """`make run`: the Discord bot when DISCORD_TOKEN is set, otherwise the console."""
    from config.settings import load_settings

    if load_settings().discord.token:
        return cmd_run(args)
    print("DISCORD_TOKEN is not set: starting the interactive console instead of the Discord bot.\n")
    return cmd_chat(args)


# ----------------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py",
        description="SummitBot: answers quoted word for word from a folder of documents, with citations.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("ask", cmd_ask, "answer a question with quoted, cited sentences")
    p.add_argument("question", help='the question, or "-" to read one question per line from stdin')
    p.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    for name, func, help_ in (
        ("summary", cmd_summary, "summarise a topic in 3-6 cited sentences"),
        ("positions", cmd_positions, "the U.S. and the Russian positions on a topic, side by side"),
    ):
        p = add(name, func, help_)
        p.add_argument("topic", help="a topic from `topics`, or free text")
        p.add_argument("--json", action="store_true")
    p = add("topics", cmd_topics, "list the topics the documents cover")
    p.add_argument("--json", action="store_true")
    p = add("source", cmd_source, "print one paragraph of a document in full")
    p.add_argument("paragraph", type=int, help="paragraph number (as in the citations)")
    p.add_argument("--doc", default=None, help="document id, when the corpus has several")
    p.add_argument("--json", action="store_true")
    p = add("index", cmd_index, "build the index if needed (or --rebuild) and print its size")
    p.add_argument("--rebuild", action="store_true", help="rebuild even when up to date")
    add("chat", cmd_chat, "interactive console (/help inside for commands)")
    p = add("eval", cmd_eval, "retrieval and answer quality on the question set")
    p.add_argument("--questions", default=None, help="question set (default eval/dev.toml)")
    p.add_argument("--fit", action="store_true", help="fit the answerability model on the set and save it")
    p.add_argument("--json", action="store_true")
    p = add("feedback", cmd_feedback, "the 👍/👎 votes on the bot's answers: totals and worst questions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--export", metavar="FILE", help="write the down-voted questions as an eval set (TOML)")
    add("run", cmd_run, "start the Discord bot (needs DISCORD_TOKEN)")
    add(
        "sync", cmd_sync, "sync the slash commands with Discord now (start-up syncs only when they changed)"
    ).add_argument(
        "--guild",
        type=int,
        default=None,
        metavar="ID",
        help="sync to this server only (default: DISCORD_GUILD_ID, else global)",
    )
    add("doctor", cmd_doctor, "check Python, packages, model, index, token and folders").add_argument(
        "--full", action="store_true", help="also import torch and sentence-transformers (slow)"
    )
    add("start", cmd_start, "the Discord bot if DISCORD_TOKEN is set, else the console (used by make run)")
    return parser


def _replace_unencodable_output() -> None:
    """Whatever a question held, stdout and stderr stay valid text: a character that cannot be
    encoded (a lone surrogate) is written as "?" instead of raising or leaking a raw byte."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _replace_unencodable_output()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("sentence_transformers", "httpx", "bm25s", "faiss", "discord"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
