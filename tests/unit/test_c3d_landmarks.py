"""The C3D -> 2D landmark conversion of the gaitalytics treadmill walk is sane."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ezc3d")

from app.types import LM, N_LANDMARKS, PoseSample  # noqa: E402
from tests.helpers.c3d_landmarks import c3d_to_samples  # noqa: E402

TRUTH_CADENCE_SPM = 105.8


@pytest.fixture(scope="module")
def side(shared_data):
    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    return c3d_to_samples(path, view="side", facing="left")


def _series(samples: list[PoseSample], name: str) -> np.ndarray:
    """(N, 4) x_px, y_px, z, visibility of one landmark over the clip."""
    return np.stack([s.landmarks[LM[name]] for s in samples]).astype(np.float64)


def _peak_freq_hz(x: np.ndarray, fps: float, lo: float, hi: float) -> float:
    """Frequency (Hz) of the largest DFT magnitude in [lo, hi], on a 0.0005 Hz grid."""
    x = x - np.nanmean(x)
    x = np.nan_to_num(x) * np.hanning(len(x))
    t = np.arange(len(x)) / fps
    freqs = np.arange(lo, hi, 0.0005)
    mag = np.abs(np.exp(-2j * np.pi * np.outer(freqs, t)) @ x)
    return float(freqs[int(np.argmax(mag))])


def test_shape_and_times(side):
    samples, meta = side
    assert len(samples) == 1206
    assert meta["fps"] == 100.0
    t = np.array([s.t_ns for s in samples])
    assert np.all(np.diff(t) > 0)
    assert t[0] == 0 and t[1] == 10_000_000
    assert [s.frame_index for s in samples[:3]] == [0, 1, 2]
    for s in samples[:: 100]:
        assert s.landmarks.shape == (N_LANDMARKS, 4)
        assert s.landmarks.dtype == np.float32
        assert (s.width, s.height) == (1280, 720)
        assert np.all((s.landmarks[:, 3] >= 0) & (s.landmarks[:, 3] <= 1))


def test_body_inside_image_and_sized(side):
    samples, _ = side
    arr = np.stack([s.landmarks for s in samples])
    assert np.nanmin(arr[..., 0]) > 0 and np.nanmax(arr[..., 0]) < 1280
    assert np.nanmin(arr[..., 1]) > 0 and np.nanmax(arr[..., 1]) < 720
    extent = np.nanmax(arr[:, LM["left_foot_index"], 1]) - np.nanmin(arr[:, LM["nose"], 1])
    assert 0.45 * 720 < extent < 0.7 * 720


def test_vertical_order(side):
    samples, _ = side
    for foot in ("left", "right"):
        heel = _series(samples, f"{foot}_heel")[:, 1]
        knee = _series(samples, f"{foot}_knee")[:, 1]
        hip = _series(samples, f"{foot}_hip")[:, 1]
        sh = _series(samples, f"{foot}_shoulder")[:, 1]
        assert np.mean(heel > knee) > 0.95  # y down: heel below knee
        assert np.mean(knee > hip) > 0.99
        assert np.mean(hip > sh) > 0.99


def test_facing_left_means_toes_left_of_heels(side):
    samples, _ = side
    for foot in ("left", "right"):
        toe = _series(samples, f"{foot}_foot_index")[:, 0]
        heel = _series(samples, f"{foot}_heel")[:, 0]
        assert np.mean(toe < heel) > 0.95
    # Camera on the runner's left: the left leg is nearer (smaller z).
    zl = _series(samples, "left_knee")[:, 2]
    zr = _series(samples, "right_knee")[:, 2]
    assert np.mean(zl < zr) > 0.95


def test_facing_right_mirrors(shared_data, side):
    samples_l, _ = side
    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    samples_r, meta_r = c3d_to_samples(path, view="side", facing="right")
    xl = _series(samples_l, "left_heel")[:, 0]
    xr = _series(samples_r, "left_heel")[:, 0]
    # Mirror about the (common) image centre of the hip trajectory: anti-correlated.
    assert np.corrcoef(xl, xr)[0, 1] < -0.99
    assert meta_r["facing"] == "right"


def test_truth_events_inside_clip(side):
    samples, meta = side
    events = meta["events"]
    assert len(events) == 43
    duration = (len(samples) - 1) / meta["fps"]
    assert all(0.0 <= t <= duration for _, _, t in events)
    assert {k for k, _, _ in events} == {"IC", "TO"}
    # Time base: first event (right foot strike at capture 0.50 s) -> 0.06 s = frame 6.
    assert events[0] == ("IC", "right", pytest.approx(0.06))
    assert meta["event_frames"][-1][2] == 1197
    assert meta["truth_cadence_spm"] == pytest.approx(TRUTH_CADENCE_SPM, abs=0.05)


def test_truth_events_agree_with_kinematics(side):
    """Checks the time base: IC lands near the heel's most forward point (min x when facing
    left), TO near the toe's most backward point (Zeni et al. 2008), within 5 frames.

    Measured on this file: IC 2-3 frames after the heel extreme, TO 1-3 frames before the
    toe extreme; a wrong capture offset (44 frames) would fail this.
    """
    samples, meta = side
    for kind, foot, t in meta["events"]:
        i = int(round(t * meta["fps"]))
        if kind == "IC":
            x = -_series(samples, f"{foot}_heel")[:, 0]
        else:
            x = _series(samples, f"{foot}_foot_index")[:, 0]
        lo, hi = max(0, i - 30), min(len(x), i + 31)
        j = lo + int(np.argmax(x[lo:hi]))
        assert abs(j - i) <= 5, (kind, foot, t, j - i)


def test_heels_antiphase_and_cadence(side):
    samples, meta = side
    fps = meta["fps"]
    xl = _series(samples, "left_heel")[:, 0]
    xr = _series(samples, "right_heel")[:, 0]
    assert np.corrcoef(xl - xl.mean(), xr - xr.mean())[0, 1] < -0.5
    f_stride = _peak_freq_hz(xl - xr, fps, 0.5, 1.5)
    assert f_stride == pytest.approx(0.88, abs=0.02)
    cadence = 2 * 60 * f_stride
    assert cadence == pytest.approx(TRUTH_CADENCE_SPM, abs=2.0)


def test_rear_view_frontal_plane(shared_data):
    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    samples, meta = c3d_to_samples(path, view="rear")
    assert meta["facing"] is None and len(samples) == 1206
    lx = _series(samples, "left_hip")[:, 0]
    rx = _series(samples, "right_hip")[:, 0]
    assert np.all(lx < rx)  # rear view: image left = runner's left
    ly = _series(samples, "left_hip")[:, 1]
    ry = _series(samples, "right_hip")[:, 1]
    # Pelvic obliquity in walking: a few degrees, alternating.
    angle = np.degrees(np.arctan2(ly - ry, rx - lx))
    assert np.ptp(angle) < 25 and np.std(angle) > 0.5
    knee_sep = _series(samples, "right_knee")[:, 0] - _series(samples, "left_knee")[:, 0]
    assert np.all(knee_sep > 0)


def test_cache_returns_independent_copies(shared_data):
    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    s1, m1 = c3d_to_samples(path)
    m1["events"].clear()
    s2, m2 = c3d_to_samples(path)
    assert len(m2["events"]) == 43
    assert s1[0] is s2[0]  # same cached, read-only samples
    assert not s1[0].landmarks.flags.writeable


def test_bad_arguments(shared_data):
    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    with pytest.raises(ValueError):
        c3d_to_samples(path, view="top")
    with pytest.raises(ValueError):
        c3d_to_samples(path, view="side", facing=None)


# ----------------------------------------------------------------- validation table


class _FakeResult:
    """Stands in for app.gait.analysis.AnalysisResult (test only)."""

    def __init__(self, events, cadence_spm, contact_ms_by_foot):
        self.events = events
        self.steps = []
        self.cadence_spm = cadence_spm
        self.contact_ms_by_foot = contact_ms_by_foot


def _fake_events(truth, shift_s, fps):
    from app.types import EventKind, Foot, GaitEvent

    out = []
    for kind, foot, t in truth:
        t_ns = int(round((t + shift_s) * 1e9))
        out.append(GaitEvent(EventKind(kind), Foot(foot), t_ns, int(round((t + shift_s) * fps)), 0.9, t_ns))
    return out


def test_make_table_with_fake_engine(shared_data):
    """make_table on the C3D and male_side clips with a fake engine and fake poses."""
    import json

    from app.types import Facing, Foot, PoseSample, View
    from tests.helpers.c3d_landmarks import c3d_to_samples
    from tests.validation import make_table

    _, meta = c3d_to_samples(shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d")
    gt = json.loads((shared_data / "male_side_run" / "ground_truth.json").read_text())
    ms_truth = [(e["kind"], e["foot"], e["frame"] / 30.0) for e in gt["events"]]
    calls = []

    def fake_analyze(samples, view, facing, fps):
        calls.append((len(samples), view, facing, fps))
        assert view is View.SIDE and facing is Facing.LEFT
        if len(samples) == 1206:  # C3D: every event 1 frame late, one TO missing, one extra IC
            ev = _fake_events(meta["events"][:-2] + meta["events"][-1:], 0.01, fps)
            ev += _fake_events([("IC", "left", 5.0)], 0.0, fps)
            return _FakeResult(ev, 105.9, {Foot.LEFT: 700.0, Foot.RIGHT: None})
        if len(samples) == 360:  # male_side: perfect events, cadence off by 2 spm
            t0 = samples[0].t_ns / 1e9  # events are on the samples' clock
            return _FakeResult(_fake_events(ms_truth, t0, fps), 170.5, {"left": 281.0, "right": 300.0})
        return _FakeResult([], None, {})

    def fake_poses(path):
        n = 360 if "male_side" in str(path) else 230
        start = 1_000_000  # non-zero first timestamp: times are taken relative to it
        return [PoseSample(i, start + int(i * 1e9 / 30), None, 720, 1280) for i in range(n)]

    report = make_table.run(["c3d", "male_side", "distractors", "nope"], data_dir=shared_data,
                            analyze=fake_analyze, pose_iter=fake_poses)
    assert [c[3] for c in calls] == [100.0, pytest.approx(30.0), pytest.approx(30.0)]
    rows = {(r["clip"], r["quantity"].split(" (")[0]): r for r in report["rows"]}
    assert rows[("c3d", "cadence")]["passed"] is True
    ic = rows[("c3d", "IC median abs error")]
    assert ic["values"]["median_abs_frames"] == pytest.approx(1.0) and ic["passed"] is True
    assert ic["values"]["bias_frames"] == pytest.approx(1.0)
    assert rows[("c3d", "TO found")]["values"]["n_matched"] == 20
    assert rows[("c3d", "false events")]["values"]["n_false"] == 1
    assert rows[("c3d", "mean contact left")]["passed"] is None  # no contact target for C3D
    assert rows[("male_side", "cadence")]["passed"] is False
    assert rows[("male_side", "IC found")]["values"]["found_pct"] == 100.0
    assert rows[("male_side", "TO median abs error")]["values"]["median_abs_frames"] == pytest.approx(0.0, abs=1e-6)
    assert rows[("male_side", "mean contact left")]["passed"] is True
    assert rows[("male_side", "mean contact right")]["passed"] is False
    assert rows[("distractors", "cadence")]["passed"] is False  # no cadence: walker not measured
    assert rows[("distractors", "walker followed")]["passed"] is False
    assert rows[("nope", "run")]["passed"] is False
    md = make_table.render_markdown(report)
    assert "| clip | quantity | truth | measured | error | target | pass |" in md
    assert "commit `" in md and "**FAIL**" in md
    json.dumps(report, default=str)


def test_resampling_follows_curves_and_keeps_gaps():
    """Resampling 100 Hz to 120 fps follows a smooth curve (a 3 Hz sine: within 0.1 % of
    its amplitude; straight chords between the samples are up to 0.44 % off, and put a toe's
    convex rise early) and keeps a gap a gap."""
    from tests.helpers.c3d_landmarks import _resample

    n = 200
    t_src = np.arange(n) / 100.0
    xyz = np.zeros((n, N_LANDMARKS, 3))
    xyz[:, :, 0] = np.sin(2 * np.pi * 3.0 * t_src)[:, None]
    xyz[50, 0, :] = np.nan
    truth = {"angle": np.cos(2 * np.pi * 3.0 * t_src)}
    new, tr = _resample(xyz, truth, 100.0, 120.0)
    t = np.arange(new.shape[0]) / 120.0
    want = np.sin(2 * np.pi * 3.0 * t)
    inner = (t > 0.05) & (t < t_src[-1] - 0.05)
    assert np.nanmax(np.abs(new[inner, 1, 0] - want[inner])) < 1e-3
    assert np.nanmax(np.abs(tr["angle"][inner] - np.cos(2 * np.pi * 3.0 * t[inner]))) < 1e-3
    near_gap = (t > 0.49) & (t < 0.51)
    assert np.isnan(new[near_gap, 0, 0]).all()
    assert np.isfinite(new[near_gap, 1, 0]).all()
