"""The camera views of a recorded session, for the comparison, the session browser and
the reports.

A two-view session (``docs/SESSION_FORMAT.md``, "Two views") keeps the side view at the
folder's top level and the rear (or front) view in a sub-folder; a one-view session has
one view, its own. :func:`session_views` lists them with their files checked against the
disk; :func:`views_label` is the browser's "side + rear". No Qt; reads only the manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.types import View

#: what a comparison can show: one view, or the two views of two-view sessions together
BOTH = "both"


@dataclass(frozen=True, slots=True)
class SessionView:
    """One camera of a session: its view, landmark file, video (None when the manifest
    names none or the file is missing), frame size and rate, and the camera offset to
    the side view (ms, this view − side; None: unknown or the side view itself)."""

    view: View
    landmarks: Path
    video: Path | None
    video_named: str | None
    fps: float | None
    width: int | None
    height: int | None
    offset_ms: float | None = None

    @property
    def problem(self) -> str:
        """'' when the files are there, else one sentence."""
        if not self.landmarks.is_file():
            return f"The {self.view.value} view's landmark file is missing."
        if self.video is None:
            what = f"({self.video_named}) " if self.video_named else ""
            return f"The {self.view.value} view's video {what}is missing."
        return ""


def read_manifest(folder: Path) -> dict:
    """The manifest of ``folder`` ({} when missing or unreadable)."""
    try:
        m = json.loads((Path(folder) / "session.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def session_views(folder: Path, manifest: dict | None = None) -> list[SessionView]:
    """The views of the session in ``folder``, the side (primary) view first."""
    folder = Path(folder)
    m = read_manifest(folder) if manifest is None else manifest
    entries = m.get("views") if isinstance(m.get("views"), list) else None
    if not entries:
        entries = [{"view": m.get("view") or "side", "dir": "", "video": m.get("video"),
                    "landmarks": "landmarks.csv"}]
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            continue
        try:
            view = View(e.get("view") or "side")
        except ValueError:
            continue
        lm = folder / (e.get("landmarks") or "landmarks.csv")
        if not lm.is_file() and lm.name == "landmarks.csv" and lm.with_suffix(".csv.gz").is_file():
            lm = lm.with_suffix(".csv.gz")
        named = e.get("video") or (m.get("video") if i == 0 else None)
        candidates = [named] if named else []
        sub = Path(e.get("dir") or "")
        candidates += [str(sub / n) for n in ("video.mp4", "video.mkv")]
        video = next((folder / c for c in candidates if c and (folder / c).is_file()), None)
        primary = i == 0
        off = m.get("offset_ms") if not primary else None
        out.append(SessionView(
            view=view, landmarks=lm, video=video, video_named=named,
            fps=_num(e.get("fps") if not primary else m.get("fps")),
            width=_int(e.get("width") if not primary else m.get("width")),
            height=_int(e.get("height") if not primary else m.get("height")),
            offset_ms=_num(off)))
    return out


def views_label(views: list[SessionView] | list[View]) -> str:
    """'side', 'side + rear'."""
    names = [v.view.value if isinstance(v, SessionView) else View(v).value for v in views]
    return " + ".join(names)


def pick_view(views: list[SessionView], view: View | str | None) -> SessionView | None:
    """The entry for ``view`` (None: the first), or None when the session has no such view."""
    if not views:
        return None
    if view is None:
        return views[0]
    return next((v for v in views if v.view is View(view)), None)


def _num(v) -> float | None:  # noqa: ANN001
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def _int(v) -> int | None:  # noqa: ANN001
    f = _num(v)
    return int(f) if f else None
