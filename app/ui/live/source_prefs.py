"""Per-source preferences in the live window: a video's capture speed (slow motion).

File → Capture speed… (enabled while a video file plays) asks at which frame rate the
clip was filmed, as Kinovea's "capture speed": a phone's 120/240 frames/s slow motion
stored at 30 frames/s. The answer is remembered for that file (``SourceMemory``) and the
clip restarts on the real time base. ``--capture-fps N`` on the command line wins for
the file it opens. Runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog

from app.capture.source_memory import SourceMemory

#: Common slow-motion factors offered in the dialog.
FACTORS = (2, 4, 8)


def is_file_spec(spec: str | None) -> bool:
    return bool(spec) and spec != "demo" and not spec.lower().startswith("camera")


class SourcePrefs:
    """Owns the source memory and the Capture speed action of ``window``."""

    def __init__(self, window, capture_fps: float | None = None,
                 capture_fps_spec: str | None = None) -> None:
        self.w = window
        # Tests and --no-save runs keep their choices in memory only.
        self.memory = SourceMemory(persist=window.save_settings)
        self._cli_fps, self._cli_spec = capture_fps, capture_fps_spec
        self.act_capture = QAction("Capture speed (slow motion)…", window)
        self.act_capture.setEnabled(False)
        self.act_capture.triggered.connect(self.ask_capture_speed)

    def capture_fps_for(self, spec: str) -> float | None:
        """The capture speed to open ``spec`` with (None: as stored; cameras: None)."""
        if not is_file_spec(spec):
            return None
        if self._cli_fps and spec == self._cli_spec:
            return self._cli_fps
        return self.memory.capture_fps(spec)

    def source_changed(self, spec: str) -> None:
        self.act_capture.setEnabled(is_file_spec(spec))

    def label(self, source) -> str:
        """Status-bar suffix for a slow-motion source ('' otherwise)."""
        fps = getattr(source, "capture_fps", None)
        return f" · filmed at {fps:g} fps" if fps else ""

    def ask_capture_speed(self) -> None:
        """File → Capture speed…: pick the rate the clip was filmed at; restart it."""
        spec = self.w.source_spec
        if not is_file_spec(spec):
            return
        src = getattr(self.w.pipeline, "source", None)
        stored = float(getattr(src, "nominal_fps", 0.0) or 30.0)
        current = self.capture_fps_for(spec)
        items = [f"As stored ({stored:g} fps, normal speed)"]
        values: list[float | None] = [None]
        for k in FACTORS:
            items.append(f"{stored * k:g} fps ({k}× slow motion)")
            values.append(stored * k)
        items.append("Other…")
        idx = values.index(current) if current in values else (len(items) - 1 if current else 0)
        choice, ok = QInputDialog.getItem(
            self.w, "Capture speed",
            "The frame rate the camera filmed at (a phone's slow motion is often\n"
            "filmed at 120 or 240 fps and stored at 30 fps):", items, idx, False)
        if not ok:
            return
        k = items.index(choice)
        if k == len(items) - 1:
            fps, ok = QInputDialog.getDouble(self.w, "Capture speed", "Filmed at (fps):",
                                             current or stored * 4, 1.0, 10000.0, 2)
            if not ok:
                return
            value: float | None = fps
        else:
            value = values[k]
        if value is not None and abs(value - stored) < 1e-6:
            value = None
        self.set_capture_fps(spec, value)

    def set_capture_fps(self, spec: str, fps: float | None) -> None:
        """Remember ``fps`` for the file ``spec`` and restart it on that time base."""
        if spec == self._cli_spec:
            self._cli_fps = None  # the user's new choice replaces the command line's
        try:
            self.memory.set_capture_fps(spec, fps)
        except OSError as exc:
            self.w.show_banner(f"The capture speed could not be saved: {exc}")
        if self.w.source_spec == spec:
            self.w.set_source(spec)
