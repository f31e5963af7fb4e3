"""The issue's check: a whole template runs headless on the demo source at time scale 20
(20 min of blocks in 1 min) through ``python -m app protocol``, with the real audio stack
(PortAudio → PulseAudio null sink, monitor recorded by parec):

- blocks in order in blocks.csv and in the store;
- metronome silent in baseline and retention, clicking at the target in retraining, on
  and off by (scaled) minute in the faded block — found in the audio recording by a
  matched filter on the engine's own click;
- target = measured baseline cadence + 7.5 % (the demo runner runs at 170 spm);
- session stored with the runner, blocks with beat–step synchrony, comparison built,
  report.pdf renders non-blank pages.
Requires a PulseAudio server (``scripts/start_pulse.sh``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
RATE_HZ = 44100
K = 20.0


def _pulse_ok() -> bool:
    if shutil.which("pactl") is None or shutil.which("parec") is None:
        return False
    subprocess.run(["bash", str(REPO / "scripts" / "start_pulse.sh")], capture_output=True, timeout=30)
    return subprocess.run(["pactl", "info"], capture_output=True).returncode == 0


pytestmark = [pytest.mark.audio,
              pytest.mark.skipif(not _pulse_ok(), reason="no PulseAudio server answers `pactl info`")]


def click_times_s(x: np.ndarray) -> np.ndarray:
    """Onsets (s from the recording start) of the engine's metronome click: normalised
    cross-correlation with the click ≥ 0.9 (speech does not match a 1 kHz burst that
    well) and loud enough; one per 150 ms."""
    from scipy.signal import fftconvolve

    from app.audio.clips import make_click

    c = make_click(RATE_HZ).astype(np.float64)
    c /= np.linalg.norm(c)
    xx = x.astype(np.float64)
    corr = fftconvolve(xx, c[::-1], mode="valid")
    energy = np.sqrt(np.maximum(fftconvolve(xx * xx, np.ones(c.size), mode="valid"), 1e-12))
    ncc = corr / energy
    cand = np.flatnonzero((ncc > 0.9) & (energy > 0.05))
    out: list[int] = []
    for i in cand:
        if out and i - out[-1] < int(0.15 * RATE_HZ):
            if ncc[i] > ncc[out[-1]] and i - out[-1] < 200:
                out[-1] = i
            continue
        out.append(int(i))
    return np.asarray(out, dtype=float) / RATE_HZ


def count_in(clicks: np.ndarray, t0: float, t1: float) -> np.ndarray:
    return clicks[(clicks >= t0) & (clicks < t1)]


@pytest.fixture
def own_sink():
    """A null sink of this test's own (other tests on the machine may click on the shared
    one at the same time); the app reaches it through PULSE_SINK."""
    name = f"gaitcoach_protocol_{os.getpid()}"
    r = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}",
                        f"sink_properties=device.description={name}"],
                       capture_output=True, text=True, check=True)
    module = r.stdout.strip()
    try:
        yield name
    finally:
        subprocess.run(["pactl", "unload-module", module], capture_output=True)


def test_cadence_protocol_headless_on_demo(tmp_path, own_sink, no_thread_leak):
    env = dict(os.environ, GAITCOACH_DATA_DIR=str(tmp_path / "data"),
               GAITCOACH_CONFIG_DIR=str(tmp_path / "config"),
               GAITCOACH_CACHE_DIR=str(tmp_path / "cache"), PULSE_SINK=own_sink)
    rec_root, out_json = tmp_path / "rec", tmp_path / "out.json"
    raw = tmp_path / "monitor.raw"
    with open(raw, "wb") as fh:
        parec = subprocess.Popen(
            ["parec", f"--device={own_sink}.monitor", "--raw", "--format=s16le",
             f"--rate={RATE_HZ}", "--channels=1", "--latency-msec=20"],
            stdout=fh, stderr=subprocess.DEVNULL)
        try:
            r = subprocess.run(
                [sys.executable, "-m", "app", "protocol", "--template", "cadence", "--source", "demo",
                 "--headless", "--record", str(rec_root), "--time-scale", str(K),
                 "--runner", "Demo Runner", "--json", str(out_json)],
                cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        finally:
            time.sleep(0.3)
            parec.terminate()
            parec.wait(timeout=5)
    print(r.stdout)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["audio_ok"], doc["audio"]

    # ---- blocks in order: protocol, blocks.csv, store
    kinds = ["baseline", "retraining", "retraining", "retraining", "faded", "retention"]
    assert [b["kind"] for b in doc["blocks"]] == kinds
    folder = Path(doc["folder"])
    assert folder.parent == rec_root and doc["recording_state"] == "complete"
    lines = (folder / "blocks.csv").read_text(encoding="utf-8").splitlines()
    assert [ln.split(",")[1] for ln in lines[1:]] == kinds
    starts = [float(ln.split(",")[0]) for ln in lines[1:]]
    assert np.allclose(np.diff(starts), [6, 12, 12, 12, 12], atol=0.15), starts  # ticks: 50 ms

    from app.session.store import open_store

    with open_store(tmp_path / "data" / "gaitcoach.db") as st:
        runner = st.find_runner("Demo Runner")
        sessions = st.list_sessions(runner.id)
        assert [s.id for s in sessions] == [folder.name]
        s = sessions[0]
        assert s.state == "complete" and s.template == "cadence"
        assert s.name == "Cadence retraining (guided)" and s.state_text == "complete"
        assert s.summary["protocol"]["status"] == "finished"
        blocks = st.blocks(folder.name)
    assert [b.kind for b in blocks] == kinds
    for b in blocks[1:4]:  # synchrony per retraining block, in the store
        assert b.summary["sync_n"] > 10 and b.summary["sync_share_50ms"] is not None
        assert b.summary["sync_mean_ms"] is not None and b.summary["metronome"] == "on"
    for b in (blocks[0], blocks[5]):
        assert b.summary["sync_n"] == 0 and b.summary["sync_share_50ms"] is None

    # ---- synchrony stored per step: steps in retraining have it, baseline steps not
    import csv

    with open(folder / "steps.csv", newline="", encoding="utf-8") as fh:
        steps = list(csv.DictReader(fh))
    retraining = [r for r in steps if starts[1] + 1 <= float(r["ic_s"]) < starts[4] - 1]
    scored = [r for r in retraining if r["sync_error_ms"] != ""]
    assert len(scored) > 0.8 * len(retraining), (len(scored), len(retraining))
    # the nearest beat is at most half a beat away; an audio underrun on a loaded machine
    # leaves a gap in the clicks, and the controller scores contacts up to its gap limit
    from app.feedback.controller import SYNC_GAP_PERIODS

    limit_ms = SYNC_GAP_PERIODS * 60_000 / doc["target_spm"]
    errors = [abs(float(r["sync_error_ms"])) for r in scored]
    assert max(errors) <= limit_ms, (max(errors), limit_ms)
    assert sum(e <= 0.5 * 60_000 / doc["target_spm"] for e in errors) >= 0.9 * len(errors)
    assert all((abs(float(r["sync_error_ms"])) <= 50) == (r["sync_in_window"] == "1")
               for r in scored)
    assert all(r["sync_error_ms"] == "" for r in steps if float(r["ic_s"]) < starts[1] - 1)

    # ---- target from the measured baseline (demo runner: 170 spm)
    base, target = doc["baseline_spm"], doc["target_spm"]
    assert abs(base - 170.0) < 2.0, base
    assert target == pytest.approx(base * 1.075, abs=0.02)
    assert any(e["kind"] == "target" for e in doc["events"])
    assert blocks[1].summary["target_spm"] == pytest.approx(target, abs=0.02)

    # ---- comparison and report
    rows = {row["metric"]: row for row in doc["comparison"]["rows"]}
    assert "cadence_spm" in rows and abs(rows["cadence_spm"]["before"] - 170) < 3
    pdf = folder / "report.pdf"
    assert doc["report"] == str(pdf) and pdf.stat().st_size > 10_000
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    from PIL import Image

    for p in pages:
        img = np.asarray(Image.open(p).convert("L"))
        assert (img < 200).mean() > 0.01, f"{p.name} is blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    # issue 11: no almost empty page (the two plots alone on a page). After the clinical
    # picture (issue 15's intro pages): metrics + blocks, then plots + key frames, both full
    first = next(i for i, page in enumerate(text.split("\f")) if "Protocol blocks" in page)
    assert len(pages) - first == 2, (first, len(pages))
    for p in pages[first:]:
        img = np.asarray(Image.open(p).convert("L"))
        inked = np.flatnonzero((img < 200).mean(axis=1) > 0.01)
        assert inked[-1] > 0.6 * img.shape[0], f"{p.name} is mostly empty"
    heads = next(ln for ln in text.splitlines() if ln.lstrip().startswith("Block "))
    assert "LengthMetronome" not in text and heads.split()[:4] == ["Block", "Length", "Metronome", "Target"]
    import re

    assert not re.search(r"[−+-]0\.0*(?![0-9])", text), "a signed zero in the report"

    # ---- the metronome in the recorded sound
    # The null sink is suspended while nothing plays, and its monitor then records
    # nothing: the recording starts when the engine opens its stream. The first sound is
    # the baseline line, spoken at the protocol start (+ one tick + output latency): it
    # puts the recording on the protocol's clock.
    x = np.fromfile(raw, dtype="<i2").astype(np.float32) / 32768.0
    clicks = click_times_s(x)
    first_sound_s = np.flatnonzero(np.abs(x) > 0.02)[0] / RATE_HZ
    ev = {(e["kind"], e["block"]): e["t_ns"] for e in doc["events"]}
    t0 = ev[("block_started", 0)]
    edges = [first_sound_s + (ev[("block_started", i)] - t0) / 1e9 for i in range(6)]
    edges.append(first_sound_s + (ev[("block_ended", 5)] - t0) / 1e9)
    m = 0.5  # s: margin at block edges (tick, output latency, a click already sounding)
    figures = []
    for i, kind in enumerate(kinds):
        a, b = edges[i], edges[i + 1]
        inside = count_in(clicks, a + m, b - m)
        figures.append((kind, round(b - a, 2), inside.size))
        if kind in ("baseline", "retention"):
            assert inside.size == 0, (kind, inside - a)
        elif kind == "retraining":
            # Clicks under a spoken line are ducked and mixed with speech, so some are not
            # found, and this VM's PulseAudio underruns now and then shift the recording
            # (see test_audio_engine): most clicks are found, and most gaps are exactly
            # one beat at the target tempo.
            period = 60.0 / target
            iv = np.diff(inside)
            expect = (b - a - 2 * m) / period
            one_beat = np.abs(iv - period) < 0.005
            figures.append((kind, "expected", round(expect, 1), "one-beat gaps",
                            int(one_beat.sum()), iv.size))
            assert expect * 0.7 <= inside.size <= expect + 1, (kind, inside.size, expect)
            assert np.median(iv) == pytest.approx(period, rel=0.01)
            assert one_beat.mean() >= 0.6, (kind, iv)
        else:  # faded: block minutes are 60/K = 3 s; on in minutes 0 and 2
            minute = 60.0 / K
            for k in range(4):
                n = count_in(clicks, a + k * minute + m, a + (k + 1) * minute - m).size
                figures.append((f"faded minute {k}", n))
                # minute 0 opens with the spoken block line, which ducks most of its
                # clicks at this time scale (3 s minutes): at least one is heard there.
                least = 1 if k == 0 else 3
                assert (n >= least) if k % 2 == 0 else (n == 0), (k, n)
    print("clicks per block:", figures, "total", clicks.size)
