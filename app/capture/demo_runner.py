"""The synthetic treadmill runner: a gait model with a known cadence and adjustable faults.

For machines without a camera (the UI's "Demo" mode, ``app.capture.demo``) and for
synthetic engine tests. The runner's landmarks go through the same engine as real poses;
its gait events are known exactly (:meth:`SyntheticRunner.true_events`).

Model (body in metres, runner-centred: ``f`` forward = direction of travel, ``u`` up from
the belt, ``l`` towards the runner's left; the hip midpoint stays at ``f = 0`` as on a
treadmill):

* Stride time ``T = 120 / cadence_spm`` s. The left foot's initial contacts (IC) are at
  ``t = t0 + k T``; the right foot's at ``t0 + (k + o) T`` with ``o = 0.5 + asymmetry/400``
  (so the step-time asymmetry (L - R)/mean x 100 equals ``asymmetry_pct``). Each foot is
  in stance for ``duty_factor * T`` after its IC, then toe-off (TO).
* Stance: the foot's contact point is on the belt (height 0) and moves backwards relative
  to the pelvis at the belt speed. Heel rocker for the first 15 % of stance (heel on the
  belt, toe coming down from the strike angle), foot flat until 50 %, then the heel rises
  about the toe (toe on the belt) until TO. The lowest point of the foot is therefore on
  the belt for the whole stance, and only during stance.
* At IC the heel is ``(0.10 + overstride) * leg_length`` ahead of the hip midpoint
  (``overstride`` = extra reach as a fraction of leg length).
* Swing: the ankle follows a cubic Hermite path from its TO position/velocity to its IC
  position plus a lift bump peaking early in swing (heel whips up towards the buttock, comes
  forward, descends and lands with some retraction). Knees come from two-link inverse
  kinematics (knee ahead of the hip-ankle line).
* The hip midpoint oscillates vertically (``vertical_oscillation_m`` peak-to-peak), lowest
  at each foot's mid-stance. Arms swing opposite to the legs.
* Frontal plane: during each foot's stance the pelvis tilts by ``pelvic_drop_deg`` x a
  half-sine (swing-side hip lower) on top of a constant ``pelvic_obliquity_deg`` (right
  hip lower when positive: a posture, so the left stance reads +, the right −), and the
  stance knee moves medially so that the frontal-plane projection angle hip-knee-ankle
  reaches ``knee_valgus_deg`` at mid-stance (plus a constant ``knee_fppa_static_deg``;
  negative = varus). Each ankle is ``step_width_m`` from the midline (negative =
  crossover). In early swing the foot rotates about the shank by up to ``heel_whip_deg``
  (positive = heel medial), peaking ~90 ms after toe-off.

Projection: orthographic (``camera_distance_m=None``: ``scale`` px/m everywhere) or a
pinhole camera ``camera_distance_m`` from the runner (from the hips for rear/front views,
from the body's midline for the side view) at ``camera_height_m`` (default: hip height),
looking horizontally, with ``scale`` px/m at the hips' depth, ``camera_lateral_m`` to the runner's
image-right of their midline (the runner then shows off-centre); ``camera_roll_deg`` rolls
the image about its centre (positive = clockwise on screen). At the hips' depth the belt
surface is at image row ``belt_y``. Side view facing LEFT: forward = image-left and the
runner's left side is the near side (as in ``male_side.mp4``). Rear view: runner's left on
image-left. Front view (camera in front, not mirrored): runner's left on image-right.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from app.types import LM, N_LANDMARKS, Facing, View

# Segment lengths as fractions of body height (Winter's anthropometric table, rounded).
_THIGH = 0.245
_SHANK = 0.246
_ANKLE_H = 0.039          # ankle above the sole
_ANKLE_FWD = 0.030        # ankle ahead of the heel (foot flat)
_FOOT = 0.125             # heel to foot_index
_TRUNK = 0.288            # hip midpoint to shoulder midpoint
_HIP_HALF = 0.052         # half the distance between hip joint centres
_SHOULDER_HALF = 0.11
_UPPER_ARM = 0.186
_FOREARM = 0.146
_ANKLE_HALF_WIDTH = 0.032  # lateral ankle position (half the step width)

_HEEL_ROCKER_END = 0.15   # fraction of stance
_HEEL_OFF = 0.50          # fraction of stance


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


def _hermite(p0: np.ndarray, p1: np.ndarray, m0: np.ndarray, m1: np.ndarray, s: float
             ) -> np.ndarray:
    s2, s3 = s * s, s * s * s
    return ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0
            + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * m1)


def _rot(v: tuple[float, float], angle: float) -> np.ndarray:
    """Rotate a sagittal vector (f, u) by ``angle`` rad (positive = toe up / counter-clockwise
    when looking with forward to the right)."""
    c, s = math.cos(angle), math.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _knee_ik(hip: np.ndarray, ankle: np.ndarray, a: float, b: float) -> np.ndarray:
    """Sagittal knee position (f, u) for hip and ankle points, knee in front of the line."""
    d_vec = ankle - hip
    d = float(np.hypot(*d_vec))
    d = min(max(d, 1e-3), 0.9999 * (a + b))
    cos_b = (a * a + d * d - b * b) / (2 * a * d)
    beta = math.acos(max(-1.0, min(1.0, cos_b)))
    base = math.atan2(d_vec[1], d_vec[0])
    c1 = hip + a * np.array([math.cos(base + beta), math.sin(base + beta)])
    c2 = hip + a * np.array([math.cos(base - beta), math.sin(base - beta)])
    return c1 if c1[0] >= c2[0] else c2


@dataclass(frozen=True, slots=True)
class _Foot:
    ankle: np.ndarray   # (f, u)
    heel: np.ndarray
    toe: np.ndarray
    stance: float | None  # fraction of stance 0..1, None in swing
    swing: float | None   # fraction of swing 0..1, None in stance


class SyntheticRunner:
    """A treadmill runner with a known cadence and adjustable faults.

    All times are seconds of model time (``t_s`` >= 0). Landmarks are float32 (33, 4):
    x_px, y_px, z (relative depth in px, smaller = nearer the camera), visibility.
    """

    def __init__(
        self,
        cadence_spm: float = 170.0,
        view: View = View.SIDE,
        facing: Facing = Facing.LEFT,
        width: int = 1280,
        height: int = 720,
        overstride: float = 0.0,
        pelvic_drop_deg: float = 0.0,
        knee_valgus_deg: float = 0.0,
        duty_factor: float = 0.35,
        asymmetry_pct: float = 0.0,
        *,
        speed_mps: float = 2.5,
        runner_height_m: float = 1.75,
        vertical_oscillation_m: float = 0.08,
        trunk_lean_deg: float = 6.0,
        foot_strike_deg: float = 10.0,
        t0_s: float = 0.05,
        pelvic_obliquity_deg: float = 0.0,
        knee_fppa_static_deg: float = 0.0,
        step_width_m: float | None = None,
        heel_whip_deg: float = 0.0,
        camera_distance_m: float | None = None,
        camera_height_m: float | None = None,
        camera_roll_deg: float = 0.0,
        camera_lateral_m: float = 0.0,
    ) -> None:
        if not 60.0 <= cadence_spm <= 260.0:
            raise ValueError(f"cadence_spm must be 60..260, got {cadence_spm}")
        if not 0.15 <= duty_factor <= 0.7:
            raise ValueError(f"duty_factor must be 0.15..0.7, got {duty_factor}")
        if abs(asymmetry_pct) > 40:
            raise ValueError("asymmetry_pct must be within +-40")
        self.cadence_spm = float(cadence_spm)
        self.view = View(view)
        self.facing = Facing(facing)
        self.width = int(width)
        self.height = int(height)
        self.overstride = float(overstride)
        self.pelvic_drop_deg = float(pelvic_drop_deg)
        self.knee_valgus_deg = float(knee_valgus_deg)
        self.duty_factor = float(duty_factor)
        self.asymmetry_pct = float(asymmetry_pct)
        self.speed_mps = float(speed_mps)
        self.runner_height_m = float(runner_height_m)
        self.vertical_oscillation_m = float(vertical_oscillation_m)
        self.trunk_lean_deg = float(trunk_lean_deg)
        self.foot_strike_deg = float(foot_strike_deg)
        self.t0_s = float(t0_s)
        self.pelvic_obliquity_deg = float(pelvic_obliquity_deg)
        self.knee_fppa_static_deg = float(knee_fppa_static_deg)
        self.heel_whip_deg = float(heel_whip_deg)
        if camera_distance_m is not None and camera_distance_m < 1.0:
            raise ValueError("camera_distance_m must be at least 1 m")
        self.camera_distance_m = None if camera_distance_m is None else float(camera_distance_m)
        self.camera_roll_deg = float(camera_roll_deg)
        self.camera_lateral_m = float(camera_lateral_m)

        H = self.runner_height_m
        self.step_width_m = _ANKLE_HALF_WIDTH * H if step_width_m is None else float(step_width_m)
        self.stride_s = 120.0 / self.cadence_spm
        self.stance_s = self.duty_factor * self.stride_s
        self.swing_s = self.stride_s - self.stance_s
        self.right_offset = 0.5 + self.asymmetry_pct / 400.0  # fraction of stride
        self.thigh_m = _THIGH * H
        self.shank_m = _SHANK * H
        self.leg_length_m = self.thigh_m + self.shank_m
        self.foot_m = _FOOT * H
        self._ankle_off = (_ANKLE_FWD * H, _ANKLE_H * H)  # ankle relative to heel, foot flat
        self.heel_ic_f = (0.10 + self.overstride) * self.leg_length_m
        self._alpha_ic = math.radians(self.foot_strike_deg)
        self._alpha_to = math.radians(-45.0)

        # Image projection: the runner's height takes ~78 % of the image height.
        self.scale = 0.78 * self.height / H
        self.belt_y = 0.93 * self.height
        self.cx = 0.5 * self.width
        self.hip_low_m = self._solve_hip_height()
        self.camera_height_m = (self.hip_low_m + 0.5 * self.vertical_oscillation_m
                                if camera_height_m is None else float(camera_height_m))
        self._background: np.ndarray | None = None

    # ----------------------------------------------------------------- timing / events
    def _ic_offset(self, foot: str) -> float:
        return self.t0_s + (0.0 if foot == "left" else self.right_offset * self.stride_s)

    def _phase_time(self, foot: str, t_s: float) -> float:
        """Seconds since this foot's last IC (0 <= value < stride)."""
        return (t_s - self._ic_offset(foot)) % self.stride_s

    def true_events(self, t0_s: float, t1_s: float) -> list[tuple[str, str, float]]:
        """All IC/TO events with ``t0_s <= t < t1_s``, sorted by time: (kind, foot, t_s)."""
        out: list[tuple[str, str, float]] = []
        for foot in ("left", "right"):
            base = self._ic_offset(foot)
            k0 = math.floor((t0_s - base - self.stride_s) / self.stride_s)
            k1 = math.ceil((t1_s - base) / self.stride_s) + 1
            for k in range(k0, k1 + 1):
                t_ic = base + k * self.stride_s
                t_to = t_ic + self.stance_s
                if t0_s <= t_ic < t1_s:
                    out.append(("IC", foot, t_ic))
                if t0_s <= t_to < t1_s:
                    out.append(("TO", foot, t_to))
        out.sort(key=lambda e: e[2])
        return out

    def in_stance(self, foot: str, t_s: float) -> bool:
        return self._phase_time(foot, t_s) < self.stance_s

    # ----------------------------------------------------------------- sagittal model
    def _stance_foot(self, ts: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ankle, heel, toe (f, u) relative to the hip midpoint's f, ``ts`` s after IC."""
        q = ts / self.stance_s
        ground = self.heel_ic_f - self.speed_mps * ts  # the heel's IC point, moving with belt
        if q < _HEEL_ROCKER_END:
            alpha = self._alpha_ic * (1.0 - _smoothstep(q / _HEEL_ROCKER_END))
            heel = np.array([ground, 0.0])
            toe = heel + _rot((self.foot_m, 0.0), alpha)
        elif q < _HEEL_OFF:
            alpha = 0.0
            heel = np.array([ground, 0.0])
            toe = heel + np.array([self.foot_m, 0.0])
        else:
            x = (q - _HEEL_OFF) / (1.0 - _HEEL_OFF)
            alpha = self._alpha_to * x * x
            toe = np.array([ground + self.foot_m, 0.0])
            heel = toe - _rot((self.foot_m, 0.0), alpha)
        ankle = heel + _rot(self._ankle_off, alpha)
        return ankle, heel, toe

    def _foot(self, foot: str, t_s: float) -> _Foot:
        ts = self._phase_time(foot, t_s)
        if ts < self.stance_s:
            ankle, heel, toe = self._stance_foot(ts)
            return _Foot(ankle, heel, toe, ts / self.stance_s, None)
        s = (ts - self.stance_s) / self.swing_s
        dt = 1e-3
        a_to, _, _ = self._stance_foot(self.stance_s)
        a_to_prev, _, _ = self._stance_foot(self.stance_s - dt)
        v_to = (a_to - a_to_prev) / dt
        a_ic, _, _ = self._stance_foot(0.0)
        v_ic = np.array([-0.5 * self.speed_mps, -0.6])  # retracting and descending
        ankle = _hermite(a_to, a_ic, v_to * self.swing_s, v_ic * self.swing_s, s)
        # Lift: heel whips up early in swing, then the foot comes forward and down.
        lift = 0.30 * self.leg_length_m * math.sin(math.pi * s ** 0.7) ** 2
        ankle = ankle + np.array([-0.10 * self.leg_length_m * math.sin(math.pi * s) ** 2, lift])
        alpha = self._alpha_to + (self._alpha_ic - self._alpha_to) * _smoothstep(s * 1.2)
        heel = ankle - _rot(self._ankle_off, alpha)
        toe = heel + _rot((self.foot_m, 0.0), alpha)
        # Keep the swinging foot above the belt, with a clearance that vanishes at the
        # ends of swing so the foot leaves and meets the belt without gliding along it.
        low = min(heel[1], toe[1])
        clearance = 0.01 * math.sin(math.pi * s)
        if low < clearance and 0.0 < s < 1.0:
            lift_fix = clearance - low
            ankle, heel, toe = (p + np.array([0.0, lift_fix]) for p in (ankle, heel, toe))
        return _Foot(ankle, heel, toe, None, s)

    def _hip_osc(self, t_s: float) -> float:
        """Hip midpoint height above its lowest value (m), lowest at each mid-stance."""
        t_mid = self._ic_offset("left") + 0.5 * self.stance_s
        step = 0.5 * self.stride_s
        return 0.5 * self.vertical_oscillation_m * (1.0 - math.cos(2 * math.pi * (t_s - t_mid) / step))

    def _solve_hip_height(self) -> float:
        """Lowest hip midpoint height (m): knee ~40 deg flexed at mid-stance, never overstretched."""
        a, b = self.thigh_m, self.shank_m
        knee_int = math.radians(180.0 - 40.0)
        d_mid = math.sqrt(a * a + b * b - 2 * a * b * math.cos(knee_int))
        ankle_mid, _, _ = self._stance_foot(0.5 * self.stance_s)
        h = ankle_mid[1] + math.sqrt(max(d_mid ** 2 - ankle_mid[0] ** 2, 0.01))
        reach = 0.995 * (a + b)
        tilt = _HIP_HALF * self.runner_height_m * math.sin(math.radians(
            abs(self.pelvic_drop_deg) + abs(self.pelvic_obliquity_deg)))
        t_ic = self._ic_offset("left")
        # Segment lengths stay constant: a large overstride lowers the hips instead.
        for i in range(101):
            ts = self.stance_s * i / 100.0
            ankle, _, _ = self._stance_foot(ts)
            if abs(ankle[0]) >= reach:
                continue
            allowed = ankle[1] + math.sqrt(reach ** 2 - ankle[0] ** 2) - self._hip_osc(t_ic + ts) - tilt
            h = min(h, allowed)
        return h

    # ----------------------------------------------------------------- 3D body
    def _stance_profile(self, foot: str, t_s: float) -> float:
        ts = self._phase_time(foot, t_s)
        return math.sin(math.pi * ts / self.stance_s) if ts < self.stance_s else 0.0

    def _whip_rad(self, foot: str, t_s: float) -> float:
        """Heel-whip rotation (rad) of this foot about its shank: a bump over the first
        ~180 ms after toe-off peaking at ``heel_whip_deg`` 90 ms after it; 0 otherwise."""
        if not self.heel_whip_deg:
            return 0.0
        since_to = self._phase_time(foot, t_s) - self.stance_s
        if not 0.0 <= since_to <= 0.18:
            return 0.0
        return math.radians(self.heel_whip_deg) * math.sin(math.pi * since_to / 0.18) ** 2

    def body_m(self, t_s: float) -> np.ndarray:
        """(33, 3) body points in metres: forward, up (from belt), left."""
        H = self.runner_height_m
        P = np.zeros((N_LANDMARKS, 3), dtype=np.float64)
        h = self.hip_low_m + self._hip_osc(t_s)
        prof = {f: self._stance_profile(f, t_s) for f in ("left", "right")}
        # Pelvis tilt: positive when the right hip is lower (left stance drops the right side).
        tilt = math.radians(self.pelvic_drop_deg * (prof["left"] - prof["right"])
                            + self.pelvic_obliquity_deg)
        sway = 0.012 * (prof["left"] - prof["right"])  # pelvis moves over the stance foot
        hw = _HIP_HALF * H
        hips = {
            "left": np.array([0.0, h + hw * math.sin(tilt), sway + hw * math.cos(tilt)]),
            "right": np.array([0.0, h - hw * math.sin(tilt), sway - hw * math.cos(tilt)]),
        }
        for foot, sign in (("left", 1.0), ("right", -1.0)):
            ft = self._foot(foot, t_s)
            hip = hips[foot]
            knee_fu = _knee_ik(hip[:2], ft.ankle, self.thigh_m, self.shank_m)
            ankle_l = sign * self.step_width_m
            frac = self.thigh_m / (self.thigh_m + self.shank_m)
            knee_l = hip[2] + (ankle_l - hip[2]) * frac
            th_deg = self.knee_valgus_deg * prof[foot] + self.knee_fppa_static_deg
            if th_deg:
                d1 = max(hip[1] - knee_fu[1], 0.05)
                d2 = max(knee_fu[1] - ft.ankle[1], 0.05)
                knee_l -= sign * math.tan(math.radians(th_deg)) * d1 * d2 / (d1 + d2)
            heel_l = toe_l = ankle_l
            whip = self._whip_rad(foot, t_s)
            if whip:
                # rotation about the shank: the heel (behind the shank axis) swings medially
                # for a positive angle, the toe (ahead of it) laterally
                back = float(np.hypot(*(ft.heel - ft.ankle)))
                heel_l -= sign * back * math.sin(whip)
                toe_l += sign * self.foot_m * 0.8 * math.sin(whip)
            P[LM[f"{foot}_hip"]] = hip
            P[LM[f"{foot}_knee"]] = (knee_fu[0], knee_fu[1], knee_l)
            P[LM[f"{foot}_ankle"]] = (ft.ankle[0], ft.ankle[1], ankle_l)
            P[LM[f"{foot}_heel"]] = (ft.heel[0], ft.heel[1], heel_l)
            P[LM[f"{foot}_foot_index"]] = (ft.toe[0], ft.toe[1], toe_l + sign * 0.012 * H)
        # Trunk and head.
        lean = math.radians(self.trunk_lean_deg)
        pelvis = 0.5 * (hips["left"] + hips["right"])
        sh_mid = pelvis + np.array([math.sin(lean), math.cos(lean), 0.0]) * _TRUNK * H
        shw = _SHOULDER_HALF * H
        P[LM["left_shoulder"]] = sh_mid + (0.0, 0.0, shw)
        P[LM["right_shoulder"]] = sh_mid + (0.0, 0.0, -shw)
        head = sh_mid + np.array([0.035 * H, 0.105 * H, 0.0])
        nose = head + (0.055, 0.0, 0.0)
        P[LM["nose"]] = nose
        for side, sign in (("left", 1.0), ("right", -1.0)):
            P[LM[f"{side}_eye_inner"]] = nose + (-0.012, 0.035, sign * 0.016)
            P[LM[f"{side}_eye"]] = nose + (-0.018, 0.037, sign * 0.032)
            P[LM[f"{side}_eye_outer"]] = nose + (-0.025, 0.036, sign * 0.045)
            P[LM[f"{side}_ear"]] = nose + (-0.095, 0.02, sign * 0.075)
            P[LM[f"mouth_{side}"]] = nose + (-0.01, -0.035, sign * 0.025)
        # Arms: swing opposite to the same-side leg (left arm back when the left foot lands).
        for side, sign in (("left", 1.0), ("right", -1.0)):
            phase = self._phase_time(side, t_s) / self.stride_s
            swing = math.radians(-32.0) * math.cos(2 * math.pi * phase)
            elbow_flex = math.radians(85.0 + 10.0 * math.cos(2 * math.pi * phase))
            sh = P[LM[f"{side}_shoulder"]]
            up_dir = np.array([math.sin(swing), -math.cos(swing)])
            elbow = sh + np.array([*(up_dir * _UPPER_ARM * H), sign * 0.02])
            fa_ang = swing + elbow_flex
            fa_dir = np.array([math.sin(fa_ang), -math.cos(fa_ang)])
            wrist = elbow + np.array([*(fa_dir * _FOREARM * H), -sign * 0.06])
            P[LM[f"{side}_elbow"]] = elbow
            P[LM[f"{side}_wrist"]] = wrist
            P[LM[f"{side}_index"]] = wrist + np.array([*(fa_dir * 0.08), 0.0])
            P[LM[f"{side}_pinky"]] = wrist + np.array([*(fa_dir * 0.07), sign * 0.015])
            P[LM[f"{side}_thumb"]] = wrist + np.array([*(fa_dir * 0.05), -sign * 0.02])
        return P

    # ----------------------------------------------------------------- projection
    def project(self, P: np.ndarray) -> np.ndarray:
        """Body points (N, 3: forward, up, left in metres) -> (N, 3): x_px, y_px and depth
        in px relative to the hips (positive = farther from the camera)."""
        f, u, l = P[:, 0], P[:, 1], P[:, 2]
        s = self.scale
        if self.view is View.SIDE:
            sign = -1.0 if self.facing is Facing.LEFT else 1.0
            lateral = sign * f
            near_is_left = self.facing is Facing.LEFT
            depth = -l if near_is_left else l  # metres, positive = away from camera
        elif self.view is View.REAR:
            lateral, depth = -l, f
        else:  # FRONT, not mirrored
            lateral, depth = l, -f
        lateral = lateral - self.camera_lateral_m
        out = np.empty((P.shape[0], 3), dtype=np.float64)
        if self.camera_distance_m is None:
            out[:, 0] = self.cx + lateral * s
            out[:, 1] = self.belt_y - u * s
        else:
            D = self.camera_distance_m
            ratio = D / np.maximum(D + depth, 0.2)  # magnification relative to the hips
            H_cam = self.camera_height_m
            out[:, 0] = self.cx + lateral * s * ratio
            out[:, 1] = self.belt_y - H_cam * s + (H_cam - u) * s * ratio
        if self.camera_roll_deg:
            a = math.radians(self.camera_roll_deg)
            ca, sa = math.cos(a), math.sin(a)
            cy = 0.5 * self.height
            dx, dy = out[:, 0] - self.cx, out[:, 1] - cy
            out[:, 0] = self.cx + ca * dx - sa * dy
            out[:, 1] = cy + sa * dx + ca * dy
        out[:, 2] = depth * s
        return out

    def landmarks_at(self, t_s: float) -> np.ndarray:
        """(33, 4) float32: x_px, y_px, z (px, smaller = nearer), visibility."""
        P = self.body_m(t_s)
        xyz = self.project(P)
        out = np.empty((N_LANDMARKS, 4), dtype=np.float32)
        out[:, :3] = xyz
        vis = np.full(N_LANDMARKS, 0.98, dtype=np.float32)
        if self.view is View.SIDE:
            vis[xyz[:, 2] > 0] = 0.7
        elif self.view is View.REAR:
            vis[: LM["left_shoulder"]] = 0.3  # face turned away
        out[:, 2] -= 0.5 * (out[LM["left_hip"], 2] + out[LM["right_hip"], 2])
        out[:, 3] = vis
        return out

    def render(self, t_s: float, landmarks: np.ndarray | None = None) -> np.ndarray:
        """RGB uint8 (height, width, 3): the figure on a plain treadmill background."""
        from app.capture.demo_render import render_runner

        lm = self.landmarks_at(t_s) if landmarks is None else landmarks
        if self._background is None:
            from app.capture.demo_render import make_background

            self._background = make_background(self)
        return render_runner(self, t_s, lm, self._background)
