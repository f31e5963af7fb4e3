"""What the app remembers per source: a video's capture speed, a camera's runner region.

One small JSON file beside the settings (``<config dir>/sources.json``)::

    {"format": 1, "sources": {"camera:0": {"region": [x, y, w, h], "used": 1767000000.0},
                              "file:/abs/clip.mp4": {"capture_fps": 120.0, "used": …}}}

Keys: ``camera:N``, ``demo``, ``stream:`` + the URL without credentials, or ``file:`` +
the resolved path of a video. A region is in
the source's image pixels (x right, y down). Reading is forgiving (a bad file is ignored);
writing is atomic. The most recently used ``MAX_SOURCES`` entries are kept. Not
thread-safe: use it from one thread (the GUI's).
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

from app.atomic import atomic_path

FILE_NAME = "sources.json"
MAX_SOURCES = 200
Region = tuple[float, float, float, float]


def source_key(spec: str) -> str:
    """The memory key of a source spec ('demo', 'camera:N', or a video path)."""
    s = spec.strip()
    low = s.lower()
    if low == "demo":
        return "demo"
    if low.startswith("camera"):
        _, _, idx = s.partition(":")
        return f"camera:{int(idx) if idx.strip().isdigit() else 0}"
    if low.split("://", 1)[0] in ("rtsp", "rtsps", "http", "https") and "://" in low:
        from app.capture.source_spec import redact_url

        return "stream:" + redact_url(s)  # never a password in sources.json
    try:
        return "file:" + str(Path(s).expanduser().resolve())
    except OSError:
        return "file:" + s


def parse_region(text: str | None) -> Region | None:
    """``"x,y,w,h"`` (pixels) → a region; None for None/''. ValueError with a sentence."""
    if text is None or not str(text).strip():
        return None
    parts = [p.strip() for p in str(text).split(",")]
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"The runner region must be four numbers x,y,w,h in pixels, "
                         f"not '{text}'.") from None
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise ValueError(f"The runner region must be four numbers x,y,w,h in pixels, "
                         f"not '{text}'.")
    x, y, w, h = vals
    if w < 16 or h < 16 or x < 0 or y < 0:
        raise ValueError(f"The runner region {text} must start inside the picture "
                         "(x, y ≥ 0) and be at least 16 pixels wide and high.")
    return (x, y, w, h)


class SourceMemory:
    """Per-source settings kept between runs (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, persist: bool = True) -> None:
        if path is None:
            from app.config import config_dir

            path = config_dir() / FILE_NAME
        self.path = Path(path)
        #: False: read the file but keep changes in memory only (tests, ``--no-save``)
        self.persist = persist
        self._data: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            sources = doc.get("sources", {}) if isinstance(doc, dict) else {}
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in sources.items() if isinstance(k, str) and isinstance(v, dict)}

    def _entry(self, spec: str) -> dict[str, Any]:
        return self._data.get(source_key(spec), {})

    def capture_fps(self, spec: str) -> float | None:
        """The capture speed remembered for a video file (None: as stored)."""
        v = self._entry(spec).get("capture_fps")
        return float(v) if isinstance(v, (int, float)) and v > 0 else None

    def region(self, spec: str) -> Region | None:
        """The runner region remembered for a source (None: found automatically)."""
        v = self._entry(spec).get("region")
        if isinstance(v, list) and len(v) == 4 and all(isinstance(x, (int, float)) for x in v):
            return (float(v[0]), float(v[1]), float(v[2]), float(v[3]))
        return None

    def set_capture_fps(self, spec: str, fps: float | None) -> None:
        self._set(spec, "capture_fps", None if not fps else float(fps))

    def set_region(self, spec: str, region: Region | None) -> None:
        self._set(spec, "region", None if region is None else [round(float(v), 1) for v in region])

    def _set(self, spec: str, name: str, value: Any) -> None:
        key = source_key(spec)
        entry = dict(self._data.get(key, {}))
        if value is None:
            entry.pop(name, None)
        else:
            entry[name] = value
        entry["used"] = time.time()
        if set(entry) == {"used"}:
            self._data.pop(key, None)
        else:
            self._data[key] = entry
        self.save()

    def save(self) -> None:
        """Write the file atomically, keeping the most recently used entries (OSError)."""
        items = sorted(self._data.items(), key=lambda kv: kv[1].get("used", 0), reverse=True)
        self._data = dict(items[:MAX_SOURCES])
        if not self.persist:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.path) as tmp:
            tmp.write_text(json.dumps({"format": 1, "sources": self._data}, indent=1) + "\n",
                           encoding="utf-8")
