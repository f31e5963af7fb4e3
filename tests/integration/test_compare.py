"""Before/after comparison on the real clip: first vs second half of male_side.mp4.

The real pose model runs once per test session (the clip analysis cache lives in a
temporary folder shared by the in-process calls and the CLI subprocesses).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.types import EventKind, Foot

ROOT = Path(__file__).resolve().parents[2]
CLIP = ROOT.parent / "shared" / "data" / "male_side_run" / "male_side.mp4"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CLIP.exists(), reason="shared data not available")]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("gaitcoach-cache")
    old = os.environ.get("GAITCOACH_CACHE_DIR")
    os.environ["GAITCOACH_CACHE_DIR"] = str(d)
    yield d
    if old is None:
        os.environ.pop("GAITCOACH_CACHE_DIR", None)
    else:
        os.environ["GAITCOACH_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def halves(cache_dir):
    from app.compare.clip import load_clip

    calls = []
    t0 = time.perf_counter()
    a = load_clip(f"{CLIP}@0-6", lambda d, t: calls.append((d, t)))
    t1 = time.perf_counter()
    b = load_clip(f"{CLIP}@6-12")
    t2 = time.perf_counter()
    print(f"\nfirst half (pose model) {t1 - t0:.1f} s, second half (cached) {t2 - t1:.2f} s")
    assert calls and calls[-1][0] == 360  # progress over the whole video
    assert list(cache_dir.rglob("*.csv.gz")), "the pose run was not cached"
    return a, b


@pytest.fixture(scope="module")
def comparison(halves):
    from app.compare.report import Comparison

    return Comparison.build(*halves, notes="Cue: run quieter.")


def test_halves_cover_their_ranges(halves):
    a, b = halves
    assert a.first_frame == 0 and a.last_frame == 179
    assert b.first_frame == 180 and b.last_frame == 359
    assert b.sample_at(200).frame_index == 200 and a.sample_at(200) is None
    for c in halves:
        assert c.result.has_gait and 150 < c.result.cadence_spm < 185
        assert all(c.t_start_s <= e.t_s < c.t_end_s for e in c.events)
        assert c.time_of(c.frame_at(3.3)) == pytest.approx(3.3, abs=1 / 60)


def test_ic_frames_map_to_ic_frames_of_the_same_foot(comparison):
    a, b = comparison.before, comparison.after
    sync = comparison.sync
    assert sync.n_pairs >= 6
    checked = 0
    for foot in Foot:
        b_ic_frames = np.array([b.frame_at(t) for t in b.ic_times_s(foot)])
        for t in a.ic_times_s(foot):
            if sync.u_of_a(t) is None:  # outside the paired strides (first/last partial)
                continue
            fb = sync.a_frame_to_b_frame(a.frame_at(t), a.frame_times_s, b.frame_times_s)
            assert np.min(np.abs(b_ic_frames - fb)) <= 1, (foot, t, fb)
            checked += 1
    assert checked >= 10


def test_cli_exports_pdf_video_csv(comparison, cache_dir, tmp_path):
    from app.compare.video_export import frame_plan

    pdf, mp4, csv_path = tmp_path / "r.pdf", tmp_path / "r.mp4", tmp_path / "steps.csv"
    env = dict(os.environ, GAITCOACH_CACHE_DIR=str(cache_dir))
    t = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", f"{CLIP}@6-12", "--export", str(pdf),
         "--video", str(mp4), "--csv", str(csv_path), "--notes", "Cue: run quieter.", "--quiet"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    print(f"\ncompare CLI with all exports: {time.perf_counter() - t:.1f} s")
    assert r.returncode == 0, r.stderr
    assert "Ground contact" in r.stdout and "Cadence" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.mp4", "r.pdf", "steps.csv"]

    # PDF: renders, pages not blank
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        from PIL import Image

        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
        pages = sorted(tmp_path.glob("page*.png"))
        assert len(pages) >= 2
        for p in pages:
            px = np.asarray(Image.open(p).convert("L"), dtype=float)
            assert px.std() > 10, f"{p.name} looks blank"

    # MP4: decodes, the expected number of frames, two halves side by side
    import av

    expected = len(frame_plan(comparison))
    assert expected == sum(max(1, round(pr.a.duration_s * 30)) for pr in comparison.sync.pairs)
    with av.open(str(mp4)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    assert len(frames) == expected
    assert frames[0].shape[1] > frames[0].shape[0] * 0.8  # two portrait halves side by side
    assert np.asarray(frames[len(frames) // 2], float).std() > 20

    # CSV: steps of both clips, on the video clock
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    by = {k: [r for r in rows if r["clip"] == k] for k in ("before", "after")}
    assert len(by["before"]) == comparison.before.result.n_steps > 5
    assert len(by["after"]) == comparison.after.result.n_steps > 5
    assert all(float(r["ic_s"]) >= 6.0 for r in by["after"])
    # events are timed between frames; a step's frame is the first frame at or after its IC
    assert all(-1e-3 <= int(r["ic_frame"]) - float(r["ic_s"]) * 30 < 1 + 1e-3 for r in rows)


def test_plan_frames_at_ics_are_ic_frames(comparison):
    from app.compare.video_export import frame_plan

    a, b = comparison.before, comparison.after
    plan = frame_plan(comparison)
    b_ic = {b.frame_at(e.t_s) for e in b.events if e.kind is EventKind.IC}
    a_ic = {a.frame_at(e.t_s) for e in a.events if e.kind is EventKind.IC}
    hits = [(fa, fb) for fa, fb in plan if fa in a_ic]
    assert len(hits) >= 10
    assert all(min(abs(fb - x) for x in b_ic) <= 1 for _, fb in hits)


@pytest.mark.parametrize("kind", ["random", "truncated", "missing", "text", "empty_range"])
def test_bad_input_is_one_sentence_exit_2_and_no_output(kind, tmp_path, cache_dir):
    if kind == "random":
        bad = tmp_path / "random.mp4"
        bad.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    elif kind == "truncated":
        bad = tmp_path / "cut.mp4"
        bad.write_bytes(CLIP.read_bytes()[:4000])
    elif kind == "missing":
        bad = tmp_path / "nothing-here.mp4"
    elif kind == "text":
        bad = tmp_path / "notes.txt"
        bad.write_text("hello\n")
    else:
        bad = Path(f"{CLIP}@30-40")
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, GAITCOACH_CACHE_DIR=str(cache_dir))
    r = subprocess.run(
        [sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", str(bad), "--export", str(out / "r.pdf"),
         "--video", str(out / "r.mp4"), "--csv", str(out / "r.csv"), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("gaitcoach: "), r.stderr
    assert "Traceback" not in r.stderr
    assert list(out.iterdir()) == []


def test_session_folder_without_video(halves, tmp_path, cache_dir):
    """A session folder (manifest + landmark file) whose video was deleted still compares:
    metrics from the landmarks, key frames drawn on a blank background."""
    import gzip
    import json

    from app.compare.clip import load_clip
    from app.compare.report import Comparison, write_pdf

    folder = tmp_path / "20261121-103105-3fa2c1"
    folder.mkdir()
    cached = next(cache_dir.rglob("*.csv.gz"))
    (folder / "landmarks.csv").write_bytes(gzip.decompress(cached.read_bytes()))
    (folder / "session.json").write_text(json.dumps({
        "format": 1, "id": folder.name, "state": "complete", "started_utc": "2026-11-21T10:31:05Z",
        "view": "side", "facing": "left", "fps": 30.0, "width": 720, "height": 1280,
        "video": "video.mp4"}))
    s = load_clip(f"{folder}@6-12")
    assert s.video_path is None and "missing" in (s.warning or "")
    assert s.session_id == folder.name and s.date == "2026-11-21 10:31 UTC"
    # same poses; the manifest's facing (given, not detected) may move one edge step
    assert abs(s.result.n_steps - halves[1].result.n_steps) <= 2
    assert s.result.cadence_spm == pytest.approx(halves[1].result.cadence_spm, abs=5)
    pdf = tmp_path / "s.pdf"
    write_pdf(Comparison.build(halves[0], s), pdf)
    assert pdf.stat().st_size > 10_000


def test_cli_opens_the_comparison_window(comparison, cache_dir, tmp_path):
    """Issue 11 item 1: ``compare A B`` opens the comparison window; ``--exit-after`` and
    ``--screenshot`` as the live window has; a bad clip is one sentence and exit 2; with
    no display it says how to compare in the terminal."""
    shot = tmp_path / "compare.png"
    env = dict(os.environ, GAITCOACH_CACHE_DIR=str(cache_dir), QT_QPA_PLATFORM="offscreen",
               GAITCOACH_CONFIG_DIR=str(tmp_path / "cfg"), GAITCOACH_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", f"{CLIP}@6-12",
                        "--exit-after", "1", "--screenshot", str(shot)],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and shot.stat().st_size > 10_000
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    r = subprocess.run([sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", str(bad),
                        "--exit-after", "0.5"], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=300)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not ln.startswith("QtWarning")
             and "propagateSizeHints" not in ln]
    assert len(lines) == 1 and lines[0].startswith("gaitcoach: ") and "Traceback" not in r.stderr
    no_display = {k: v for k, v in env.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY",
                                                            "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", f"{CLIP}@6-12"],
                       capture_output=True, text=True, cwd=ROOT, env=no_display, timeout=120)
    assert r.returncode == 2 and "--headless" in r.stderr and "Traceback" not in r.stderr
    # --headless prints the table in the terminal, as before
    r = subprocess.run([sys.executable, "-m", "app", "compare", f"{CLIP}@0-6", f"{CLIP}@6-12",
                        "--headless", "--quiet"], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=300)
    assert r.returncode == 0 and "Cadence" in r.stdout and "strides paired" in r.stdout
