"""The Makefile's set-up in a fresh clone: a broken .venv is rebuilt, a failing `python -m venv` or an
old Python gets one line, and the lock installs through each of its torch paths.

Everything is offline and small: the installs use tiny wheels made here (a fake ``torch`` in its
``+cpu`` and plain builds, and one dependency) served from 127.0.0.1 or a folder, with pip's own
configuration switched off, so no test downloads the real requirements.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.settings import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make, git"),
]
PYTHON = sys.executable


def make(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=clone,
        env=env or clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "MAKE"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def pip_works(venv: Path) -> bool:
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True)
    return proc.returncode == 0


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("setup") / "summitbot"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    return target


# --------------------------------------------------------------------------------------------- venv


def test_a_venv_without_pip_is_detected_and_rebuilt(clone: Path) -> None:
    venv = clone / ".venv"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert (venv / "bin" / "python").exists() and not pip_works(venv)
    proc = make(clone, "venv", f"PYTHON={PYTHON}")
    assert proc.returncode == 0, proc.stderr
    assert (
        ".venv is not a working virtualenv (no pip, or Python older than 3.11): rebuilding it" in proc.stderr
    )
    assert pip_works(venv)
    again = make(clone, "venv", f"PYTHON={PYTHON}")  # a working venv is left alone, quietly
    assert again.returncode == 0 and again.stdout == again.stderr == ""


def test_a_half_failing_python_m_venv_leaves_nothing_and_says_what_to_install(
    clone: Path, tmp_path: Path
) -> None:
    # Debian without python3-venv: `python3 -m venv DIR` creates DIR/bin/python, then fails (no ensurepip)
    fake = tmp_path / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then\n'
        f'  "{PYTHON}" -m venv --without-pip "$3"\n'
        '  echo "The virtual environment was not created successfully: no ensurepip" >&2\n'
        "  exit 1\n"
        "fi\n"
        f'exec "{PYTHON}" "$@"\n'
    )
    fake.chmod(0o755)
    venv = "venv-debian"
    proc = make(clone, "venv", f"VENV={venv}", f"PYTHON={fake}")
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert len(errors) == 1, proc.stderr
    assert "apt install python3-venv" in errors[0]
    assert not (clone / venv).exists()  # nothing half-built is left for the next run
    fixed = make(clone, "venv", f"VENV={venv}", f"PYTHON={PYTHON}")
    assert fixed.returncode == 0, fixed.stderr
    assert pip_works(clone / venv)


def old_python() -> str | None:
    from tests.unit.test_bot_version import old_python as find

    return find()


@pytest.mark.skipif(old_python() is None, reason="no Python older than 3.11 on this machine")
def test_an_old_python_gets_one_line_and_no_venv(clone: Path) -> None:
    proc = make(clone, "venv", "VENV=venv-old", f"PYTHON={old_python()}")
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert len(errors) == 1 and "needs Python 3.11 or newer" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (clone / "venv-old").exists()


# ------------------------------------------------------------------------------------ locked install


def wheel(folder: Path, name: str, version: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": code,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{f},,\n" for f in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, text in files.items():
            zf.writestr(arcname, text)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A PyPI (tinydep, plain torch), a CPU index (torch +cpu) and a wheel folder, on 127.0.0.1."""
    root = tmp_path_factory.mktemp("registry")
    dep = wheel(root / "pypi" / "tinydep", "tinydep", "1.0", "")
    wheel(root / "pypi" / "torch", "torch", "2.13.0", "BUILD = 'plain'\n")
    cpu = wheel(root / "cpu" / "torch", "torch", "2.13.0+cpu", "BUILD = 'cpu'\n")
    shutil.copytree(root / "cpu" / "torch", root / "links")
    lock = root / "tiny.lock"
    lock.write_text(
        f"tinydep==1.0 \\\n    --hash=sha256:{sha256(dep)}\n    # via -r requirements.txt\n"
        f"torch==2.13.0+cpu \\\n    --hash=sha256:{sha256(cpu)}\n    # via -r requirements.txt\n"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as s:  # a port nothing listens on: an unreachable CPU index
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    base = f"http://127.0.0.1:{server.server_port}"
    yield {
        "root": root,
        "lock": lock,
        "pypi": f"{base}/pypi/",
        "cpu": f"{base}/cpu",
        "down": f"http://127.0.0.1:{closed}/cpu",
    }
    server.shutdown()
    server.server_close()


def setup(clone: Path, venv: str, registry: dict[str, Any], torch_index: str, **env: str) -> Any:
    return make(
        clone,
        "setup",
        f"VENV={venv}",
        f"PYTHON={PYTHON}",
        f"LOCK={registry['lock']}",
        f"TORCH_INDEX={torch_index}",
        env=clean_env(PIP_INDEX_URL=registry["pypi"], **env),
    )


def torch_build(clone: Path, venv: str) -> str:
    code = (
        "import torch, importlib.metadata as m; print(torch.BUILD, m.version('torch'), m.version('tinydep'))"
    )
    out = subprocess.run([str(clone / venv / "bin" / "python"), "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_reachable_cpu_index_gives_the_cpu_build(clone: Path, registry: dict[str, Any]) -> None:
    proc = setup(clone, "venv-cpu", registry, registry["cpu"])
    assert proc.returncode == 0, proc.stderr
    assert f"torch: the CPU build from {registry['cpu']}" in proc.stdout
    assert torch_build(clone, "venv-cpu") == "cpu 2.13.0+cpu 1.0"
    assert (clone / "venv-cpu" / ".runtime").is_file()
    again = setup(clone, "venv-cpu", registry, registry["cpu"])  # up to date: no pip, no probe
    assert again.returncode == 0 and "torch:" not in again.stdout and "deps.py" not in again.stdout


def test_an_unreachable_index_takes_the_locked_wheel_pip_finds_itself(
    clone: Path, registry: dict[str, Any]
) -> None:
    # this machine's case: the CPU index is unreachable, pip finds the same +cpu wheel in a folder
    proc = setup(
        clone, "venv-local", registry, registry["down"], PIP_FIND_LINKS=str(registry["root"] / "links")
    )
    assert proc.returncode == 0, proc.stderr
    assert "is unreachable; pip found the locked CPU build itself" in proc.stdout
    assert torch_build(clone, "venv-local") == "cpu 2.13.0+cpu 1.0"


def test_without_any_cpu_build_torch_installs_as_before(clone: Path, registry: dict[str, Any]) -> None:
    proc = setup(clone, "venv-plain", registry, registry["down"])
    assert proc.returncode == 0, proc.stderr
    assert "pip finds no CPU build: installing torch==2.13.0 as pip finds it" in proc.stdout
    assert torch_build(clone, "venv-plain") == "plain 2.13.0 1.0"


def test_torch_index_empty_opts_out(clone: Path, registry: dict[str, Any]) -> None:
    proc = setup(clone, "venv-optout", registry, "", PIP_FIND_LINKS=str(registry["root"] / "links"))
    assert proc.returncode == 0, proc.stderr
    assert "TORCH_INDEX is empty" in proc.stdout
    assert torch_build(clone, "venv-optout").endswith("1.0")
