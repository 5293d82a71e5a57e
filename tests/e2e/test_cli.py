"""The command line as other programs use it: `python bot.py ...` as a subprocess, the real model.

Every command runs against the session index (built once by the ``service`` fixture; ``cli_env``
points SUMMITBOT_INDEX_DIR at it). The JSON shapes are the contracts in DESIGN.md. Failures must
end with a one-line message and the documented exit code, never a traceback, and must leave the
session index as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from config.settings import ROOT
from tests.conftest import TOPIC_NAMES

pytestmark = pytest.mark.slow

CORPUS_FILE = ROOT / "corpus" / "summit-2017-07-press-release.txt"
CORPUS_TEXT = CORPUS_FILE.read_text(encoding="utf-8")
ANSWER_KEYS = {"question", "answered", "answer", "citations", "coverage"}
OPTIONAL_KEYS = {"searched_for", "parts"}
CITATION_KEYS = {"n", "doc", "paragraph", "text", "score"}
MARKER = re.compile(r"\s*\[\d+\]")
LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING) [\w.]+: ")
TIMEOUT = 300


def _run(env: dict[str, str], args: Sequence[str | bytes], stdin: str | bytes | None, **text: Any) -> Any:
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        **text,
    )


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return _run(env, args, stdin, text=True, encoding="utf-8")  # type: ignore[no-any-return]


def one_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    return json.loads(lines[0])


def assert_citations(citations: list[dict[str, Any]]) -> None:
    assert [c["n"] for c in citations] == list(range(1, len(citations) + 1))
    for c in citations:
        assert set(c) == CITATION_KEYS
        assert type(c["n"]) is int and type(c["paragraph"]) is int
        assert type(c["doc"]) is str and type(c["text"]) is str and type(c["score"]) is float
        assert c["doc"] == "summit-2017-07-press-release"
        assert c["text"] in CORPUS_TEXT  # verbatim from the corpus file
        assert 0.0 <= c["score"] <= 1.0


def assert_answer_shape(obj: dict[str, Any]) -> None:
    assert ANSWER_KEYS <= set(obj) <= ANSWER_KEYS | OPTIONAL_KEYS
    assert obj["coverage"] in ("full", "partial", "none")
    assert obj["answered"] == (obj["coverage"] == "full")
    assert type(obj["question"]) is str and type(obj["answered"]) is bool and type(obj["answer"]) is str
    assert type(obj["citations"]) is list
    assert_citations(obj["citations"])


def assert_friendly_failure(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """Exit ``code``, one message line on stderr (besides log lines), no traceback; the message."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    message = [line for line in proc.stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]
    assert len(message) == 1, proc.stderr
    assert message[0].startswith("error: ") and len(message[0]) < 400
    assert proc.stdout == ""
    return message[0]


def _files_of(index_dir: Path) -> dict[str, str]:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    return {rel: hashlib.sha256((index_dir / rel).read_bytes()).hexdigest() for rel in manifest["files"]}


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """``cli_env`` as a program that pipes into the bot has it: without PYTHONUNBUFFERED, which
    would hide a missing flush."""
    return {k: v for k, v in cli_env.items() if k != "PYTHONUNBUFFERED"}


@pytest.fixture(scope="module", autouse=True)
def session_index_before(real_settings, service) -> tuple[bytes, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The session index as it is before any command of this module runs."""
    index_dir = real_settings.index_dir
    return (index_dir / "manifest.json").read_bytes(), _files_of(index_dir)


# -------------------------------------------------------------------------------------------- ask
def test_ask_json_answers_with_verbatim_cited_sentences(env: dict[str, str]) -> None:
    obj = one_json(run(env, "ask", "What did Tillerson say about Assad?", "--json"))
    assert_answer_shape(obj)
    assert obj["question"] == "What did Tillerson say about Assad?"
    assert obj["answered"] is True
    assert obj["citations"]
    assert 4 in {c["paragraph"] for c in obj["citations"]}
    assert "[1]" in obj["answer"]
    assert "Assad or the Assad family" in obj["answer"]
    words = MARKER.sub("", obj["answer"]).split()
    assert 0 < len(words) <= 80
    # every marker refers to a citation, and every citation is used
    used = {int(n) for n in re.findall(r"\[(\d+)\]", obj["answer"])}
    assert used == {c["n"] for c in obj["citations"]}
    # the answer is made of sentences of the release, each inside the paragraph it cites
    by_n = {c["n"]: c["text"] for c in obj["citations"]}
    for quote, n in re.findall(r"(.+?) \[(\d+)\](?: |$)", obj["answer"]):
        assert quote in CORPUS_TEXT and quote in by_n[int(n)], quote


def test_ask_json_refuses_what_the_release_does_not_cover(env: dict[str, str]) -> None:
    obj = one_json(run(env, "ask", "What is the capital of Australia?", "--json"))
    assert_answer_shape(obj)
    assert obj["answered"] is False
    assert obj["citations"] == []
    assert all(name in obj["answer"] for name in TOPIC_NAMES)


def test_ask_strips_control_characters_and_still_answers(env: dict[str, str]) -> None:
    obj = one_json(run(env, "ask", "What did\x01 Tillerson\x1b say about\x7f Assad?", "--json"))
    assert obj["question"] == "What did Tillerson say about Assad?"
    assert obj["answered"] is True


def test_ask_plain_text_shows_quotes_and_sources(env: dict[str, str]) -> None:
    proc = run(env, "ask", "What did Lavrov say about cyber-security?")
    assert proc.returncode == 0, proc.stderr
    assert "pornography and pedophilia" in proc.stdout
    assert "Sources" in proc.stdout and "[1] ¶6" in proc.stdout


class _Lines:
    """Lines of a child's stdout, read in a thread, so a test can wait for one with a timeout."""

    def __init__(self, stream: Any) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def next(self, timeout: float) -> str | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no line within {timeout} s: the answer was not flushed while stdin stayed open")


def test_ask_stream_answers_each_line_as_it_arrives(env: dict[str, str], tmp_path: Path) -> None:
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "bot.py", "ask", "--json", "-"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        try:
            assert proc.stdin is not None and proc.stdout is not None
            lines = _Lines(proc.stdout)

            def ask(question: str, timeout: float) -> dict[str, Any]:
                proc.stdin.write(question + "\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
                line = lines.next(timeout)  # stdin stays open: only a flushed answer arrives
                assert line is not None, stderr_path.read_text(encoding="utf-8")
                return json.loads(line)

            first = ask("What did Tillerson say about Assad?", TIMEOUT)
            assert_answer_shape(first)
            assert first["answered"] is True and 4 in {c["paragraph"] for c in first["citations"]}

            second = ask("What did Lavrov say about cyber-security?", 60)
            assert_answer_shape(second)
            assert second["question"] == "What did Lavrov say about cyber-security?"
            assert second["answered"] is True and 6 in {c["paragraph"] for c in second["citations"]}

            third = ask("What is the capital of Australia?", 60)
            assert third["answered"] is False and third["citations"] == []

            for bad in ("", "   ", "🤝🇺🇸"):  # bad lines get an answer object too, not a crash
                obj = ask(bad, 60)
                assert set(obj) >= ANSWER_KEYS  # (an "error" flag may come along)
                assert obj["answered"] is False and obj["citations"] == []
                assert obj["answer"]

            after = ask("What about North Korea?", 60)  # still alive after the bad lines
            assert after["answered"] is True

            proc.stdin.close()
            assert lines.next(60) is None  # nothing more: one object per line
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "Traceback" not in stderr_path.read_text(encoding="utf-8")


def test_ask_stream_reads_a_piped_file(env: dict[str, str]) -> None:
    questions = ["What did Tillerson say about Assad?", "", "Who will travel to Kyiv?"]
    proc = run(env, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(objs) == 3
    assert [o["answered"] for o in objs] == [True, False, True]
    assert 5 in {c["paragraph"] for c in objs[2]["citations"]}


def run_bytes(
    env: dict[str, str], *args: str | bytes, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``run`` with raw bytes: arguments may be bytes (as a shell passes any byte string) and
    stdout/stderr come back undecoded, so a test can check they are valid UTF-8."""
    return _run(env, args, stdin)


def test_ask_stream_survives_undecodable_bytes(env: dict[str, str]) -> None:
    lines = [
        b"Who is Kurt Volker?\xff\n",  # a question ending in a byte that is not UTF-8
        b"\xff\xfe\x80\xc3\n",  # a line of nothing but such bytes
        b"What did \xe9 Tillerson say about Assad?\r\n",  # latin-1 inside, CRLF ending
        b"Who will travel to Kyiv?\n",  # later questions are still answered
    ]
    proc = run_bytes(env, "ask", "--json", "-", stdin=b"".join(lines))
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, stderr
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8")  # every output line is valid UTF-8 (strict decoding)
    objs = [json.loads(line) for line in out.splitlines()]
    assert len(objs) == len(lines)
    volker, only_bad, latin, kyiv = objs
    assert volker["answered"] is True and 5 in {c["paragraph"] for c in volker["citations"]}
    assert volker["question"] == "Who is Kurt Volker?"
    assert only_bad["answered"] is False and only_bad.get("error") is True and only_bad["answer"]
    assert latin["answered"] is True and 4 in {c["paragraph"] for c in latin["citations"]}
    assert kyiv["answered"] is True and 5 in {c["paragraph"] for c in kyiv["citations"]}
    for obj in objs:
        obj["question"].encode("utf-8")  # no surrogate survives into the JSON


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_ask_one_shot_with_an_undecodable_argument(env: dict[str, str], as_json: bool) -> None:
    args: list[str | bytes] = ["ask", b"Who is Kurt Volker?\xff"] + (["--json"] if as_json else [])
    proc = run_bytes(env, *args)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8")
    if as_json:
        obj = json.loads(out)
        assert obj["answered"] is True and obj["question"] == "Who is Kurt Volker?"
    else:
        assert "Volker" in out and "Sources" in out


def test_ask_one_shot_of_only_undecodable_bytes_is_a_friendly_error(env: dict[str, str]) -> None:
    proc = run_bytes(env, "ask", b"\xff\xfe", "--json")
    assert proc.returncode == 1
    stderr = proc.stderr.decode("utf-8")
    assert "Traceback" not in stderr and stderr.startswith("error: ")
    assert proc.stdout == b""


@pytest.mark.parametrize(
    "question",
    ["\x1b[31mWho is Kurt Volker?\x1b[0m", "\x1b]0;title\x07Who is Kurt Volker?"],
    ids=["csi", "osc"],
)
def test_ask_strips_whole_terminal_escapes(env: dict[str, str], question: str) -> None:
    obj = one_json(run(env, "ask", question, "--json"))
    assert obj["question"] == "Who is Kurt Volker?" and obj["answered"] is True


# ------------------------------------------------------------------------------ summary, positions
def test_summary_json(env: dict[str, str]) -> None:
    obj = one_json(run(env, "summary", "Syria", "--json"))
    assert set(obj) == {"topic", "summary", "citations"}
    assert obj["topic"] == "Syria"
    assert type(obj["summary"]) is str and obj["summary"]
    assert obj["citations"]
    assert_citations(obj["citations"])
    assert {c["paragraph"] for c in obj["citations"]} == {4}
    for quote in MARKER.split(obj["summary"]):
        if quote.strip():
            assert quote.strip() in CORPUS_TEXT


@pytest.mark.parametrize("topic", ["", "capital of Australia"])
def test_summary_of_no_topic_lists_the_topics(env: dict[str, str], topic: str) -> None:
    message = assert_friendly_failure(run(env, "summary", topic), 1)
    assert all(name in message for name in TOPIC_NAMES)


def test_positions_json(env: dict[str, str]) -> None:
    obj = one_json(run(env, "positions", "North Korea", "--json"))
    assert set(obj) == {"topic", "us", "russia", "both", "citations"}
    assert obj["topic"] == "North Korea"
    assert_citations(obj["citations"])
    assert 7 in {c["paragraph"] for c in obj["citations"]}
    us = [q["text"] for q in obj["us"]]
    russia = [q["text"] for q in obj["russia"]]
    assert any("Trump believes continuing sanctions are necessary" in t for t in us)
    assert any("Putin supports the double freeze approach" in t for t in russia)
    numbers = {c["n"] for c in obj["citations"]}
    for side in ("us", "russia", "both"):
        for q in obj[side]:
            assert q["text"] in CORPUS_TEXT and q["n"] in numbers
            assert not q["text"].startswith("Neither")


# ------------------------------------------------------------------------------- topics, source, index
def test_topics_json(env: dict[str, str]) -> None:
    obj = one_json(run(env, "topics", "--json"))
    assert type(obj) is list
    assert [t["name"] for t in obj] == TOPIC_NAMES
    for t in obj:
        assert set(t) == {"name", "description"}
        assert type(t["description"]) is str and t["description"]


def test_source_prints_the_paragraph(env: dict[str, str]) -> None:
    proc = run(env, "source", "4")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("¶4 of Trump and Putin Agree They Have Same Goals")
    paragraph = next(p for p in CORPUS_TEXT.split("\n\n") if p.startswith("On Syria, Tillerson said"))
    assert " ".join(paragraph.split()) in " ".join(proc.stdout.split())
    obj = one_json(run(env, "source", "4", "--json"))
    assert obj == {"doc": "summit-2017-07-press-release", "paragraph": 4, "text": paragraph}


def test_source_out_of_range_is_a_friendly_error(env: dict[str, str]) -> None:
    message = assert_friendly_failure(run(env, "source", "99"), 1)
    assert "1 to 8" in message


def test_index_reports_its_size_and_is_up_to_date(env: dict[str, str]) -> None:
    proc = run(env, "index")
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"(\d+) passages, (\d+) sentences", proc.stdout)
    assert m and int(m.group(1)) == 8 and int(m.group(2)) > 8, proc.stdout
    assert re.search(r"\d+\.\d+ seconds", proc.stdout)
    assert "up to date" in proc.stdout and "rebuilt" not in proc.stdout


# ------------------------------------------------------------------------------------------- chat
def test_chat_answers_each_line_until_quit(env: dict[str, str]) -> None:
    lines = [
        "What did Lavrov say about cyber-security?",
        "/summary ukraine",
        "/topics",
        "/source 2",
        "/help",
        "/quit",
        "/source 7",  # after /quit: never answered
    ]
    proc = run(env, "chat", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Traceback" not in proc.stderr
    replies = [
        "pornography and pedophilia",  # the question
        "Summary: Ukraine",  # /summary
        "Kurt Volker",
        "Election hacking  ",  # /topics, as a table
        "¶2 of",  # /source 2
        "connected very quickly",
        "/summary TOPIC",  # /help
    ]
    positions = [out.find(r) for r in replies]
    assert all(p >= 0 for p in positions), dict(zip(replies, positions, strict=True))
    assert positions == sorted(positions), "replies out of order"
    assert all(name in out for name in TOPIC_NAMES)
    assert "¶7" not in out


def test_chat_answers_follow_ups_in_context_until_new(env: dict[str, str]) -> None:
    lines = [
        "What did Tillerson say about cyber-security?",
        "and what did Lavrov say?",
        "what about Ukraine?",
        "/new",
        "did he say anything else?",
    ]
    proc = run(env, "chat", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "(follow-up, asked as: What did Lavrov say about cyber-security?)" in out
    assert "pornography and pedophilia" in out
    assert "(follow-up, asked as: What did Lavrov say about Ukraine?)" in out
    assert "Volker" in out
    assert "New conversation" in out
    assert out.count("(follow-up, asked as:") == 2, "after /new the follow-up is asked as it is"


def test_chat_survives_bad_lines(env: dict[str, str]) -> None:
    lines = ["", "   ", "🤝", "/summary", "/summary capital of Australia", "/source x", "/nope", "/source 4"]
    proc = run(env, "chat", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "Please ask a question in words" in proc.stdout
    assert "Please name a topic" in proc.stdout
    assert "Usage: /source N" in proc.stdout
    assert "Unknown command /nope" in proc.stdout
    assert "¶4 of" in proc.stdout  # still answering after all that


# ------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("", "question"),
        ("   \t ", "question"),
        ("x" * 20_000, "1,000"),
        ("\x01\x02\x1b\x7f", "question"),
        ("🤝🇺🇸🇷🇺", "question"),
        ("<@123> @everyone", "question"),
    ],
    ids=["empty", "whitespace", "20000-chars", "control-chars", "emoji-only", "mentions-only"],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_bad_questions_exit_1_with_a_friendly_line(
    env: dict[str, str], question: str, words: str, as_json: bool
) -> None:
    args = ["ask", question, "--json"] if as_json else ["ask", question]
    message = assert_friendly_failure(run(env, *args), 1)
    assert words in message


def test_a_missing_argument_is_a_usage_error_not_a_traceback(env: dict[str, str]) -> None:
    proc = run(env, "ask")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------------------------ bad set-up
@pytest.mark.parametrize(
    "args",
    [["ask", "What about Syria?"], ["ask", "--json", "-"], ["summary", "Syria"], ["index"], ["chat"]],
    ids=["ask", "ask-stream", "summary", "index", "chat"],
)
def test_a_missing_corpus_folder_exits_2(env: dict[str, str], args: list[str]) -> None:
    bad = {**env, "SUMMITBOT_CORPUS_DIR": "/nonexistent"}
    message = assert_friendly_failure(run(bad, *args), 2)
    assert "/nonexistent" in message and "SUMMITBOT_CORPUS_DIR" in message


def test_an_unloadable_model_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    fresh = tmp_path / "fresh-index"
    bad = {**env, "SUMMITBOT_MODEL": "/nonexistent/model", "SUMMITBOT_INDEX_DIR": str(fresh)}
    message = assert_friendly_failure(run(bad, "ask", "What about Syria?", "--json"), 2)
    assert "/nonexistent/model" in message and "SUMMITBOT_MODEL" in message
    assert not (fresh / "manifest.json").exists()  # nothing half-built passes for an index


def test_an_unloadable_model_leaves_a_good_index_alone(env: dict[str, str]) -> None:
    # the session index was built with another model: the CLI tries to rebuild it and fails
    bad = {**env, "SUMMITBOT_MODEL": "/nonexistent/model"}
    assert_friendly_failure(run(bad, "index"), 2)
    proc = run(env, "index")
    assert proc.returncode == 0 and "up to date" in proc.stdout, proc.stdout + proc.stderr


def test_a_bad_setting_exits_2(env: dict[str, str]) -> None:
    bad = {**env, "SUMMITBOT_MIN_SIMILARITY": "very"}
    message = assert_friendly_failure(run(bad, "ask", "What about Syria?"), 2)
    assert "SUMMITBOT_MIN_SIMILARITY" in message


NOBODY = 65534


def _unprivileged_prefix() -> list[str]:
    """How to run a command so that file permissions apply: as is for a normal user; as uid
    65534 through ``setpriv`` for root (root ignores permissions). Skips the test if neither works."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot test permissions")
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import os; print(os.geteuid())"], capture_output=True
    )
    if probe.returncode != 0 or probe.stdout.strip() != str(NOBODY).encode():
        pytest.skip(f"cannot drop privileges with setpriv: {probe.stderr[-200:]!r}")
    return prefix


@pytest.fixture
def shared_tmp() -> Any:
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="summitbot-perm-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    for path in [base, *base.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("args", [["ask", "What about Syria?", "--json"], ["index"]], ids=["ask", "index"])
def test_a_read_only_index_folder_that_needs_a_rebuild_exits_2(
    env: dict[str, str],
    real_settings,
    shared_tmp: Path,
    args: list[str],  # type: ignore[no-untyped-def]
) -> None:
    prefix = _unprivileged_prefix()
    index_dir = shared_tmp / "index"
    shutil.copytree(real_settings.index_dir, index_dir)
    (index_dir / "sentences.faiss").write_bytes(b"damaged")  # fails its checksum: a rebuild is needed
    home = shared_tmp / "home"
    home.mkdir()
    home.chmod(0o777)
    for path in [index_dir, *index_dir.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = {str(p.relative_to(index_dir)): p.read_bytes() for p in index_dir.rglob("*") if p.is_file()}
    ro_env = {**env, "SUMMITBOT_INDEX_DIR": str(index_dir), "HOME": str(home)}
    proc = subprocess.run(
        [*prefix, sys.executable, "bot.py", *args],
        cwd=ROOT,
        env=ro_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    message = assert_friendly_failure(proc, 2)
    assert str(index_dir) in message and "Permission denied" in message, message
    after = {str(p.relative_to(index_dir)): p.read_bytes() for p in index_dir.rglob("*") if p.is_file()}
    assert after == before


# --------------------------------------------------------------------------------- nothing damaged
def test_no_failure_damaged_the_session_index(real_settings, session_index_before) -> None:  # type: ignore[no-untyped-def]
    manifest_bytes, files = session_index_before
    index_dir = real_settings.index_dir
    assert (index_dir / "manifest.json").read_bytes() == manifest_bytes
    assert _files_of(index_dir) == files
    recorded = json.loads(manifest_bytes)["files"]
    assert files == recorded  # every file still matches the checksum the manifest holds
