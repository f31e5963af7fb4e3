"""The coached single-leg squat through the live pipeline (capture thread → latest-frame
slot → pose worker with the exercise engine), real time, on the synthetic squatter."""

from __future__ import annotations

import time

from app.capture.squatter import SquatSet, SquatterLiveSource
from app.exercise.engine import ExerciseEngine
from app.pose.worker import LivePipeline
from app.types import View


def test_live_squats_are_counted_and_measured(no_thread_leak):
    src = SquatterLiveSource("single_leg_squat", fps=30.0, noise_px=1.5,
                             script=[SquatSet("right", (12.0, 3.0), (6.0, 1.0))], rep_s=2.4)
    pipe = LivePipeline(src, View.FRONT, None,
                        engine_factory=lambda v, f: ExerciseEngine("single_leg_squat", v))
    reps = []
    pipe.add_listener(lambda upd: reps.extend(upd.steps))  # pose worker thread
    pipe.start()
    try:
        deadline = time.monotonic() + src.runner.duration_s + 8.0
        while len(reps) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        res = pipe.latest()
    finally:
        pipe.stop()
    assert len(reps) >= 2, reps
    first, second = reps[0], reps[1]
    assert first.leg == second.leg == "right"
    assert abs(first.knee_fppa_deg - 12.0) < 2.0 and abs(second.knee_fppa_deg - 3.0) < 2.0
    assert first.cue is not None and second.cue is None
    assert res is not None and res.snapshot.exercise == "single_leg_squat"
    assert res.frame.image.shape == (src.height, src.width, 3)
    assert pipe.dropped() < pipe.capture.frames * 0.2
