"""Cyclic garbage collection on the GUI thread only, while the GUI runs.

Python's cycle collector runs on whichever thread happens to allocate when a generation
fills up. If it frees a Qt wrapper there, the C++ object is destroyed on that worker
thread while the GUI thread may be deleting widgets: the two wait on each other (Qt's
mutex vs the GIL) for ever. Seen in a test: a PDF export thread collected a QObject inside
``fontTools`` while the GUI thread ran ``~QWidget``. The usual cure for PySide/PyQt apps:
turn automatic collection off and collect from a timer on the GUI thread, generation by
generation, when the allocation counts pass the normal thresholds.
"""

from __future__ import annotations

import gc

#: How often the GUI thread checks the allocation counts (ms).
CHECK_INTERVAL_MS = 250


class MainThreadGC:
    """Create on the GUI thread after the QApplication; :meth:`close` restores automatic
    collection (and collects once, here)."""

    def __init__(self, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        from PySide6.QtCore import QTimer

        self._was_enabled = gc.isenabled()
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer()
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds (GUI thread)."""
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 > t0:
            gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)

    def close(self) -> None:
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
