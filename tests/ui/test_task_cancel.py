"""Background tasks (``app.ui.shared.workers``): a job cut short by Cancel reports the
cancellation, even when it fails on what it did not read."""

from __future__ import annotations

import pytest

from app.errors import InputFileError
from app.ui.shared.workers import Task


@pytest.mark.parametrize("exc", [InputFileError("run.mp4 contains no frames."), ValueError("empty")])
def test_a_cancelled_job_that_then_fails_reports_cancelled(qtbot, exc):
    """The comparison's pose run, cancelled, stopped reading and then found no frames: that
    showed a modal "contains no frames" box (and hung the test run offscreen)."""
    def job(task: Task) -> None:
        task.cancel()  # the user pressed Cancel while the job ran
        raise exc

    task = Task("clip analysis", job)
    failed, cancelled = [], []
    task.sig_failed.connect(failed.append)
    task.sig_cancelled.connect(lambda: cancelled.append(True))
    task.start()
    qtbot.waitUntil(lambda: bool(cancelled or failed), timeout=5000)
    assert cancelled == [True] and failed == []
    assert task.join()


def test_a_job_that_fails_without_cancel_reports_its_sentence(qtbot):
    def job(task: Task) -> None:
        raise InputFileError("run.mp4 contains no frames.")

    task = Task("clip analysis", job)
    failed = []
    task.sig_failed.connect(failed.append)
    task.start()
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert failed == ["run.mp4 contains no frames."]
    assert task.join()
