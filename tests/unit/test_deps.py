"""The lock files and scripts/deps.py, which installs them (make setup) — no network, no pip run."""

from __future__ import annotations

import importlib.util
import re
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.settings import ROOT

spec = importlib.util.spec_from_file_location("deps", ROOT / "scripts" / "deps.py")
assert spec and spec.loader
deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(deps)

LOCAL_CPU_WHEEL_SHA256 = "6746dbcbeb526eb61330b76b41ff1b4eb848951103a892eeb080dfa2b264667b"


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    return {
        norm(m.group(1)): m.group(2)
        for m in (deps.REQUIREMENT.match(line) for line in text.splitlines())
        if m is not None
    }


def entries(text: str) -> dict[str, list[str]]:
    """{name: [hashes]} of a pip-compile lock."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        found = deps.REQUIREMENT.match(line)
        if found:
            current = norm(found.group(1))
            out[current] = []
        elif current and "--hash=sha256:" in line:
            out[current].append(line.split("sha256:", 1)[1].strip(" \\"))
    return out


RUNTIME = (ROOT / "requirements.lock").read_text(encoding="utf-8")
DEV = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")


@pytest.mark.parametrize("text", [RUNTIME, DEV], ids=["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_hashes(text: str) -> None:
    locked = entries(text)
    assert len(locked) > 50
    assert [name for name, hashes in locked.items() if not hashes] == []
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for hashes in locked.values() for h in hashes)


def test_the_locks_keep_the_pins_of_the_requirement_files() -> None:
    runtime, dev = pins(RUNTIME), pins(DEV)
    for path, lock in (("requirements.txt", runtime), ("requirements-dev.txt", dev)):
        for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
            found = deps.REQUIREMENT.match(line)
            if found:
                assert lock[norm(found.group(1))].split("+")[0] == found.group(2), line
    # the dev lock is the runtime lock plus the dev tools, at the same versions
    assert {k: v for k, v in dev.items() if k in runtime} == runtime


def test_torch_is_locked_as_the_cpu_build_whose_hash_the_local_and_public_wheel_share() -> None:
    assert pins(RUNTIME)["torch"] == pins(DEV)["torch"] == "2.13.0+cpu"
    assert LOCAL_CPU_WHEEL_SHA256 in entries(RUNTIME)["torch"]
    assert not any(name.startswith(("nvidia-", "triton")) for name in entries(DEV))


def test_pyproject_lists_the_runtime_requirements_with_the_same_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    assert project["dependencies"] == [line for line in lines if line]


def test_split_torch_drops_torch_and_its_hash_lines_only() -> None:
    rest, version = deps.split_torch(RUNTIME)
    assert version == "2.13.0"
    assert "torch==" not in rest and LOCAL_CPU_WHEEL_SHA256 not in rest
    assert set(entries(rest)) == set(entries(RUNTIME)) - {"torch"}
    assert entries(rest)["numpy"] == entries(RUNTIME)["numpy"]
    six = "six==1.0 \\\n    --hash=sha256:ab\n"
    assert deps.split_torch(six) == (six, None)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_reachable_counts_any_http_answer_and_gives_up_fast_otherwise() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert deps.reachable(f"http://127.0.0.1:{server.server_port}/whl/cpu")  # a 404 still answers
    finally:
        server.shutdown()
        server.server_close()
    start = time.monotonic()
    assert not deps.reachable(f"http://127.0.0.1:{server.server_port}/whl/cpu", timeout=1.0)
    assert not deps.reachable("")
    assert not deps.reachable("http://no-such-host.invalid/whl/cpu", timeout=1.0)
    assert time.monotonic() - start < 5


class FakePip:
    """Records pip's arguments; fails the ones given in ``fail`` with ``stderr``."""

    def __init__(self, fail: int | None = None, stderr: str = "") -> None:
        self.calls: list[list[str]] = []
        self.fail, self.stderr = fail, stderr

    def __call__(self, args: list[str], *, capture: bool = False) -> Any:
        self.calls.append(args)
        failed = len(self.calls) == self.fail
        return type("P", (), {"returncode": 1 if failed else 0, "stdout": "", "stderr": self.stderr})()


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.lock"
    path.write_text(
        "six==1.17.0 \\\n    --hash=sha256:aa\ntorch==2.13.0+cpu \\\n    --hash=sha256:bb\n    # via x\n"
    )
    return path


def test_a_reachable_cpu_index_installs_the_whole_lock_with_it(monkeypatch: Any, lock: Path) -> None:
    pip = FakePip()
    monkeypatch.setattr(deps, "_pip", pip)
    monkeypatch.setattr(deps, "reachable", lambda url: True)
    assert deps.install(lock, "http://cpu.example/whl") == 0
    assert pip.calls == [["--require-hashes", "-r", str(lock), "--extra-index-url", "http://cpu.example/whl"]]


def test_an_unreachable_index_installs_the_lock_from_pips_own_indexes(monkeypatch: Any, lock: Path) -> None:
    pip = FakePip()
    monkeypatch.setattr(deps, "_pip", pip)
    monkeypatch.setattr(deps, "reachable", lambda url: False)
    assert deps.install(lock, "http://cpu.example/whl") == 0
    assert pip.calls == [["--require-hashes", "-r", str(lock)]]


def test_without_a_cpu_wheel_anywhere_torch_is_installed_as_before(monkeypatch: Any, lock: Path) -> None:
    pip = FakePip(fail=1, stderr="ERROR: No matching distribution found for torch==2.13.0+cpu\n")
    monkeypatch.setattr(deps, "_pip", pip)
    monkeypatch.setattr(deps, "reachable", lambda url: False)
    assert deps.install(lock, "http://cpu.example/whl") == 0
    assert pip.calls[0] == ["--require-hashes", "-r", str(lock)]
    assert pip.calls[1][:3] == ["--require-hashes", "--no-deps", "-r"]
    assert pip.calls[2] == ["torch==2.13.0"]


def test_another_failure_is_reported_not_papered_over(monkeypatch: Any, lock: Path, capsys: Any) -> None:
    pip = FakePip(fail=1, stderr="ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.")
    monkeypatch.setattr(deps, "_pip", pip)
    monkeypatch.setattr(deps, "reachable", lambda url: False)
    assert deps.install(lock, "http://cpu.example/whl") == 1
    assert len(pip.calls) == 1
    assert "DO NOT MATCH THE HASHES" in capsys.readouterr().err


def test_an_empty_torch_index_opts_out_of_the_cpu_build(monkeypatch: Any, lock: Path) -> None:
    pip = FakePip()
    monkeypatch.setattr(deps, "_pip", pip)
    monkeypatch.setattr(deps, "reachable", lambda url: pytest.fail("no probe when opted out"))
    assert deps.install(lock, "") == 0
    assert [c[-1] for c in pip.calls][1:] == ["torch==2.13.0"]
    assert pip.calls[0][:3] == ["--require-hashes", "--no-deps", "-r"]


def test_pyproject_lists_the_dev_requirements_with_the_same_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert project["optional-dependencies"]["dev"] == [line for line in lines if not line.startswith("-r")]
