"""Where the live videos go: one view, or two (side and rear/front) side by side or one
large and one small.

:class:`VideoArea` holds the window's primary :class:`~app.ui.live.video_view.VideoView`
(always there) and, with a second camera, a second one. Its children are placed by hand
on resize (no layout: the runner's video is lent to the home practice layout and given
back with :meth:`VideoArea.put_back`).

* ``side_by_side``: two equal halves;
* ``large_small``: the *runner's view* large, the other in a column beside it (a third
  of the width, at the top);
* wall mode and the home layout show the runner's view alone.

The *runner's view* is the view the clinician picks for the runner (View → Runner's
view, W): shown large, alone in wall mode, with the cadence box; the mirror (M) applies
to it. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Signal
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.live.video_view import VideoView

LAYOUTS = ("side_by_side", "large_small")
LAYOUT_WORDS = {"side_by_side": "side by side", "large_small": "one large, one small"}
SMALL_SHARE = 0.3   # the small video's share of the width (large_small)
GAP_PX = 4


class VideoArea(QWidget):
    """The primary video and, with two views, the second (see the module docstring)."""

    #: the user double-clicked video 0 (primary) or 1 (second): make it the runner's view
    picked = Signal(int)

    def __init__(self, primary: VideoView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setStyleSheet("background:#101418;")
        self.primary = primary
        self.second: VideoView | None = None
        self.layout_name = "side_by_side"
        #: 0 = the primary video is the runner's view, 1 = the second
        self.runner_index = 0
        #: only the runner's view (wall mode)
        self.alone = False
        self.put_back(primary)

    # ------------------------------------------------------------------ children
    def put_back(self, video: VideoView) -> None:
        """Take a video (back) as a child (the home layout lends the runner's view)."""
        video.setParent(self)
        video.show()
        self._place()

    def has_primary(self) -> bool:
        return self.primary.parent() is self

    def set_second(self, on: bool) -> VideoView | None:
        """Show (make on first use) or hide the second video; returns it (None: off)."""
        if on and self.second is None:
            self.second = VideoView(self)
        if self.second is not None:
            self.second.setVisible(on)
            if not on:
                self.second.clear()
        if not on:
            self.runner_index = 0
        self._place()
        return self.second if on else None

    @property
    def two(self) -> bool:
        return self.second is not None and not self.second.isHidden()

    def videos(self) -> tuple[VideoView, ...]:
        return (self.primary, self.second) if self.two else (self.primary,)

    def runner_video(self) -> VideoView:
        """The video of the runner's view."""
        return self.second if self.two and self.runner_index == 1 else self.primary

    # ------------------------------------------------------------------ arrangement
    def set_layout(self, name: str) -> None:
        self.layout_name = name if name in LAYOUTS else "side_by_side"
        self._place()

    def set_runner_index(self, index: int) -> None:
        self.runner_index = 1 if index == 1 and self.two else 0
        self._place()

    def set_alone(self, on: bool) -> None:
        self.alone = on
        self._place()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Double-click on the small or the other video: it becomes the runner's view."""
        for i, v in enumerate(self.videos()):
            if v.geometry().contains(event.position().toPoint()):
                self.picked.emit(i)
                return
        super().mouseDoubleClickEvent(event)

    def geometries(self) -> dict[int, QRect]:
        """Where each shown video goes (0 primary, 1 second) for the current size."""
        W, H = max(1, self.width()), max(1, self.height())
        full = QRect(0, 0, W, H)
        if not self.two:
            return {0: full}
        runner, other = self.runner_index, 1 - self.runner_index
        if self.alone:
            return {runner: full}
        if self.layout_name == "large_small":
            small_w = max(100, int(W * SMALL_SHARE))
            large_w = W - small_w - GAP_PX
            small_h = min(H, max(120, int(small_w * 9 / 16)))
            return {runner: QRect(0, 0, large_w, H),
                    other: QRect(large_w + GAP_PX, 0, small_w, small_h)}
        half = (W - GAP_PX) // 2
        return {0: QRect(0, 0, half, H), 1: QRect(half + GAP_PX, 0, W - half - GAP_PX, H)}

    def _place(self) -> None:
        geo = self.geometries()
        for i, v in enumerate((self.primary, self.second)):
            if v is None or v.parent() is not self:
                continue
            if i == 1 and not self.two:
                continue
            if i in geo:
                v.setGeometry(geo[i])
                v.show()
            else:
                v.hide()
