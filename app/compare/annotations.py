"""Drawings made on paused frames of the comparison view (lines, angles, text), on disk.

Where they are kept (one file per video, shared by every clip cut from that video):

- a **session** (folder with ``session.json``): ``<session folder>/annotations.json``
  (``docs/SESSION_FORMAT.md``);
- a **plain video file**: a sidecar ``<video>.gaitcoach-annotations.json`` beside it
  (e.g. ``run.mp4.gaitcoach-annotations.json``), so the video itself is never touched.

File format (UTF-8 JSON, written atomically: temp file + rename)::

    {"format": 1, "video": "video.mp4",
     "frames": {"123": [{"kind": "line",  "points": [[x, y], [x, y]]},
                        {"kind": "angle", "points": [[x, y], [x, y], [x, y]]},
                        {"kind": "text",  "points": [[x, y]], "text": "heel lands here"}]}}

Keys of ``frames`` are video frame numbers (decode order, as in the landmark file);
points are source-image pixels (x right, y down) of the upright frame. An angle's middle
point is its vertex. Qt-free.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from app.atomic import atomic_path
from app.errors import UserError

FORMAT = 1
SIDECAR_SUFFIX = ".gaitcoach-annotations.json"
SESSION_FILE = "annotations.json"
KINDS = {"line": 2, "angle": 3, "text": 1}


@dataclass(frozen=True, slots=True)
class Drawing:
    """One drawing: ``kind`` 'line' | 'angle' | 'text', ``points`` in source pixels."""

    kind: str
    points: tuple[tuple[float, float], ...]
    text: str = ""

    @property
    def angle_deg(self) -> float | None:
        """The angle at the vertex (middle point) in degrees, 0–180 (angles only)."""
        if self.kind != "angle" or len(self.points) != 3:
            return None
        (ax, ay), (bx, by), (cx, cy) = self.points
        a1 = math.atan2(ay - by, ax - bx)
        a2 = math.atan2(cy - by, cx - bx)
        d = abs(math.degrees(a1 - a2)) % 360.0
        return 360.0 - d if d > 180.0 else d

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind, "points": [[round(x, 1), round(y, 1)] for x, y in self.points]}
        if self.kind == "text":
            out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, d: dict) -> "Drawing":
        kind = d.get("kind")
        pts = d.get("points")
        if kind not in KINDS or not isinstance(pts, list) or len(pts) != KINDS[kind]:
            raise ValueError(f"bad drawing {d!r}")
        points = tuple((float(p[0]), float(p[1])) for p in pts)
        return cls(kind, points, str(d.get("text", "")) if kind == "text" else "")


def annotations_path(video: Path | None, session_dir: Path | None) -> Path | None:
    """Where the drawings of a clip live (module docstring); None without video or session."""
    if session_dir is not None:
        return Path(session_dir) / SESSION_FILE
    if video is not None:
        return Path(video).with_name(Path(video).name + SIDECAR_SUFFIX)
    return None


class AnnotationFile:
    """The drawings of one video, by frame; every change is written at once.

    Used on the GUI thread only. A missing file is empty; an unreadable one is reported
    by ``load_warning`` (one sentence) and not overwritten until the user draws.
    """

    def __init__(self, path: Path, video_name: str = "") -> None:
        self.path = Path(path)
        self.video_name = video_name
        self.frames: dict[int, list[Drawing]] = {}
        self.load_warning: str | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            frames = data["frames"] if isinstance(data, dict) else None
            if not isinstance(frames, dict):
                raise ValueError("no frames")
            for key, items in frames.items():
                self.frames[int(key)] = [Drawing.from_json(d) for d in items]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as exc:
            self.frames = {}
            self.load_warning = f"The drawings in {self.path} cannot be read ({exc})."

    def drawings(self, frame: int) -> list[Drawing]:
        return self.frames.get(int(frame), [])

    def add(self, frame: int, drawing: Drawing) -> None:
        self.frames.setdefault(int(frame), []).append(drawing)
        self.save()

    def remove_last(self, frame: int) -> Drawing | None:
        items = self.frames.get(int(frame))
        if not items:
            return None
        d = items.pop()
        if not items:
            del self.frames[int(frame)]
        self.save()
        return d

    def clear(self, frame: int) -> None:
        if self.frames.pop(int(frame), None) is not None:
            self.save()

    def save(self) -> None:
        """Write the file atomically; raises ``UserError`` (one sentence) when it cannot."""
        data = {"format": FORMAT, "video": self.video_name,
                "frames": {str(k): [d.to_json() for d in v] for k, v in sorted(self.frames.items())}}
        try:
            with atomic_path(self.path) as tmp:
                tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise UserError(f"The drawings cannot be saved to {self.path} ({exc.strerror or exc}).") from None
        self.load_warning = None
