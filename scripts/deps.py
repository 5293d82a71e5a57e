"""Install the locked dependencies into the running virtualenv, or refresh the lock files.

    python scripts/deps.py install LOCK [--torch-index URL]   (make setup / setup-dev)
    python scripts/deps.py lock [--torch-index URL] [--pip-compile PATH]   (make lock)

The lock files (requirements.lock, requirements-dev.lock) pin the whole dependency tree with
SHA-256 hashes, torch as its CPU build (``torch==X+cpu``). ``install`` chooses where that build
comes from:

1. PyTorch's CPU-only wheel index (``--torch-index``) answers within a few seconds: the lock is
   installed with ``--require-hashes`` and that index as an extra index.
2. It does not answer: the lock is installed with ``--require-hashes`` from the indexes pip is
   configured with, which works wherever pip finds the same ``+cpu`` wheel (a local wheel folder
   or a mirror; the hash check makes sure it is the very file the lock names).
3. pip finds no ``+cpu`` wheel there, or ``--torch-index ''`` opts out: everything but torch is
   installed from the lock (``--require-hashes --no-deps``), then ``torch==X`` as pip finds it
   (on Linux x86-64 from PyPI, that is the CUDA build) — the set-up as it was before the lock.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_TIMEOUT = 3.0
NOT_FOUND = re.compile(r"No matching distribution found for torch==", re.IGNORECASE)
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
PIP = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


def reachable(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether the index answers at all (any HTTP status counts) within ``timeout`` seconds."""
    if not url:
        return False
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/torch/", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def split_torch(lock_text: str) -> tuple[str, str | None]:
    """The lock without torch's entry (its requirement line and the indented lines under it), and
    torch's pinned version without a local label (``2.13.0+cpu`` -> ``2.13.0``), or None."""
    kept: list[str] = []
    version: str | None = None
    dropping = False
    for line in lock_text.splitlines(keepends=True):
        if line[:1].isspace():
            if not dropping:
                kept.append(line)
            continue
        found = REQUIREMENT.match(line)
        dropping = bool(found) and found.group(1).lower() == "torch"  # type: ignore[union-attr]
        if dropping:
            version = found.group(2).split("+", 1)[0]  # type: ignore[union-attr]
        else:
            kept.append(line)
    return "".join(kept), version


def pinned_torch(lock_text: str) -> str | None:
    """torch's exact pin in a lock (``2.13.0+cpu``), or None."""
    for line in lock_text.splitlines():
        found = REQUIREMENT.match(line)
        if found and found.group(1).lower() == "torch":
            return found.group(2)
    return None


def _pip(args: list[str], *, capture: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PIP, *args], text=True, capture_output=capture, check=False)


def install(lock: Path, torch_index: str) -> int:
    text = lock.read_text(encoding="utf-8")
    rest, torch_version = split_torch(text)
    if torch_index and torch_version is not None:
        if reachable(torch_index):
            print(f"torch: the CPU build from {torch_index}")
            return _pip(["--require-hashes", "-r", str(lock), "--extra-index-url", torch_index]).returncode
        first = _pip(["--require-hashes", "-r", str(lock)], capture=True)
        if first.returncode == 0:
            print(f"torch: {torch_index} is unreachable; pip found the locked CPU build itself")
            return 0
        if not NOT_FOUND.search(first.stderr + first.stdout):
            sys.stderr.write(first.stdout + first.stderr)
            return first.returncode
        print(
            f"torch: {torch_index} is unreachable and pip finds no CPU build: "
            f"installing torch=={torch_version} as pip finds it (on Linux x86-64, the CUDA build)"
        )
    elif torch_version is not None:
        print(f"torch: TORCH_INDEX is empty: installing torch=={torch_version} as pip finds it")
    with tempfile.TemporaryDirectory() as tmp:
        without = Path(tmp) / "without-torch.lock"
        without.write_text(rest, encoding="utf-8")
        code = _pip(["--require-hashes", "--no-deps", "-r", str(without)]).returncode
    if code or torch_version is None:
        return code
    return _pip([f"torch=={torch_version}"]).returncode


def lock(torch_index: str, pip_compile: str, *, upgrade: bool = False) -> int:
    """Refresh requirements.lock and requirements-dev.lock from requirements*.txt: pins already in
    requirements.lock are kept unless ``upgrade``; the dev lock keeps the runtime lock's pins."""
    extra = ["--extra-index-url", torch_index] if reachable(torch_index) else []
    if torch_index and not extra:
        print(f"{torch_index} is unreachable: locking torch from the indexes pip is configured with")
    flags = [
        "--quiet",
        "--generate-hashes",
        "--allow-unsafe",
        "--strip-extras",
        "--no-emit-index-url",
        "--no-emit-find-links",
        *extra,
    ]
    with tempfile.TemporaryDirectory() as tmp:
        runtime, dev = Path(tmp) / "requirements.lock", Path(tmp) / "requirements-dev.lock"
        for src, out, seed, more in (
            ("requirements.txt", runtime, ROOT / "requirements.lock", ["--upgrade"] if upgrade else []),
            ("requirements-dev.txt", dev, runtime, []),
        ):
            if seed.is_file():  # pip-compile keeps the pins it finds in its output file
                shutil.copyfile(seed, out)
            proc = subprocess.run(
                [pip_compile, *flags, *more, "--output-file", str(out), src],
                cwd=ROOT,
                env={**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"},
                check=False,
            )
            if proc.returncode:
                return proc.returncode
            torch = pinned_torch(out.read_text(encoding="utf-8"))
            if torch is not None and not torch.endswith("+cpu"):
                print(
                    f"error: {out.name} would pin torch=={torch}, not the CPU build: make the CPU index "
                    "reachable (TORCH_INDEX) or give pip a +cpu wheel; the lock files are unchanged",
                    file=sys.stderr,
                )
                return 1
        shutil.copyfile(runtime, ROOT / "requirements.lock")
        shutil.copyfile(dev, ROOT / "requirements-dev.lock")
    print("wrote requirements.lock and requirements-dev.lock")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/deps.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("install", help="install a lock file into this virtualenv")
    p.add_argument("lock", type=Path)
    p.add_argument("--torch-index", default=DEFAULT_TORCH_INDEX, help="'' = use no CPU index")
    p = sub.add_parser("lock", help="refresh requirements.lock and requirements-dev.lock")
    p.add_argument("--torch-index", default=DEFAULT_TORCH_INDEX)
    p.add_argument("--pip-compile", default="pip-compile")
    p.add_argument("--upgrade", action="store_true", help="re-resolve every pin to the newest release")
    args = parser.parse_args(argv)
    if args.command == "install":
        return install(args.lock, args.torch_index)
    return lock(args.torch_index, args.pip_compile, upgrade=args.upgrade)


if __name__ == "__main__":
    sys.exit(main())
