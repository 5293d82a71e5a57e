"""``bot.py run`` on a system whose event loop cannot watch signals (Windows): SIGINT/SIGTERM still
reach the bot, through ``signal.signal`` and the loop's thread-safe call."""

from __future__ import annotations

import os
import signal
from typing import Any

from cogs.launcher import install_stop_signals


class LoopWithoutSignals:
    """What ``asyncio`` gives on Windows: add_signal_handler raises NotImplementedError."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def add_signal_handler(self, *args: Any) -> None:
        raise NotImplementedError

    def call_soon_threadsafe(self, callback: Any, *args: Any) -> None:
        self.calls.append(args)
        callback(*args)


class StoppableBot:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def request_stop(self, reason: str) -> None:
        self.reasons.append(reason)


def test_signals_fall_back_to_signal_signal() -> None:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    loop, bot = LoopWithoutSignals(), StoppableBot()
    try:
        install_stop_signals(loop, bot)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert bot.reasons == ["SIGTERM", "SIGINT"]
    assert loop.calls == [("SIGTERM",), ("SIGINT",)]
