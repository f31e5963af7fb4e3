"""A synthetic person doing single-leg squats or single-leg balance holds, seen from the
front: the demo source of the camera-coached exercises and their ground truth for tests.

Model (metres; ``l`` toward the person's left, ``u`` up from the floor, ``f`` toward the
camera), projected orthographically like the demo runner's front view (the person's left
at image right, not mirrored), so 2D angles are exact:

* The stance ankle stays on the floor. A squat bends the stance knee to ``depth_deg`` at
  the bottom (shank and thigh share the bend), with a cosine descent, a pause at the bottom
  (``bottom_s``) and a cosine rise; the other foot is held up behind.
* At the bottom the knee sits medially of the hip–ankle line so that the frontal-plane
  projection angle is exactly that rep's ``fppa_deg`` (negative = lateral), the free
  side's hip is ``drop_deg`` lower (negative = higher), and the trunk leans ``lean_deg``
  toward the stance side; each grows with depth from 0 when standing.
* A balance hold stands still on one leg with the pelvis swaying side to side (two slow
  sines; ``sway_pct_leg`` = amplitude, % leg length) and a constant ``drop_deg``.

:meth:`SyntheticSquatter.truth` lists each rep's bottom time and true angles (measured on
the noise-free landmarks with the running metric functions) and each hold's true times,
drop and sway. ``noise_px`` adds Gaussian landmark noise (pose-like, seeded per frame)
to what the "pose model" sees. :class:`SquatterLiveSource` plays it as a live source.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from app.types import LM, N_LANDMARKS, Frame, View

THIGH, SHANK, ANKLE_H, FOOT = 0.245, 0.246, 0.039, 0.125
HIP_HALF, SHOULDER_HALF, TRUNK = 0.052, 0.11, 0.288
STANCE_L = 0.06          # stance ankle from the midline (fraction of height)
FREE_LIFT = 0.12         # free ankle above the stance ankle (fraction of height)
LIFT_S = 0.3             # the free foot takes this long to leave / reach the floor


@dataclass(frozen=True)
class SquatSet:
    """Reps on one leg; ``fppa_deg`` / ``drop_deg`` give one value per rep (their length
    is the number of reps)."""

    leg: str
    fppa_deg: tuple[float, ...]
    drop_deg: tuple[float, ...]
    lean_deg: float = 0.0
    depth_deg: float = 70.0


@dataclass(frozen=True)
class HoldSet:
    """One balance hold on ``leg`` of ``hold_s`` seconds."""

    leg: str
    hold_s: float
    drop_deg: float = 0.0
    sway_pct_leg: float = 1.5


@dataclass(frozen=True)
class _Seg:
    kind: str            # 'two' (both feet down) | 'one' (still on one leg) | 'rep' | 'hold'
    t0: float
    t1: float
    leg: str | None = None
    fppa: float = 0.0
    drop: float = 0.0
    lean: float = 0.0
    depth: float = 0.0
    sway: float = 0.0
    extra: dict = field(default_factory=dict)


def _ease(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _ik(hip: np.ndarray, ankle: np.ndarray, a: float, b: float) -> np.ndarray:
    """Knee (f, u) between hip and ankle (f, u), knee toward the camera (+f)."""
    d_vec = ankle - hip
    d = min(max(float(np.hypot(*d_vec)), 1e-3), 0.9999 * (a + b))
    beta = math.acos(max(-1.0, min(1.0, (a * a + d * d - b * b) / (2 * a * d))))
    base = math.atan2(d_vec[1], d_vec[0])
    c1 = hip + a * np.array([math.cos(base + beta), math.sin(base + beta)])
    c2 = hip + a * np.array([math.cos(base - beta), math.sin(base - beta)])
    return c1 if c1[0] >= c2[0] else c2


def _knee_offset(hip: np.ndarray, ankle: np.ndarray, knee_u: float, fppa_deg: float) -> float:
    """Medial offset (m, 2D l-u plane) of the knee from the hip–ankle line that makes the
    interior angle hip–knee–ankle 180° − |fppa|; signed like ``fppa_deg``."""
    target = abs(fppa_deg)
    if target < 1e-9:
        return 0.0
    t = (hip[1] - knee_u) / (hip[1] - ankle[1])
    base_l = hip[0] + (ankle[0] - hip[0]) * t

    def dev(d: float) -> float:
        k = np.array([base_l + d, knee_u])
        v1, v2 = hip - k, ankle - k
        c = float(np.dot(v1, v2) / (np.hypot(*v1) * np.hypot(*v2)))
        return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, c))))

    lo, hi = 0.0, 0.5
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if dev(mid) < target else (lo, mid)
    return math.copysign(0.5 * (lo + hi), fppa_deg)


class SyntheticSquatter:
    """The scripted person (see the module docstring). Times in seconds from 0."""

    def __init__(self, script: list | tuple | None = None, *, exercise: str = "single_leg_squat",
                 width: int = 1280, height: int = 720, runner_height_m: float = 1.75,
                 rep_s: float = 3.2, bottom_s: float = 0.4, pause_s: float = 1.0,
                 noise_px: float = 0.0, seed: int = 0) -> None:
        self.exercise = exercise
        self.width, self.height = int(width), int(height)
        self.H = float(runner_height_m)
        self.scale = 0.78 * self.height / self.H
        self.belt_y = 0.93 * self.height
        self.cx = 0.5 * self.width
        self.noise_px = float(noise_px)
        self.seed = int(seed)
        self.rep_s, self.bottom_s, self.pause_s = float(rep_s), float(bottom_s), float(pause_s)
        if script is None:
            script = default_script(exercise)
        self.script = tuple(script)
        self.segments = self._build(self.script)
        self.duration_s = self.segments[-1].t1
        #: (start, end) of each stretch on one leg: free foot off the floor in between
        self.stretches = self._stretches()
        self._render_runner = None

    # ------------------------------------------------------------ timeline
    def _build(self, script) -> list[_Seg]:  # noqa: ANN001
        segs: list[_Seg] = []
        t = 0.0

        def add(seg: _Seg) -> None:
            nonlocal t
            segs.append(seg)
            t = seg.t1
        add(_Seg("two", t, t + 1.0))
        for item in script:
            if isinstance(item, SquatSet):
                add(_Seg("one", t, t + self.pause_s, item.leg))
                for fppa, drop in zip(item.fppa_deg, item.drop_deg):
                    add(_Seg("rep", t, t + self.rep_s + self.bottom_s, item.leg, fppa, drop,
                             item.lean_deg, item.depth_deg))
                    add(_Seg("one", t, t + self.pause_s, item.leg))
            elif isinstance(item, HoldSet):
                add(_Seg("hold", t, t + item.hold_s, item.leg, 0.0, item.drop_deg,
                         sway=item.sway_pct_leg))
            else:
                raise TypeError(f"script items are SquatSet or HoldSet, not {type(item).__name__}")
            add(_Seg("two", t, t + 1.5))
        return segs

    def _stretches(self) -> list[tuple[float, float]]:
        out: list[list[float]] = []
        for seg in self.segments:
            if seg.kind == "two":
                continue
            if out and abs(out[-1][1] - seg.t0) < 1e-9:
                out[-1][1] = seg.t1
            else:
                out.append([seg.t0, seg.t1])
        return [(a, b) for a, b in out]

    def _lift(self, t_s: float) -> float:
        """0 (free foot on the floor) … 1 (held up): eased over LIFT_S at each end."""
        for a, b in self.stretches:
            if a <= t_s < b:
                return _ease(min(1.0, (t_s - a) / LIFT_S, (b - t_s) / LIFT_S))
        return 0.0

    def _segment(self, t_s: float) -> _Seg:
        for s in self.segments:
            if s.t0 <= t_s < s.t1:
                return s
        return self.segments[-1]

    def _profile(self, seg: _Seg, t_s: float) -> float:
        """0 standing … 1 at the bottom of a rep."""
        if seg.kind != "rep":
            return 0.0
        half = 0.5 * self.rep_s
        x = t_s - seg.t0
        if x < half:
            return _ease(x / half)
        if x < half + self.bottom_s:
            return 1.0
        return 1.0 - _ease((x - half - self.bottom_s) / half)

    def _sway_m(self, seg: _Seg, t_s: float) -> float:
        if seg.kind != "hold":
            return 0.0
        amp = seg.sway / 100.0 * (THIGH + SHANK) * self.H
        x = t_s - seg.t0
        ramp = min(1.0, x / 0.5, (seg.t1 - t_s) / 0.5)
        return amp * ramp * (math.sin(2 * math.pi * 0.3 * x) + 0.5 * math.sin(2 * math.pi * 0.6 * x + 1.0))

    # ------------------------------------------------------------ body
    def body_m(self, t_s: float) -> np.ndarray:
        """(33, 3) points in metres: l (left +), u (up), f (toward the camera)."""
        H = self.H
        seg = self._segment(t_s)
        P = np.zeros((N_LANDMARKS, 3))
        leg = seg.leg or "left"
        s = 1.0 if leg == "left" else -1.0
        p = self._profile(seg, t_s)
        theta = math.radians(seg.depth) * p
        a_s = a_t = 0.5 * theta
        ankle = np.array([s * STANCE_L * H, ANKLE_H * H])
        knee_u = ankle[1] + SHANK * H * math.cos(a_s)
        hip_u = knee_u + THIGH * H * math.cos(a_t)
        knee_f = SHANK * H * math.sin(a_s)
        hip_f = knee_f - THIGH * H * math.sin(a_t)
        sway = self._sway_m(seg, t_s)
        one_leg = seg.kind != "two"
        lift = self._lift(t_s)
        drop = math.radians(seg.drop * (p if seg.kind == "rep" else lift)) if one_leg else 0.0
        # weight shifts from between the feet onto the stance foot as the other lifts
        stance_l = (HIP_HALF + (STANCE_L - HIP_HALF) * lift) * H
        stance_hip = np.array([s * stance_l + sway, hip_u])
        ankle = np.array([s * stance_l, ANKLE_H * H])
        hw2 = 2 * HIP_HALF * H
        swing_hip = stance_hip + np.array([-s * hw2 * math.cos(drop), -hw2 * math.sin(drop)])
        knee_l = _knee_offset(stance_hip, ankle, knee_u, seg.fppa * p) * -s
        t = (stance_hip[1] - knee_u) / (stance_hip[1] - ankle[1])
        knee_l += stance_hip[0] + (ankle[0] - stance_hip[0]) * t
        other = "right" if leg == "left" else "left"
        self._leg(P, leg, (stance_hip[0], stance_hip[1], hip_f), (knee_l, knee_u, knee_f),
                  (ankle[0], ankle[1], 0.0))
        if one_leg:
            fa = np.array([-0.15 * H * lift, ankle[1] + FREE_LIFT * H * lift])  # (f, u): up behind
            fk = _ik(np.array([hip_f, swing_hip[1]]), fa, THIGH * H, SHANK * H)
            free_l = swing_hip[0] * lift - ankle[0] * (1.0 - lift)
            self._leg(P, other, (swing_hip[0], swing_hip[1], hip_f), (0.5 * (swing_hip[0] + free_l), fk[1], fk[0]),
                      (free_l, fa[1], fa[0]))
        else:
            self._leg(P, other, (swing_hip[0], swing_hip[1], hip_f), (-ankle[0], knee_u, knee_f),
                      (-ankle[0], ankle[1], 0.0))
        pelvis = 0.5 * (P[LM["left_hip"]] + P[LM["right_hip"]])
        lean = math.radians(seg.lean * p) * s
        fwd = 0.6 * theta
        up = TRUNK * H * math.cos(fwd)
        sh_mid = pelvis + np.array([up * math.sin(lean), up * math.cos(lean), TRUNK * H * math.sin(fwd)])
        self._upper_body(P, sh_mid, lean, arms_forward=self.exercise == "single_leg_squat")
        return P

    def _leg(self, P: np.ndarray, side: str, hip, knee, ankle) -> None:  # noqa: ANN001
        H = self.H
        P[LM[f"{side}_hip"]] = hip
        P[LM[f"{side}_knee"]] = knee
        P[LM[f"{side}_ankle"]] = ankle
        P[LM[f"{side}_heel"]] = (ankle[0], ankle[1] - 0.03 * H, ankle[2] - 0.03 * H)
        out = 0.02 * H * (1.0 if side == "left" else -1.0)
        P[LM[f"{side}_foot_index"]] = (ankle[0] + out, ankle[1] - ANKLE_H * H, ankle[2] + 0.10 * H)

    def _upper_body(self, P: np.ndarray, sh_mid: np.ndarray, lean: float, arms_forward: bool) -> None:
        H = self.H
        c, sn = math.cos(lean), math.sin(lean)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            sh = sh_mid + np.array([sign * SHOULDER_HALF * H * c, -sign * SHOULDER_HALF * H * sn, 0.0])
            P[LM[f"{side}_shoulder"]] = sh
            if arms_forward:
                elbow = sh + np.array([-sign * 0.01 * H, -0.03 * H, 0.17 * H])
                wrist = elbow + np.array([-sign * 0.01 * H, 0.0, 0.14 * H])
            else:
                elbow = sh + np.array([sign * 0.04 * H, -0.18 * H, 0.0])
                wrist = elbow + np.array([sign * 0.03 * H, -0.14 * H, 0.02 * H])
            P[LM[f"{side}_elbow"]] = elbow
            P[LM[f"{side}_wrist"]] = wrist
            for name, off in (("index", 0.05), ("pinky", 0.045), ("thumb", 0.03)):
                P[LM[f"{side}_{name}"]] = wrist + (wrist - elbow) * off / 0.14
        up = np.array([sn, c, 0.0])
        head = sh_mid + up * 0.12 * H
        nose = head + np.array([0.0, -0.01 * H, 0.06 * H])
        P[LM["nose"]] = nose
        for side, sign in (("left", 1.0), ("right", -1.0)):
            for name, dl, du in (("eye_inner", 0.012, 0.02), ("eye", 0.022, 0.022),
                                 ("eye_outer", 0.032, 0.021), ("ear", 0.045, 0.012)):
                P[LM[f"{side}_{name}"]] = nose + np.array([sign * dl * H, du * H, -0.03 * H])
            P[LM[f"mouth_{side}"]] = nose + np.array([sign * 0.015 * H, -0.02 * H, 0.0])

    # ------------------------------------------------------------ projection
    def landmarks_at(self, t_s: float) -> np.ndarray:
        """True (33, 4) float32 landmarks: x_px, y_px, z (px, smaller = nearer), visibility."""
        P = self.body_m(t_s)
        out = np.empty((N_LANDMARKS, 4), dtype=np.float32)
        out[:, 0] = self.cx + P[:, 0] * self.scale
        out[:, 1] = self.belt_y - P[:, 1] * self.scale
        out[:, 2] = -P[:, 2] * self.scale
        out[:, 3] = 0.98
        return out

    def observed(self, index: int, t_s: float) -> np.ndarray:
        """What the pose model 'sees' at frame ``index``: truth + seeded noise."""
        lm = self.landmarks_at(t_s)
        if self.noise_px > 0:
            rng = np.random.default_rng((self.seed, index))
            lm[:, :2] += rng.normal(0.0, self.noise_px, (N_LANDMARKS, 2)).astype(np.float32)
        return lm

    def samples(self, fps: float = 30.0):
        """PoseSamples of the whole script at ``fps`` (observed landmarks)."""
        from app.types import PoseSample

        n = int(self.duration_s * fps)
        return [PoseSample(i, int(round(i * 1e9 / fps)), self.observed(i, i / fps),
                           self.width, self.height) for i in range(n)]

    def render(self, t_s: float, landmarks: np.ndarray | None = None) -> np.ndarray:
        """RGB image of the person (the demo runner's painter, front view)."""
        if self._render_runner is None:
            from app.capture.demo import SyntheticRunner

            self._render_runner = SyntheticRunner(view=View.FRONT, width=self.width,
                                                  height=self.height, runner_height_m=self.H)
        return self._render_runner.render(t_s, self.landmarks_at(t_s) if landmarks is None else landmarks)

    # ------------------------------------------------------------ truth
    def truth(self) -> list[dict]:
        """Reps: leg, bottom time span and the true bottom angles; holds: leg, start, end,
        drop and sway RMS (% leg, from the noise-free hip midpoint)."""
        from app.gait import metrics as m

        out = []
        for seg in self.segments:
            if seg.kind == "rep":
                t_b = seg.t0 + 0.5 * self.rep_s + 0.5 * self.bottom_s
                lm = self.landmarks_at(t_b).astype(np.float64)
                out.append({"kind": "rep", "leg": seg.leg, "t_bottom_s": t_b,
                            "knee_fppa_deg": m.knee_fppa_deg(lm, seg.leg),
                            "pelvic_drop_deg": m.pelvic_drop_deg(lm, seg.leg),
                            "trunk_lean_deg": m.lateral_trunk_lean_deg(lm, seg.leg),
                            "set_fppa_deg": seg.fppa, "set_drop_deg": seg.drop})
            elif seg.kind == "hold":
                ts = np.arange(seg.t0 + LIFT_S, seg.t1 - LIFT_S, 1 / 60)
                leg_px = (THIGH + SHANK) * self.H * self.scale
                xs = np.array([float(np.mean(self.landmarks_at(t)[[LM["left_hip"], LM["right_hip"]], 0]))
                               for t in ts])
                rel = (xs - xs.mean()) / leg_px * 100.0
                out.append({"kind": "hold", "leg": seg.leg, "t_start_s": seg.t0, "t_end_s": seg.t1,
                            "hold_s": seg.t1 - seg.t0, "pelvic_drop_deg": seg.drop,
                            "note": "hold_s: free foot off the floor (it lifts and lands over 0.3 s)",
                            "sway_rms_pct_leg": float(np.sqrt(np.mean(rel ** 2)))})
        return out


def default_script(exercise: str) -> list:
    """The demo: left leg steady, right leg with the knee going in and the hip dropping."""
    if exercise == "single_leg_balance":
        return [HoldSet("left", 12.0, 1.0, 1.0), HoldSet("right", 12.0, 5.0, 2.5)]
    return [SquatSet("left", (3.0, 4.0, 2.0, 3.5, 3.0), (1.0, 2.0, 1.5, 1.0, 2.0)),
            SquatSet("right", (10.0, 13.0, 12.0, 14.0, 11.0), (5.0, 6.0, 7.0, 6.0, 5.5), lean_deg=3.0)]


class SquatterLiveSource:
    """The squatter as a live source (``app.capture.live.LiveSource``), real-time paced.

    Its ``Captured.truth`` carries the *observed* (noisy) landmarks, which the pose
    worker's truth estimator feeds to the engine in place of a pose model; the script
    loops."""

    kind = "demo"
    finite = False

    def __init__(self, exercise: str = "single_leg_squat", fps: float = 30.0,
                 noise_px: float = 1.5, **kwargs) -> None:
        self.runner = SyntheticSquatter(exercise=exercise, noise_px=noise_px, **kwargs)
        self.name = "Demo (synthetic squatter)"
        self.nominal_fps = float(fps)
        self.width, self.height = self.runner.width, self.runner.height
        self.facing = None
        self._start_ns: int | None = None
        self._index = 0

    def open(self) -> None:
        """Runs on the capture thread."""
        self._start_ns = time.perf_counter_ns()
        self._index = 0

    def grab(self):
        """Next frame when due. Runs on the capture thread."""
        from app.capture.frames import Captured

        if self._start_ns is None:
            self.open()
        due = self._start_ns + int(self._index * 1e9 / self.nominal_fps)
        wait = (due - time.perf_counter_ns()) / 1e9
        if wait > 0:
            time.sleep(wait)
        t_ns = time.perf_counter_ns()
        t_model = ((t_ns - self._start_ns) / 1e9) % self.runner.duration_s
        seen = self.runner.observed(self._index, t_model)
        image = self.runner.render(t_model)
        image.setflags(write=False)
        frame = Frame(index=self._index, t_ns=t_ns, image=image)
        self._index += 1
        return Captured(frame, t_ns, seen)

    def close(self) -> None:
        self._start_ns = None
