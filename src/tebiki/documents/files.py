"""Reading and writing the user's files (profiles, answers, assessments): errors name file and line,
writes are atomic so a failure never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from tebiki.catalog.loader import dump_yaml
from tebiki.core.assessment import Assessment, parse_assessment
from tebiki.core.errors import DataError, read_yaml
from tebiki.core.profile import Profile, parse_profile

MAX_INPUT_BYTES = 5 * 1024 * 1024


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise DataError(str(path), "", f"file is {size} bytes; the limit is {MAX_INPUT_BYTES}")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(str(path), "", "no such file") from None
    except UnicodeDecodeError:
        raise DataError(str(path), "", "not UTF-8 text") from None
    except IsADirectoryError:
        raise DataError(str(path), "", "is a folder, not a file") from None


def load_data(path: Path) -> tuple[Any, str]:
    text = read_text(path)
    return read_yaml(text, str(path)), text


def load_profile(path: Path) -> Profile:
    data, text = load_data(path)
    return parse_profile(data, str(path), text)


def load_assessment(path: Path) -> Assessment:
    data, text = load_data(path)
    return parse_assessment(data, str(path), text)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write *data* to *path* via a temporary file in the same folder and a rename.

    The file gets the mode an ordinary write would give it: an existing file keeps its mode, a new one is
    0666 less the umask (0644 usually), so reports and rulebooks can be handed on (mkstemp alone makes 0600).
    """
    path = path.resolve()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_assessment(path: Path, assessment: Assessment) -> None:
    write_atomic(path, dump_yaml(assessment.dump()))


__all__ = ["DataError", "load_assessment", "load_data", "load_profile", "save_assessment", "write_atomic"]
