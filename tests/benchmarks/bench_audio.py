"""Audio engine figures on the real stack (PulseAudio null sink, recorded from its monitor).

    .venv/bin/python -m tests.benchmarks.bench_audio [--bpm 180] [--seconds 20]

Prints (not asserted):
- beat-interval mean and SD measured in samples of the recording (the sink clock) at
  ``--bpm`` while a CPU-heavy numpy thread runs (stands in for the pose pipeline);
- cue trigger → first sample of the clip at the DAC, minus the output latency PortAudio
  reports (engine clock mapping), over several cues played over the running metronome
  after the recorded phase (voice would hide the ducked clicks from onset detection);
- underflows during the run.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from app.audio import AudioEngine
from app.feedback.cue_library import CueLibrary

RATE_HZ = 44100


def busy_numpy(stop: threading.Event, counter: list[int]) -> None:
    """CPU load thread: matrix products plus Python-level work (holds the GIL part-time)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256))
    while not stop.is_set():
        b = a @ a
        a = b / np.linalg.norm(b)
        s = 0
        for i in range(20000):  # pure-Python stretch holding the GIL
            s += i
        counter[0] += 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bpm", type=float, default=180.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--cues", type=int, default=8, help="cues to trigger during the run")
    ap.add_argument("--blocksize", type=int, default=512, help="audio block (samples)")
    ap.add_argument("--latency", default="low", help="PortAudio latency: low, high or seconds")
    args = ap.parse_args(argv)

    lib = CueLibrary.load("en")
    lat = args.latency if args.latency in ("low", "high") else float(args.latency)
    eng = AudioEngine(blocksize_samples=args.blocksize, latency=lat)
    st = eng.start()
    if not st.available:
        print(f"bench-audio: {st.reason}")
        return 1
    eng.wait_ready(15.0)
    eng.register_cues(lib)
    cue_ids = [c.id for c in lib][: args.cues]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "rec.raw"
        fh = open(raw, "wb")
        rec = subprocess.Popen(["parec", "--device=gaitcoach_null.monitor", "--raw", "--format=s16le",
                                f"--rate={RATE_HZ}", "--channels=1", "--latency-msec=20"],
                               stdout=fh, stderr=subprocess.DEVNULL)
        stop = threading.Event()
        counter = [0]
        load = threading.Thread(target=busy_numpy, args=(stop, counter), name="bench-cpu-load")
        load.start()
        eng.start_metronome(args.bpm)
        time.sleep(args.seconds)  # phase 1: clicks only, recorded
        beats = eng.beats_since(0)
        time.sleep(0.3)
        rec.terminate()
        rec.wait()
        fh.close()
        x = np.fromfile(raw, dtype="<i2").astype(np.float32) / 32768.0
        for cue_id in cue_ids:  # phase 2: cues over the running metronome, not recorded
            time.sleep(1.0)
            while eng.voice_active:
                time.sleep(0.01)
            eng.play_cue(cue_id)
        while eng.voice_active:
            time.sleep(0.01)
        eng.stop_metronome()
        _, starts = eng.voice_starts_since(0)
        status = eng.status()
        stop.set()
        load.join()
    eng.stop()

    period_ms = 60_000.0 / args.bpm
    above = np.flatnonzero(np.abs(x) > 0.2)
    on = above[np.concatenate(([True], np.diff(above) > 2000))] if above.size else above
    d_ms = np.diff(on) / RATE_HZ * 1000.0
    good = np.ones(d_ms.size, dtype=bool)
    print(f"device: {status.device_name}, {status.samplerate_hz} Hz, block {status.blocksize_samples} "
          f"samples, reported output latency {status.output_latency_ms:.1f} ms")
    print(f"CPU load thread iterations: {counter[0]}")
    print(f"beats scheduled: {beats.t_ns.size}; clicks found in recording: {on.size}; "
          f"intervals used: {int(good.sum())} of {d_ms.size}")
    if good.any():
        print(f"beat interval at {args.bpm:g} bpm (recording, sink clock): mean {d_ms[good].mean():.4f} ms "
              f"(target {period_ms:.4f}), SD {d_ms[good].std():.4f} ms, "
              f"min {d_ms[good].min():.4f}, max {d_ms[good].max():.4f}")
    t_ms = np.diff(beats.t_ns) / 1e6
    if t_ms.size:
        print(f"beat interval from engine's perf_counter mapping: mean {t_ms.mean():.3f} ms, SD {t_ms.std():.3f} ms")
    lat = np.array([s.latency_ms for s in starts])
    if lat.size:
        rep = status.output_latency_ms
        print(f"cue trigger → DAC (n={lat.size}): median {np.median(lat):.1f} ms, max {lat.max():.1f} ms; "
              f"minus reported latency {rep:.1f} ms: median {np.median(lat) - rep:.1f} ms, max {lat.max() - rep:.1f} ms")
    print(f"underflows: {status.underflows}, restarts: {status.restarts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
