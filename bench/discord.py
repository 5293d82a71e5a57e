"""Discord: questions per second through the real bot, and the worst gateway heartbeat gap.

The bot is the real thing, `python bot.py run` in a child process, connected through
``DISCORD_API_BASE`` to the fake Discord of the end-to-end tests (tests/e2e/fake_discord.py), which
runs in this process on 127.0.0.1 with a 250 ms heartbeat interval, so a blocked event loop shows
as a long gap between heartbeats. Every question is a ``/ask`` slash command from a new user (so
the per-user cooldown never applies); an answer counts when the fake records the follow-up that
carries it.

- sequential: one question at a time, latency from the slash command to the answer, against
  ``service.ask`` of the same question in this process (the reference);
- burst: 100 questions at once; questions per second through the bot against ``service.ask`` one
  after another in this process, and the worst heartbeat gap during the burst against the worst
  gap over the same time while idle;
- answer channel: 50 plain messages at once in an answer channel (``SUMMITBOT_ANSWER_CHANNELS``),
  each answered in a new thread (a thread start, typing and a message per question); the worst
  heartbeat gap (target: under 0.5 s).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    ROOT,
    Options,
    Spread,
    Table,
    base_index,
    child_env,
    forget_question_caches,
    log,
    ms,
    percentile,
    questions,
    ratio,
    run_json_child,
    temp_dir,
)

BACKENDS = ("onnx", "sentence-transformers")
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.bench-bot-token.not-a-secret"
HEARTBEAT = 0.25
BURST = 100
CHANNEL_BURST = 50
IDLE = 1.5  # seconds of idle heartbeats measured before each burst


class BotProcess:
    """`python bot.py run` against ``fake``; stopped with SIGTERM (then SIGKILL) by its own pid."""

    def __init__(self, fake: Any, backend: str, log_path: Any) -> None:
        env = child_env(
            SUMMITBOT_INDEX_DIR=str(base_index()),
            SUMMITBOT_CORPUS_DIR=str(ROOT / "corpus"),
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=fake.api_base,
            SUMMITBOT_ANSWER_CHANNELS=str(fake.channel_id),
            SUMMITBOT_DB=str(Path(log_path).with_suffix(".sqlite3")),
        )
        env.update(SUMMITBOT_BACKEND=backend, SUMMITBOT_LOG_LEVEL="WARNING")
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [PYTHON, "bot.py", "run"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()

    def check(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"the bot exited with code {self.proc.returncode}: "
                + self.log_path.read_text(encoding="utf-8")[-2000:]
            )


def _ask(fake: Any, question: str) -> Any:
    return fake.slash("ask", user=fake.new_user(), question=question)


def run(opts: Options) -> list[Table]:
    base_index()  # built once here, shared with the child processes
    qs = questions()
    seq = Table(
        f"Discord, one question at a time: /ask to answer against service.ask ({len(qs)} questions × "
        f"{opts.runs} passes)",
        ["backend", "Discord p50", "Discord p95", "service.ask p50", "service.ask p95", "p50 ratio"],
    )
    burst = Table(
        f"Discord, bursts of {BURST} concurrent /ask ({opts.runs} bursts; heartbeat interval "
        f"{HEARTBEAT * 1000:.0f} ms)",
        [
            "backend",
            "burst",
            "q/s (bot)",
            "q/s (service.ask)",
            "bot / service",
            "worst heartbeat gap",
            "idle worst gap",
            "mean gap",
        ],
    )
    channel = Table(
        f"Discord, bursts of {CHANNEL_BURST} questions in an answer channel, a thread each ({opts.runs} "
        f"bursts; heartbeat interval {HEARTBEAT * 1000:.0f} ms)",
        ["backend", "burst", "q/s (bot)", "worst heartbeat gap", "mean gap", "target"],
    )
    logs = temp_dir("discord", opts.keep)
    for backend in BACKENDS:
        payload = {"backend": backend, "runs": opts.runs, "logs": str(logs)}
        out = run_json_child(["-m", "bench.discord", "child", json.dumps(payload)])
        seq_passes, bursts = out["seq"], out["bursts"]
        cget = {k: Spread.of([b[k] for b in out["channel"]]) for k in out["channel"][0]}
        channel.add(
            backend,
            cget["seconds"].fmt(" s", 2),
            cget["bot_qps"].fmt("", 1),
            ms(cget["worst"], 0),
            ms(cget["mean"], 0),
            "< 500 ms " + ("met" if cget["worst"].median < 0.5 else "not met"),
        )
        via50 = Spread.of([percentile(v, 50) for v, _ in seq_passes])
        via95 = Spread.of([percentile(v, 95) for v, _ in seq_passes])
        dir50 = Spread.of([percentile(d, 50) for _, d in seq_passes])
        dir95 = Spread.of([percentile(d, 95) for _, d in seq_passes])
        rel = Spread.of([percentile(v, 50) / percentile(d, 50) for v, d in seq_passes])
        seq.add(backend, ms(via50), ms(via95), ms(dir50), ms(dir95), ratio(rel, 1))
        get = {k: Spread.of([b[k] for b in bursts]) for k in bursts[0]}
        burst.add(
            backend,
            get["seconds"].fmt(" s", 2),
            get["bot_qps"].fmt("", 1),
            get["direct_qps"].fmt("", 1),
            ratio(Spread.of([b["bot_qps"] / b["direct_qps"] for b in bursts])),
            ms(get["worst"], 0),
            ms(get["idle"], 0),
            ms(get["mean"], 0),
        )
    seq.notes.append(
        "Discord = from the slash command to the fake recording the answer (gateway, the bot's event loop, "
        "a worker thread, REST); service.ask = the same question in this process right after."
    )
    burst.notes += [
        "burst = from the first slash command to the last answer recorded; q/s (service.ask) = the same "
        f"{BURST} questions one after another in this process.",
        "worst heartbeat gap over the burst, counting the open gap up to the first beat after it; idle = "
        f"the worst gap over {IDLE} s of idling just before the burst.",
    ]
    channel.notes.append(
        "burst = from the first message to the last answer recorded in its thread; every message is "
        "from a new user (no cooldown)."
    )
    return [seq, burst, channel]


def child(args: dict[str, Any]) -> dict[str, Any]:
    """One backend: the reference service in this process, the bot in a child, the fake in a thread."""
    from bench.latency import load_service
    from tests.e2e.fake_discord import FakeDiscord

    backend, runs = args["backend"], args["runs"]
    logs = Path(args["logs"])
    qs = questions()
    service = load_service(backend)
    for q in qs[:10]:
        service.ask(q)
    with FakeDiscord(token=TOKEN, heartbeat_interval=HEARTBEAT) as fake:
        log(f"discord: starting the bot ({backend})")
        bot = BotProcess(fake, backend, logs / f"bot-{backend}.log")
        try:
            fake.wait_for(lambda b=bot: b.proc.poll() is not None or (fake.live and fake.commands), 300)
            bot.check()
            for q in qs[:5]:  # warm-up (first answers load lazily)
                fake.wait_answer(_ask(fake, q), timeout=120)
            seq_passes = []
            for r in range(runs):
                log(f"discord: {backend}: sequential pass {r + 1}/{runs}")
                via, direct = [], []
                for q in qs:
                    t0 = time.monotonic()
                    answer = fake.wait_answer(_ask(fake, q), timeout=60)
                    via.append(answer.at - t0)
                    forget_question_caches()
                    t1 = time.perf_counter()
                    service.ask(q)
                    direct.append(time.perf_counter() - t1)
                seq_passes.append((via, direct))
            bursts = []
            for r in range(runs):
                log(f"discord: {backend}: burst {r + 1}/{runs}")
                t1 = time.perf_counter()
                for i in range(BURST):
                    forget_question_caches()
                    service.ask(qs[i % len(qs)])
                direct_s = time.perf_counter() - t1
                idle_start = time.monotonic()
                time.sleep(IDLE)
                idle_end = time.monotonic()
                start = time.monotonic()
                pending = [_ask(fake, qs[i % len(qs)]) for i in range(BURST)]
                answers = [fake.wait_answer(it, timeout=300) for it in pending]
                end = max(a.at for a in answers)
                after = fake.wait_for(lambda end=end: max(fake.last_heartbeat() - end, 0), 5, "a heartbeat")
                gaps = fake.heartbeat_gaps(start, end + after)
                idle = fake.heartbeat_gaps(idle_start, idle_end)
                bursts.append(
                    {
                        "seconds": end - start,
                        "bot_qps": BURST / (end - start),
                        "direct_qps": BURST / direct_s,
                        "worst": max(gaps),
                        "mean": sum(gaps) / len(gaps),
                        "idle": max(idle) if idle else float("nan"),
                    }
                )
                time.sleep(HEARTBEAT * 2)
            channel = []
            for r in range(runs):
                log(f"discord: {backend}: answer-channel burst {r + 1}/{runs}")
                start = time.monotonic()
                said = [fake.say(qs[i % len(qs)], user=fake.new_user()) for i in range(CHANNEL_BURST)]
                answers = [_thread_answer(fake, m) for m in said]
                end = max(a.at for a in answers)
                after = fake.wait_for(lambda end=end: max(fake.last_heartbeat() - end, 0), 5, "a heartbeat")
                gaps = fake.heartbeat_gaps(start, end + after)
                channel.append(
                    {
                        "seconds": end - start,
                        "bot_qps": CHANNEL_BURST / (end - start),
                        "worst": max(gaps),
                        "mean": sum(gaps) / len(gaps),
                    }
                )
                time.sleep(HEARTBEAT * 2)
            bot.check()
        finally:
            bot.stop()
    return {"seq": seq_passes, "bursts": bursts, "channel": channel}


def _thread_answer(fake: Any, message: Any) -> Any:
    """The bot's answer in the thread it started from ``message``."""
    thread = fake.wait_for(lambda: fake.threads_started_from(message), 300, "a thread")[0]
    return fake.wait_for(lambda: fake.bot_messages_in(int(thread["id"])), 300, "the answer")[0]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        print(json.dumps(child(json.loads(sys.argv[2]))))
        sys.exit(0)
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["discord", *sys.argv[1:]]))
