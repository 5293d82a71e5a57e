"""`python -m bench [NAME ...] [--quick] [--runs N]`: run the benchmarks and print their tables.

NAME is any of latency, memory, startup, discord, scale (default: all, in that order). Every table
is also written as markdown to bench/results/NAME.md (git-ignored), ready to paste into the README.
``--quick`` makes fewer runs and skips the 10,000× corpus; a full run takes the better part of an
hour the first time (embedding the 10,000× corpus), much less once its vectors are cached.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
import time
from collections.abc import Sequence

from bench.common import Options, log, report

BENCHMARKS = ("latency", "memory", "startup", "discord", "scale")


def parse(argv: Sequence[str]) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs; scale skips 10,000×")
    parser.add_argument(
        "--runs", type=int, default=None, help="repetitions per measurement (default 5, quick 3)"
    )
    parser.add_argument("--seed", type=int, default=20170707, help="seed of the synthetic corpora (scale)")
    parser.add_argument("--sizes", default="", help="scale: comma-separated corpus sizes, e.g. 1,100,10000")
    parser.add_argument("--keep", action="store_true", help="keep temporary folders")
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (3 if args.quick else 5)
    if runs < 1:
        parser.error("--runs must be at least 1")
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    return names, Options(runs=runs, quick=args.quick, seed=args.seed, sizes=sizes, keep=args.keep)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names, opts = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    command = "python -m bench " + " ".join(shlex.quote(a) for a in argv)
    for name in names:
        started = time.perf_counter()
        log(f"{name}: starting")
        module = importlib.import_module(f"bench.{name}")
        report(name, module.run(opts), command.strip(), preamble=_first_paragraph(module.__doc__))
        log(f"{name}: done in {time.perf_counter() - started:.0f} s")
    return 0


def _first_paragraph(doc: str | None) -> str:
    return doc.strip().split("\n\n")[0] if doc else ""


if __name__ == "__main__":
    sys.exit(main())
