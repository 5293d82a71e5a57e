"""ONNX Runtime backend: export once, then compare with the sentence-transformers reference."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from config.errors import SetupError
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.embedder_onnx import (
    CONFIG_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    OnnxEmbedder,
    _replace_dir,
    export_onnx,
    verify_onnx,
)

pytestmark = pytest.mark.slow

MODEL = "all-MiniLM-L6-v2"
REPO = Path(__file__).resolve().parents[2]
PRESS_RELEASE = REPO / "corpus" / "summit-2017-07-press-release.txt"
QUESTIONS = [
    "Who attended the summit?",
    "When and where was the summit held?",
    "What did the leaders agree on?",
    "trade",
    "",
    "Ünïcödé café naïve — 東京?",
    "word " * 400,  # longer than max_seq_length: truncated the same way by both backends
]


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(MODEL, tmp_path_factory.mktemp("onnx-cache") / "all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def onnx_embedder(exported: Path) -> OnnxEmbedder:
    return OnnxEmbedder(exported, MODEL)


@pytest.fixture(scope="session")
def reference() -> SentenceTransformerEmbedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return SentenceTransformerEmbedder(MODEL)


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    text = PRESS_RELEASE.read_text(encoding="utf-8")
    found = [s.strip() for s in text.split(". ") if s.strip()]
    assert len(found) >= 20
    return found[:30]


def _copy_export(src: Path, dst: Path, *, skip: str | None = None) -> Path:
    """A copy of the export folder; model.onnx is hard-linked (or copied) unless it is ``skip``."""
    dst.mkdir()
    for name in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE):
        if name == skip:
            continue
        if name == MODEL_FILE:
            try:
                os.link(src / name, dst / name)
                continue
            except OSError:
                pass
        shutil.copyfile(src / name, dst / name)
    return dst


def test_export_layout(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == sorted([MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE])
    config = json.loads((exported / CONFIG_FILE).read_text(encoding="utf-8"))
    assert config["pooling_modes"] == ["mean"]
    assert config["max_seq_length"] == 256
    assert config["input_names"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert config["normalize"] is True
    assert 50e6 < (exported / MODEL_FILE).stat().st_size < 150e6  # one file, weights inside
    leftovers = [p.name for p in exported.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the temporary folder was renamed into place


def test_interface(onnx_embedder: OnnxEmbedder) -> None:
    assert onnx_embedder.backend == "onnx"
    assert onnx_embedder.model_name == MODEL
    assert onnx_embedder.dim == 384
    vectors = onnx_embedder.encode_queries(["Who attended?", "When?"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert onnx_embedder.encode_documents([]).shape == (0, 384)
    assert onnx_embedder.encode_queries([]).shape == (0, 384)


def test_documents_match_reference(
    onnx_embedder: OnnxEmbedder, reference: SentenceTransformerEmbedder, sentences: list[str]
) -> None:
    texts = sentences + QUESTIONS
    assert verify_onnx(onnx_embedder, texts, reference.encode_documents(texts)) >= 0.999


def test_queries_match_reference(
    onnx_embedder: OnnxEmbedder, reference: SentenceTransformerEmbedder, sentences: list[str]
) -> None:
    texts = QUESTIONS + sentences[:5]
    expected = reference.encode_queries(texts)
    batch = onnx_embedder.encode_queries(texts)
    single = np.vstack([onnx_embedder.encode_queries([t]) for t in texts])
    assert float(np.min(np.sum(batch * expected, axis=1))) >= 0.999
    assert float(np.min(np.sum(single * expected, axis=1))) >= 0.999


def test_padding_does_not_change_vectors(onnx_embedder: OnnxEmbedder, sentences: list[str]) -> None:
    texts = sentences + QUESTIONS  # very different lengths: short texts get many pad tokens
    batch = onnx_embedder.encode_documents(texts)
    single = np.vstack([onnx_embedder.encode_documents([t]) for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-5)
    # Single texts are not padded to the tokenizer.json's fixed 128 tokens.
    feeds, _ = onnx_embedder._tokenize(["Who?"], max_length=onnx_embedder.max_seq_length, pad=False)
    assert feeds["input_ids"].shape == (1, 4)


def test_verify_onnx_rejects_misaligned_reference(onnx_embedder: OnnxEmbedder) -> None:
    with pytest.raises(ValueError):
        verify_onnx(onnx_embedder, ["a", "b"], np.ones((3, 384), dtype=np.float32))


@pytest.mark.parametrize("missing", [MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE])
def test_missing_file_raises_setup_error(exported: Path, tmp_path: Path, missing: str) -> None:
    broken = _copy_export(exported, tmp_path / "broken", skip=missing)
    with pytest.raises(SetupError, match=missing):
        OnnxEmbedder(broken, MODEL)
    with pytest.raises(SetupError):
        OnnxEmbedder(tmp_path / "does-not-exist", MODEL)


def test_truncated_model_raises_setup_error(exported: Path, tmp_path: Path) -> None:
    broken = _copy_export(exported, tmp_path / "broken", skip=MODEL_FILE)
    with (exported / MODEL_FILE).open("rb") as src, (broken / MODEL_FILE).open("wb") as dst:
        dst.write(src.read(1_000_000))
    with pytest.raises(SetupError, match="truncated"):
        OnnxEmbedder(broken, MODEL)


def test_garbage_model_raises_setup_error(exported: Path, tmp_path: Path) -> None:
    """Same size as the real file (so the size check passes) but not a protobuf: onnxruntime fails."""
    broken = _copy_export(exported, tmp_path / "broken", skip=MODEL_FILE)
    size = (exported / MODEL_FILE).stat().st_size
    with (broken / MODEL_FILE).open("wb") as dst:
        dst.write(b"\xff" * 4096 + b"not an onnx model")
        dst.truncate(size)
    with pytest.raises(SetupError, match="onnxruntime cannot load"):
        OnnxEmbedder(broken, MODEL)


@pytest.mark.parametrize(
    ("name", "content"),
    [(TOKENIZER_FILE, '{"version": "1.0", "model": '), (CONFIG_FILE, "{not json"), (CONFIG_FILE, "[]")],
)
def test_corrupt_side_files_raise_setup_error(
    exported: Path, tmp_path: Path, name: str, content: str
) -> None:
    broken = _copy_export(exported, tmp_path / "broken")
    (broken / name).unlink()
    (broken / name).write_text(content, encoding="utf-8")
    with pytest.raises(SetupError, match=name):
        OnnxEmbedder(broken, MODEL)


def test_other_model_name_raises_setup_error(exported: Path) -> None:
    with pytest.raises(SetupError, match="exported from"):
        OnnxEmbedder(exported, "some/other-model")
    OnnxEmbedder(exported, "sentence-transformers/all-MiniLM-L6-v2")  # an alias of the packaged model


def test_replace_dir_swaps_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "cache"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staged = tmp_path / ".cache.tmp-1"
    staged.mkdir()
    (staged / "new.txt").write_text("new")
    _replace_dir(staged, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_query_path_does_not_import_torch(exported: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import retrieval.embedder_onnx as m
        assert "onnxruntime" not in sys.modules  # imported lazily, by OnnxEmbedder
        embedder = m.OnnxEmbedder(Path({str(exported)!r}), {MODEL!r})
        vector = embedder.encode_queries(["Who attended the summit?"])
        assert vector.shape == (1, 384)
        heavy = sorted(n for n in ("torch", "sentence_transformers", "transformers") if n in sys.modules)
        print("heavy:", heavy)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout
