"""A damaged ONNX export repairs itself: detected by the sizes and checksums check.json records
at export time, re-exported (atomically, verified like the first export), and re-exported on
``--rebuild``. The real model, on a copy of the session index (which holds a verified export)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from retrieval.backends import CHECK_FILE, ONNX_DIR
from retrieval.embedder_onnx import MODEL_FILE, TOKENIZER_FILE
from retrieval.service import SummitService
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

QUESTION = "Who was appointed Special Representative for Ukraine Negotiations?"


@pytest.fixture
def index_copy(real_settings, service, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A private copy of the session index, ONNX export and its check included."""
    assert service.query_backend == "onnx"
    target = tmp_path / "index"
    shutil.copytree(real_settings.index_dir, target)
    return target


def _check(index_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((index_dir / ONNX_DIR / CHECK_FILE).read_text(encoding="utf-8"))


def _load(index_dir: Path, *, rebuild: bool = False) -> SummitService:
    return SummitService.load(make_settings(index_dir), rebuild=rebuild)


def test_the_check_records_every_exported_file(index_copy: Path) -> None:
    check = _check(index_copy)
    assert check["ok"] is True
    files = check["files"]
    assert {MODEL_FILE, TOKENIZER_FILE} <= set(files)
    for name, record in files.items():
        path = index_copy / ONNX_DIR / name
        assert record["bytes"] == path.stat().st_size and len(record["sha256"]) == 64


@pytest.mark.parametrize("name", [MODEL_FILE, TOKENIZER_FILE])
@pytest.mark.parametrize("damage", ["truncated", "same-size-garbage"])
def test_a_damaged_export_is_exported_again(
    index_copy: Path, name: str, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = index_copy / ONNX_DIR / name
    size = path.stat().st_size
    if damage == "truncated":
        with path.open("r+b") as fh:
            fh.truncate(size // 2)
    else:
        path.write_bytes(b"\0" * size)
    with caplog.at_level("INFO"):
        repaired = _load(index_copy)
    assert repaired.query_backend == "onnx", caplog.text
    assert "Using sentence-transformers" not in caplog.text
    assert "Exporting" in caplog.text and name in caplog.text  # says what was wrong
    assert path.stat().st_size == size
    check = _check(index_copy)
    assert check["ok"] is True and check["min_cosine"] >= 0.999
    assert check["files"][name]["bytes"] == size
    assert repaired.ask(QUESTION).answered
    assert not list(index_copy.glob(".onnx.*")), "no temporary folder is left"

    # the next start trusts the recorded check: no export, ONNX at once
    caplog.clear()
    with caplog.at_level("INFO"):
        again = _load(index_copy)
    assert again.query_backend == "onnx" and "Exporting" not in caplog.text


def test_rebuild_exports_again(index_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    model = index_copy / ONNX_DIR / MODEL_FILE
    before = model.stat().st_ino, model.stat().st_mtime_ns
    with caplog.at_level("INFO"):
        rebuilt = _load(index_copy, rebuild=True)
    assert rebuilt.stats.rebuilt and rebuilt.query_backend == "onnx"
    assert "Exporting" in caplog.text
    assert (model.stat().st_ino, model.stat().st_mtime_ns) != before
    assert _check(index_copy)["ok"] is True
