"""Atomic file output: write to a temporary file beside the destination, rename on success.

Used for every file the app writes whole (settings, manifests, landmark files, reports,
exports), so a crash or an error never leaves a half-written file under the real name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


def temp_beside(dest: str | os.PathLike[str]) -> Path:
    """Create an empty temporary file in ``dest``'s folder (hidden name, same suffixes, so
    writers that look at the extension behave). OSError when the folder is not writable."""
    dest = Path(dest)
    parent = dest.parent if str(dest.parent) else Path(".")
    suffix = "".join(dest.suffixes) or ".tmp"
    fd, name = tempfile.mkstemp(prefix=f".{dest.name.split('.')[0]}.", suffix=suffix, dir=parent)
    os.close(fd)
    return Path(name)


def publish(tmp: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """Give the finished temporary ``tmp`` ordinary permissions (0666 less the umask;
    ``mkstemp`` makes 0600) and rename it to ``dest``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, dest)


@contextlib.contextmanager
def replace_on_success(tmp: Path, dest: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield ``tmp``; when the block succeeds it becomes ``dest`` (ordinary permissions:
    0666 less the umask), when it raises it is removed."""
    try:
        yield tmp
        publish(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``dest`` that replaces ``dest`` when the block succeeds and
    is removed when it raises. OSError (e.g. a read-only folder) propagates."""
    with replace_on_success(temp_beside(dest), dest) as tmp:
        yield tmp
