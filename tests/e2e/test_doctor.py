"""`python bot.py doctor` as a subprocess: one line per check, exit 0 only when every check passes,
and the token never printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ROOT

pytestmark = pytest.mark.slow

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.doctor-token.never-print-me"
CHECKS = ["python", "packages", "model", "index", "token", "database folder", "index folder"]


def doctor(env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    proc = subprocess.run(
        [sys.executable, "bot.py", "doctor"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = {}
    for line in proc.stdout.splitlines():
        status, rest = line[:4], line[6:]
        assert status in ("ok  ", "FAIL") and line[4:6] == "  ", line
        name, detail = rest.split(": ", 1)
        lines[name] = status.strip() + " " + detail
    return proc.returncode, lines, proc.stdout + proc.stderr


def test_all_checks_pass_on_a_ready_installation(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "DISCORD_TOKEN": TOKEN, "SUMMITBOT_DB": str(tmp_path / "data" / "bot.sqlite3")}
    code, lines, output = doctor(env)
    assert list(lines) == CHECKS
    assert all(v.startswith("ok ") for v in lines.values()), output
    assert code == 0
    assert "torch 2.13.0" in lines["packages"] and "faiss-cpu 1.15.1" in lines["packages"]
    assert "up to date" in lines["index"]
    assert TOKEN not in output and "doctor-token" not in output


def test_failing_checks_say_what_to_do_and_fail_the_run(cli_env: dict[str, str], tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    env = {
        **cli_env,
        "SUMMITBOT_INDEX_DIR": str(tmp_path / "empty-index"),  # never built
        "SUMMITBOT_DB": str(not_a_folder / "bot.sqlite3"),  # its folder cannot exist
    }
    env.pop("DISCORD_TOKEN", None)
    code, lines, output = doctor(env)
    assert code == 1
    assert list(lines) == CHECKS
    assert lines["index"].startswith("FAIL ") and "no index on disk yet" in lines["index"]
    assert "python bot.py index" in lines["index"]
    assert lines["token"].startswith("FAIL ") and "DISCORD_TOKEN" in lines["token"]
    assert lines["database folder"].startswith("FAIL ") and "SUMMITBOT_DB" in lines["database folder"]
    for name in ("python", "packages", "model", "index folder"):
        assert lines[name].startswith("ok "), output
    assert not (tmp_path / "empty-index").exists()  # the doctor only looks


def test_a_bad_setting_is_one_failing_line(cli_env: dict[str, str]) -> None:
    code, lines, _ = doctor({**cli_env, "SUMMITBOT_BACKEND": "gpu"})
    assert code == 1
    assert lines["settings"].startswith("FAIL ") and "SUMMITBOT_BACKEND" in lines["settings"]
