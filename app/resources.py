"""Where the shipped, read-only data lives: ``cues/``, ``protocols/`` and ``assets/``.

In a source checkout (and an editable install) they are the folders at the repository root.
A wheel and the PyInstaller bundle carry them inside the package as ``app/_data/<name>``
(setup.py and packaging/gaitcoach.spec put them there). No I/O at import time.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_NAMES = ("cues", "protocols", "assets")
_PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The folder of shipped data ``name`` (one of :data:`SHIPPED_NAMES`)."""
    if name not in SHIPPED_NAMES:
        raise ValueError(f"unknown shipped data folder {name!r}")
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def asset_path(*parts: str) -> Path:
    """A file under ``assets/``, e.g. ``asset_path("icons", "gaitcoach-256.png")``."""
    return shipped_dir("assets").joinpath(*parts)
