"""The one Qt bridge between the pose worker thread and the GUI thread.

The pipeline calls :meth:`PipelineBridge._on_update` on the pose worker thread only when
gait events or completed steps occur (a few per second); the signal is delivered queued
on the GUI thread. Frames are never signalled: the GUI pulls the newest result on a timer.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.pose.worker import LivePipeline, StepsUpdate


class PipelineBridge(QObject):
    """Lives on the GUI thread; ``sig_steps`` carries a frozen ``StepsUpdate``."""

    sig_steps = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: LivePipeline | None = None

    def attach(self, pipeline: LivePipeline) -> None:
        """Route ``pipeline``'s step updates through this bridge (GUI thread)."""
        self._current = pipeline
        pipeline.add_listener(lambda upd, p=pipeline: self._on_update(p, upd))

    def detach(self) -> None:
        self._current = None

    def _on_update(self, pipeline: LivePipeline, upd: StepsUpdate) -> None:
        """Runs on the pose worker thread; drops updates of a pipeline no longer shown."""
        if pipeline is self._current:
            self.sig_steps.emit(upd)
