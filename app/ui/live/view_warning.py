"""The live window's wrong-view warning: when the camera clearly shows another view than
the one set in Setup (side vs rear/front), the numbers on the tiles are not meaningful —
a banner says so and how to fix it, and goes away once the view matches.

GUI thread only: a 4 Hz timer reads the pipeline's newest pose (``latest()``) into a
:class:`app.pose.view_check.ViewTally` over the last ~10 s; the tally restarts when the
source or the view changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from app.pose.view_check import ViewTally, ViewVerdict

CHECK_MS = 250
WINDOW_FRAMES = 40   # judged poses kept (4 Hz → ~10 s)


class LiveViewCheck(QObject):
    """Watches one ``MainWindow`` (see the module docstring)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        super().__init__(window)
        self.w = window
        self.tally = ViewTally(every=1, window=WINDOW_FRAMES)
        self.verdict: ViewVerdict | None = None
        self.text = ""          # the banner shown by this check ('' = none)
        self._key = None        # (pipeline, view) the tally belongs to
        self._seq = -1
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_MS)

    def check(self) -> None:
        w = self.w
        pipe = w.pipeline
        view = w.settings.runner.view
        key = (id(pipe), view)
        if key != self._key:
            self._key = key
            self.tally.reset()
            self._seq = -1
        res = pipe.latest() if pipe is not None else None
        if res is not None and res.seq != self._seq:
            self._seq = res.seq
            self.tally.add(res.landmarks)
        self.verdict = self.tally.verdict(view)
        text = self.verdict.sentence("Set the view in Setup (Ctrl+,) or move the camera.")
        if text and text != self.text:
            self.text = text
            w.show_banner(text, sticky=True)
        elif not text and self.text:
            if w.banner.text() == self.text:
                w._dismiss_banner()
            self.text = ""

    def close(self) -> None:
        self.timer.stop()
