"""Small file helpers for everything the index folder holds: atomic writes, JSON, checksums.

Every file is written under a temporary name in its own folder and renamed into place, so a
reader sees the old file or the new one, never half of one. Temporary names carry the writer's
process id (``.staging-PID-…``, ``.NAME.tmp-PID-…``), so what a killed process left behind can be
told from what a running one is writing: ``remove_stale_temporaries`` removes only the former.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import SetupError

log = logging.getLogger(__name__)

# A temporary left by a process still running is kept this long at most (its pid may be reused).
STALE_AFTER = 3600.0
_TEMPORARY = re.compile(r"^\.(?:staging|.+\.(?:tmp|old))-(?:(\d+)-)?")


def temporary_prefix(kind: str) -> str:
    """A prefix for ``tempfile.mkdtemp``/``mkstemp`` that records this process: ``.KIND-PID-``."""
    return f".{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove temporaries in ``folder`` that no running process is writing: those whose recorded
    pid is dead, and any older than ``STALE_AFTER`` seconds (without a pid, that is the only
    sign). Returns what was removed; a temporary that cannot be removed is left alone."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _TEMPORARY.match(path.name)
        if not match:
            continue
        try:
            age = now - path.lstat().st_mtime
        except OSError:
            continue
        pid = int(match.group(1)) if match.group(1) else None
        if age < STALE_AFTER and (pid is None or pid == os.getpid() or _alive(pid)):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def cannot_write(folder: Path, exc: OSError, what: str = "the index") -> SetupError:
    """The one-line set-up error for a folder that cannot be written (read-only, full, ...)."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        advice = "free some space and try again; the old files were left as they were"
    else:
        advice = "make it writable or set SUMMITBOT_INDEX_DIR to a writable folder"
    return SetupError(f"cannot write {what} in {folder} ({reason}): {advice}.")


def check_writable(folder: Path, what: str = "the index") -> None:
    """SetupError unless a file can be created in ``folder`` (made if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".write-check.{temporary_prefix('tmp')[1:]}", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise cannot_write(folder, exc, what) from exc


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsynced, renamed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{temporary_prefix('tmp')[1:]}", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any, *, indent: int | None = 2, sort_keys: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=indent, sort_keys=sort_keys))


def read_json(path: Path) -> Any:
    """The parsed file, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_json_object(path: Path) -> dict[str, Any] | None:
    data = read_json(path)
    return data if isinstance(data, dict) else None


def save_array(path: Path, array: np.ndarray) -> None:
    """``np.save`` through a temporary name (np.save adds ``.npy`` to names without it)."""
    tmp = path.parent / f".{path.stem}.{temporary_prefix('tmp')[1:]}.npy"
    try:
        np.save(tmp, array)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_records(folder: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """Size, modification time and SHA-256 of each file, for ``file_damage`` to check later."""
    records = {}
    for name in names:
        stat = (folder / name).stat()
        records[name] = {
            "bytes": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": sha256_file(folder / name),
        }
    return records


def file_damage(folder: Path, records: Any) -> str | None:
    """Why the files of ``folder`` no longer match ``records`` (from ``file_records``), or None.

    Cheap when nothing changed: a file whose size and modification time are as recorded is
    trusted; only one whose time changed is hashed again."""
    if not isinstance(records, dict) or not records:
        return "no file sizes and checksums were recorded"
    for name, record in records.items():
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            return f"{name} is missing"
        if not isinstance(record, dict) or stat.st_size != record.get("bytes"):
            return f"{name} is {stat.st_size} bytes, expected {record.get('bytes')} (truncated or replaced)"
        if stat.st_mtime_ns != record.get("mtime_ns") and sha256_file(path) != record.get("sha256"):
            return f"{name} does not match its checksum"
    return None


def cached_vectors(
    texts: Sequence[str],
    cache_dir: Path,
    name: str,
    meta_name: str,
    embedder: Any,
    *,
    encode: Callable[[Sequence[str]], np.ndarray],
    what: str,
) -> np.ndarray:
    """``encode(texts)``, kept in ``cache_dir/name`` (with its key in ``meta_name``) and read back
    while the texts and ``embedder.model_name`` are unchanged. A folder that cannot be written
    only costs a re-encode next time."""
    key = hashlib.sha256(("\n".join(texts) + "\0" + embedder.model_name).encode()).hexdigest()
    meta_path, cache_path = cache_dir / meta_name, cache_dir / name
    meta = read_json_object(meta_path)
    if meta is not None and meta.get("key") == key:
        try:
            vectors = np.load(cache_path)
        except (OSError, ValueError):
            pass
        else:
            if vectors.shape == (len(texts), embedder.dim):
                return vectors
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = np.asarray(encode(list(texts)), dtype=np.float32)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        save_array(cache_path, vectors)
        write_json(meta_path, {"key": key, "count": len(texts)}, indent=None)
    except OSError as exc:
        log.warning("Could not cache the %s vectors: %s", what, exc)
    return vectors
