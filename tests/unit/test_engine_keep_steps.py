"""A live engine keeps only its newest steps in memory (``keep_steps``) and still numbers
and counts every step as an engine that keeps them all."""

from __future__ import annotations

import numpy as np

from app.capture.demo_runner import SyntheticRunner
from app.gait.engine import GaitEngine
from app.types import Facing, PoseSample, View


def _feed(engine: GaitEngine, runner: SyntheticRunner, seconds: float, fps: float = 30.0,
          noise_px: float = 1.5, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    for i in range(int(seconds * fps)):
        t = i / fps
        lm = runner.landmarks_at(t).copy()
        lm[:, :2] += rng.normal(0.0, noise_px, size=(lm.shape[0], 2))
        engine.push(PoseSample(frame_index=i, t_ns=int(round(t * 1e9)), landmarks=lm,
                               width=runner.width, height=runner.height))


def test_kept_steps_are_bounded_and_numbered_like_the_full_history():
    runner = SyntheticRunner()
    full = GaitEngine(View.SIDE, Facing.LEFT)
    live = GaitEngine(View.SIDE, Facing.LEFT, keep_steps=10)
    _feed(full, runner, 30.0)
    _feed(live, runner, 30.0)
    assert len(full.steps) > 60  # ~86 steps at 172 spm
    assert live.step_count == full.step_count == len(full.steps)
    assert 10 <= len(live.steps) < 20 and len(live.events) <= 40
    # the kept ones are the newest, with the same numbers and values as the full history
    tail = full.steps[-len(live.steps):]
    assert [s.index for s in live.steps] == [s.index for s in tail]
    assert [s.ic_t_ns for s in live.steps] == [s.ic_t_ns for s in tail]
    assert live.snapshot().n_steps == full.snapshot().n_steps == full.step_count
    assert live.snapshot().values.keys() == full.snapshot().values.keys()
