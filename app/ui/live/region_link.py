"""The runner region in the live window: drag it on the video, see it, find the runner again.

* Drag with the left mouse button on the video: the box becomes the runner region (the
  pose model looks only there and follows the runner from it). It is remembered for the
  camera or video (``SourceMemory``) and used the next time that source opens.
* G (View → Find the runner automatically) forgets it: the region is proposed again from
  the first confident person.
* The region is drawn as a dashed box with the tracker's state; "runner lost" also shows
  as a banner (``PipelineStatus.runner_message``, the window's status timer).

Runs on the GUI thread. Coordinates: the box is mapped from widget to source-image pixels
through the video view's transform (mirror included).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QRubberBand

from app.pose.overlay import Label, Line, Overlay

#: A drag shorter than this (widget px) is a click, not a region.
MIN_DRAG_PX = 20
STATE_TEXT = {"searching": "runner region: looking…", "following": "runner",
              "lost": "runner lost"}


class RegionLink(QObject):
    """Owns the region drag on ``window.video`` and the G action (see module docstring)."""

    def __init__(self, window, cli_region=None, cli_spec: str | None = None) -> None:
        super().__init__(window)
        self.w = window
        self.video = window.video
        self._cli_region, self._cli_spec = cli_region, cli_spec
        self._origin = None
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, self.video)
        self.video.installEventFilter(self)
        self.video.setToolTip("Drag a box around the runner to set the runner region "
                              "(G: find the runner automatically).")
        self.act_auto = QAction("Find the runner automatically", window,
                                shortcut=QKeySequence("G"))
        self.act_auto.triggered.connect(self.auto)
        window.addAction(self.act_auto)  # the shortcut works in wall mode too

    @property
    def memory(self):
        return self.w.source_prefs.memory

    def region_for(self, spec: str | None):
        """The region to open ``spec`` with: the command line's, else the remembered one."""
        if not spec or spec == "demo":
            return None
        if self._cli_region is not None and spec == self._cli_spec:
            return self._cli_region
        return self.memory.region(spec)

    # ---------------------------------------------------------------- user actions
    def set_region(self, region) -> None:
        """Use and remember ``region`` (x, y, w, h source px) for the current source."""
        spec = self.w.source_spec
        if spec == self._cli_spec:
            self._cli_region = None  # the user's new box replaces the command line's
        if self.w.pipeline is not None:
            self.w.pipeline.set_region(region)
        if spec and spec != "demo":
            try:
                self.memory.set_region(spec, region)
            except OSError as exc:
                self.w.show_banner(f"The runner region could not be saved: {exc}")

    def auto(self) -> None:
        """G: forget the region; the runner is found again from the first confident pose."""
        self.set_region(None)

    # ---------------------------------------------------------------- drawing
    def decorate(self, overlay: Overlay, result) -> Overlay:
        """``overlay`` plus the runner region of ``result`` (a LiveResult) as a dashed box."""
        runner = getattr(result, "runner", None)
        if runner is None or runner.region is None:
            return overlay
        x, y, w, h = runner.region
        a, b, c, d = (x, y), (x + w, y), (x + w, y + h), (x, y + h)
        lines = tuple(Line(p, q, "guide") for p, q in ((a, b), (b, c), (c, d), (d, a)))
        label = Label((x + 6, y + 22), STATE_TEXT.get(runner.state, runner.state), "text")
        return dataclasses.replace(overlay, lines=overlay.lines + lines,
                                   labels=overlay.labels + (label,))

    # ---------------------------------------------------------------- mouse (GUI thread)
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is not self.video:
            return False
        et = event.type()
        if et == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self.band.setGeometry(QRect(self._origin, self._origin))
            self.band.show()
            return True
        if et == QEvent.Type.MouseMove and self._origin is not None:
            self.band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())
            return True
        if et == QEvent.Type.MouseButtonRelease and self._origin is not None:
            rect = QRect(self._origin, event.position().toPoint()).normalized()
            self._origin = None
            self.band.hide()
            if rect.width() >= MIN_DRAG_PX and rect.height() >= MIN_DRAG_PX:
                region = self.widget_to_image(rect)
                if region is not None:
                    self.set_region(region)
            return True
        return False

    def widget_to_image(self, rect: QRect):
        """A widget-pixel rectangle as (x, y, w, h) in source-image pixels, or None."""
        inv, ok = self.video._xf.inverted()
        if not ok:
            return None
        p = inv.map(QPointF(rect.topLeft()))
        q = inv.map(QPointF(rect.bottomRight()))
        x0, x1 = sorted((p.x(), q.x()))
        y0, y1 = sorted((p.y(), q.y()))
        x0, y0 = max(0.0, x0), max(0.0, y0)
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        return (x0, y0, x1 - x0, y1 - y0)
