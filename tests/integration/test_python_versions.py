"""The same analysis on both supported Python versions (3.11 and 3.12).

``make test`` runs the tests marked ``second_python`` in a venv of the supported version that
``.venv`` does not use, with ``GAITCOACH_OTHER_PYTHON`` naming ``.venv``'s interpreter. Here
``analyze male_side.mp4`` runs once with each interpreter (real MediaPipe, real video) and the
pose landmarks, events, steps and metrics must agree.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.pose.landmark_file import read_landmark_file

REPO = Path(__file__).resolve().parents[2]
OTHER_PYTHON = os.environ.get("GAITCOACH_OTHER_PYTHON")


def _analyze(python: str, video: Path, out: Path) -> tuple[dict, np.ndarray, str]:
    """Run ``python -m app analyze`` from the repository; return its JSON, the landmarks as a
    (frames, 33, 2) array in image pixels, and its printed summary."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [python, "-m", "app", "analyze", str(video), "--quiet", "--json", str(out / "r.json"),
         "--landmarks", str(out / "pose.csv.gz")],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    _, samples = read_landmark_file(out / "pose.csv.gz")
    none = np.full((33, 2), np.nan, np.float32)
    xy = np.stack([none if s.landmarks is None else s.landmarks[:, :2] for s in samples])
    return json.loads((out / "r.json").read_text()), xy, proc.stdout


@pytest.mark.second_python
@pytest.mark.slow
def test_analyze_gives_the_same_numbers_on_both_pythons(tmp_path, shared_data, report_figure):
    if not OTHER_PYTHON:
        pytest.skip("GAITCOACH_OTHER_PYTHON is not set: make test sets it for the "
                    "second-Python run, where this test runs")
    other_version = subprocess.run(
        [OTHER_PYTHON, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True).stdout.strip()
    this_version = platform.python_version()
    assert other_version.split(".")[:2] != this_version.split(".")[:2], (
        f"both interpreters are Python {this_version}")

    video = shared_data / "male_side_run" / "male_side.mp4"
    (tmp_path / "this").mkdir()
    (tmp_path / "other").mkdir()
    this_doc, this_xy, this_text = _analyze(sys.executable, video, tmp_path / "this")
    other_doc, other_xy, other_text = _analyze(OTHER_PYTHON, video, tmp_path / "other")

    truth = json.loads((video.parent / "ground_truth.json").read_text())
    for doc in (this_doc, other_doc):
        assert doc["n_steps"] >= 25
        assert abs(doc["cadence_spm"] - truth["cadence_spm"]["best_estimate"]) <= 1.0

    assert this_xy.shape == other_xy.shape
    pose_diff_px = float(np.nanmax(np.abs(this_xy - other_xy)))
    for version, doc in ((this_version, this_doc), (other_version, other_doc)):
        by_foot = doc["metrics"]["contact_ms"]
        report_figure(
            f"Python {version}: male_side.mp4 cadence {doc['cadence_spm']:.1f} spm, "
            f"{doc['n_steps']} steps, contact L/R {by_foot['left_mean']:.0f}/"
            f"{by_foot['right_mean']:.0f} ms, overstride "
            f"{doc['metrics']['overstride_pct_leg']['mean']:.1f} % leg")
    report_figure(f"Python {this_version} vs {other_version}: pose landmarks differ by at most "
                  f"{pose_diff_px:.3g} px over {len(this_xy)} frames")

    assert pose_diff_px <= 0.5
    # Events and steps are the same frames; every printed and stored number is the same.
    assert [(e["kind"], e["foot"], e["frame"]) for e in this_doc["events"]] == [
        (e["kind"], e["foot"], e["frame"]) for e in other_doc["events"]]
    assert this_doc == other_doc
    assert this_text == other_text
