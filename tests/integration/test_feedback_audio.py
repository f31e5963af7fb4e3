"""FeedbackController driving the real AudioEngine on the PulseAudio null sink: the tempo
ramp reaches the stream beat by beat, contacts are scored against the engine's real beat
times, and a cue decided by the rules starts playing in the stream.
Requires a PulseAudio server (``scripts/start_pulse.sh``)."""

from __future__ import annotations

import time
from types import MappingProxyType

import numpy as np
import pytest

from app.audio import AudioEngine
from app.feedback.controller import FeedbackController
from app.feedback.cue_library import CueLibrary
from app.pose.worker import StepsUpdate
from app.types import EventKind, Foot, GaitEvent, StepRecord
from tests.integration.test_audio_engine import RATE_HZ, needs_pulse

pytestmark = pytest.mark.audio


@needs_pulse
def test_ramp_sync_and_cue_through_the_real_engine(no_thread_leak, tmp_path):
    engine = AudioEngine()
    assert engine.start().available
    try:
        assert engine.wait_ready(15.0)
        library = CueLibrary.load("en", user_root=tmp_path / "none")
        assert not engine.register_cues(library)
        ctl = FeedbackController(library, engine, increase_pct=10.0, ramp_s=3.0)
        ctl.set_baseline(160.0)
        ctl.set_focus("overstride_pct_leg", "high", limit=15.0)
        ctl.set_cues(True)
        ctl.set_metronome(True)
        offset_ms = 20.0
        used = 0
        placed: list[int] = []
        t_end = time.perf_counter() + 12.0
        k = 0
        first_click_s = None
        while time.perf_counter() < t_end:
            ctl.tick()
            beats = engine.beats_since(0).t_ns
            now = time.perf_counter_ns()
            if first_click_s is None and beats.size:
                # the engine starts clicking once its DAC clock is steady (up to ~2 s on a
                # loaded machine); the ramp runs from that first click: 3 s + 1.5 s more
                first_click_s = time.perf_counter() - (now - beats[0]) / 1e9
                t_end = first_click_s + 4.5
            # a contact 20 ms after each beat, reported ~30 ms later (like the pose worker)
            if beats.size > used and now > beats[used] + (offset_ms + 30) * 1e6:
                ic_t = int(beats[used] + offset_ms * 1e6)
                used += 1
                if used % 2:  # every other beat: the engine's clock keeps running between
                    continue
                step = StepRecord(k, Foot.LEFT, ic_t - 350_000_000, 0, None, None, None, None,
                                  None, None, MappingProxyType({"overstride_pct_leg": 25.0}))
                ctl.on_update(StepsUpdate((GaitEvent(EventKind.IC, Foot.LEFT, ic_t, 0, 1.0, now),),
                                          (step,), None, now))
                placed.append(ic_t)
                k += 1
            time.sleep(0.005)
        ctl.set_metronome(False)
        batch = engine.beats_since(0)
        _, starts = engine.voice_starts_since(0)
    finally:
        engine.stop()
    # the ramp, in stream samples: 160 -> 176 bpm over 3 s from the first click (the first
    # interval already ends a little faster: the engine takes each tempo on the next beat)
    d = np.diff(batch.stream_sample)
    assert RATE_HZ * 60 / 164 <= d[0] <= RATE_HZ * 60 / 160 + 1, d[:3]
    assert np.all(np.diff(d) <= 1), d
    assert np.all(np.abs(d[-3:] - RATE_HZ * 60 / 176) <= 1), d[-3:]
    # every contact scored against the real beats: exactly the 20 ms it was placed at
    st = ctl.state()
    assert len(ctl.sync_log) == len(placed) >= 6
    errs = np.array([ctl.sync_for_ic(t).error_ms for t in placed])
    assert np.all(np.abs(errs - offset_ms) < 0.01), errs
    # stopped: the live figures reset, the run is kept as the last run (issue 11)
    assert st.sync_n == 0 and st.sync_last_run == (1.0, len(placed))
    # the overstride cue was decided after 6 steps and started in the stream
    assert ctl.cue_log and ctl.cue_log[0].spoken
    cue = ctl.cue_log[0].event
    start = next(s for s in starts if s.cue_id == cue.cue_id)
    print(f"cue {cue.cue_id}: decided → first sample at the DAC {start.latency_ms:.1f} ms "
          f"(output latency {engine.output_latency_ms:.1f} ms)")
    assert start.first_sample_t_ns >= start.request_t_ns


@needs_pulse
def test_record_a_cue_clip_from_the_input(no_thread_leak, tmp_path):
    """The cue editor's 'Record my voice' path: sounddevice input → trimmed 16-bit WAV in
    the user cue folder, used by the library. The input here is the null sink's monitor
    (PulseAudio's default source next to the null sink) while the engine clicks."""
    import subprocess

    from app.audio.clips import read_wav_mono
    from app.feedback import user_cues

    src = subprocess.run(["pactl", "get-default-source"], capture_output=True, text=True).stdout
    if "gaitcoach_null.monitor" not in src:
        pytest.skip(f"the default input is {src.strip()!r}, not the null sink's monitor")
    engine = AudioEngine()
    assert engine.start().available
    try:
        assert engine.wait_ready(15.0)
        engine.start_metronome(180.0)
        path = user_cues.record_clip("praise_thats_it", 1.5, root=tmp_path)
    finally:
        engine.stop()
    x, rate = read_wav_mono(path)
    assert 0.3 < x.size / rate <= 1.5 and np.max(np.abs(x)) > 0.2  # clicks, trimmed
    cue = CueLibrary.load("en", user_root=tmp_path).get("praise_thats_it")
    assert cue.source == "user" and cue.clip_path == path
