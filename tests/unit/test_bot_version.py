"""`python bot.py` on a Python older than 3.11: one line, exit 1, no traceback."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys

import pytest

from config.settings import ROOT

PRETEND_310 = (
    "import runpy, sys; sys.version_info = (3, 10, 14, 'final', 0); sys.argv = ['bot.py', 'topics'];"
    "runpy.run_path('bot.py', run_name='__main__')"
)


def old_python() -> str | None:
    """A Python 3.6-3.10 that really runs (a pyenv shim of a version not selected does not)."""
    names = ["python3.10", "python3.9", "python3.8"]
    candidates = [shutil.which(n) for n in names] + sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3"))
    for path in filter(None, candidates):
        check = "import sys; sys.exit(not (3, 6) <= sys.version_info < (3, 11))"
        if subprocess.run([path, "-c", check], capture_output=True, timeout=30).returncode == 0:
            return path
    return None


def test_an_old_version_gets_one_line_before_anything_is_imported() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PRETEND_310], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: SummitBot needs Python 3.11 or newer (this is Python 3.10): "
        "run it with python3.11, or `make run`, which sets up .venv"
    ]


@pytest.mark.skipif(old_python() is None, reason="no Python older than 3.11 on this machine")
def test_a_real_old_python_gets_the_same_line() -> None:
    python = old_python()
    assert python
    proc = subprocess.run([python, "bot.py", "ask", "x"], cwd=ROOT, capture_output=True, text=True, timeout=9)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SummitBot needs Python 3.11 or newer")
