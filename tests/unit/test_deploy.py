"""deploy/summitbot.service: the settings 24/7 running relies on, and `systemd-analyze verify`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ROOT

UNIT = ROOT / "deploy" / "summitbot.service"
TEXT = UNIT.read_text(encoding="utf-8")


def settings() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in TEXT.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_the_unit_runs_the_bot_as_its_own_user_and_restarts_it() -> None:
    s = settings()
    assert s["User"] == ["summitbot"] and s["Group"] == ["summitbot"]
    assert s["EnvironmentFile"] == ["/etc/summitbot/summitbot.env"]
    assert s["Restart"] == ["on-failure"]
    assert s["RestartPreventExitStatus"] == ["2"]  # a set-up error (bad token) is not retried
    assert s["ExecStart"][0].endswith("/opt/summitbot/.venv/bin/python bot.py run")
    assert s["ExecStartPre"][0].endswith("bot.py index")
    assert s["WantedBy"] == ["multi-user.target"]


def test_index_and_database_live_in_the_state_directory() -> None:
    s = settings()
    assert s["StateDirectory"] == ["summitbot"]
    for command in (*s["ExecStart"], *s["ExecStartPre"]):
        assert "SUMMITBOT_INDEX_DIR=${STATE_DIRECTORY}/index" in command
        assert "SUMMITBOT_DB=${STATE_DIRECTORY}/summitbot.sqlite3" in command


def test_the_unit_is_hardened() -> None:
    s = settings()
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
    }.items():
        assert s[key] == [value], key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(tmp_path: Path) -> None:
    # verify checks that the commands exist: point them at this checkout and its Python
    unit = tmp_path / "summitbot.service"
    unit.write_text(
        TEXT.replace("/opt/summitbot/.venv/bin/python", str(Path(sys.executable).resolve())).replace(
            "/opt/summitbot", str(ROOT)
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "", proc.stderr  # unknown keys and bad values are only warnings
