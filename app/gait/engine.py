"""The streaming gait engine: PoseSample in, gait events, step records and snapshots out.

Feed one sample at a time with ``push`` (on the pose worker thread, right after the pose
model). Events are confirmed within 150 ms of happening (contact at once, toe-off after a
confirmed lift; see ``app.gait.events``); ``GaitEvent.confirmed_t_ns`` says when. Offline
analysis runs the very same engine over the whole clip (``app.gait.analysis``), after
learning its running estimates from the clip's first seconds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from app.gait import metrics as m
from app.gait.cadence import cadence_spm, robust_mean
from app.gait.events import DetectedEvent, EventDetectorConfig, FootEventDetector, FootObservation
from app.gait.filters import OneEuroFilter, percentile
from app.gait.geometry import L_HIP, LEG, R_HIP
from app.gait.tracking import FacingEstimator, LegTracker
from app.types import (
    EventKind, Facing, Foot, GaitEvent, MetricSnapshot, MetricValue, PoseSample, Quality,
    StepRecord, View,
)

MIN_STEPS_FOR_CADENCE = 4
SNAPSHOT_STEPS = 8
BUFFER_S = 3.0
HEEL_WHIP_WINDOW_S = 0.15


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """What one ``push`` produced: newly confirmed events and newly completed steps."""

    events: tuple[GaitEvent, ...] = ()
    steps: tuple[StepRecord, ...] = ()


_EMPTY = EngineOutput()


@dataclass(slots=True)
class _Stance:
    foot: Foot
    ic: GaitEvent
    to: GaitEvent | None = None
    next_ic: GaitEvent | None = None
    prev_same_ic_t_ns: int | None = None


class GaitEngine:
    """Turns a stream of PoseSamples of one runner into events, steps and metrics."""

    def __init__(self, view: View = View.SIDE, facing: Facing | None = None,
                 config: EventDetectorConfig | None = None) -> None:
        self.view = View(view)
        self._facing_override = Facing(facing) if facing is not None else None
        self._config = config or EventDetectorConfig()
        self.reset()

    # ------------------------------------------------------------------ public state
    def reset(self) -> None:
        frontal = self.view is not View.SIDE
        self._tracker = LegTracker()
        self._facing_est = FacingEstimator()
        self._smoother = OneEuroFilter(min_cutoff_hz=1.5, beta=0.02)
        self._detectors = {f: FootEventDetector(frontal, self._config) for f in Foot}
        self._buffer: deque[tuple[int, int, np.ndarray]] = deque()
        self._leg_hist: deque[float] = deque(maxlen=90)
        self.leg_px = math.nan
        self.smoothed_landmarks: np.ndarray | None = None
        self.events: list[GaitEvent] = []
        self.steps: list[StepRecord] = []
        self._open: list[_Stance] = []
        self._last_ic: dict[Foot, GaitEvent] = {}
        self._last_t_ns = -1
        self._n_samples = 0
        self._n_person = 0
        self._person_visible = False
        self._low_conf_until_ns = -1
        self._pending_whip: list[tuple[StepRecord, int]] = []

    def prime(self, samples: "list[PoseSample]") -> None:
        """Offline only: learn leg length, facing, belt speed, ground level and phase
        durations from ``samples`` (the first seconds of the clip), then start fresh with
        those estimates, so the clip's first steps are detected too."""
        scout = GaitEngine(self.view, self._facing_override, self._config)
        for s in samples:
            scout.push(s)
        self.reset()
        self._leg_hist.extend(scout._leg_hist)
        self.leg_px = scout.leg_px
        self._facing_est = scout._facing_est
        self._detectors = {f: d.primed() for f, d in scout._detectors.items()}

    @property
    def facing(self) -> Facing | None:
        """Side view: the override if given, else the auto-detected facing (or None)."""
        if self._facing_override is not None:
            return self._facing_override
        return self._facing_est.facing

    @property
    def forward_sign(self) -> float:
        return 1.0 if self.facing is Facing.RIGHT else -1.0

    @property
    def n_samples(self) -> int:
        return self._n_samples

    @property
    def n_person_samples(self) -> int:
        return self._n_person

    # ------------------------------------------------------------------ streaming
    def push(self, sample: PoseSample) -> EngineOutput:
        """Process one sample (pose worker thread). Non-increasing times are ignored."""
        if sample.t_ns <= self._last_t_ns:
            return _EMPTY
        self._last_t_ns = sample.t_ns
        self._n_samples += 1
        t_s = sample.t_ns * 1e-9
        lm_in = sample.landmarks
        if lm_in is None:
            self._person_visible = False
            return _EMPTY
        self._n_person += 1
        self._person_visible = True
        lm = np.asarray(lm_in, dtype=np.float64)
        self._update_leg_length(lm)
        if math.isnan(self.leg_px):
            return _EMPTY
        lm = self._tracker.update(lm, t_s, self.leg_px)
        if self._tracker.last_repaired:
            self._low_conf_until_ns = sample.t_ns + 200_000_000
        if self.view is View.SIDE and self._facing_override is None:
            self._facing_est.update(lm)
        smooth = self._smoother(lm[:, :3], t_s)
        display = lm.copy()
        display[:, :3] = smooth
        self.smoothed_landmarks = display.astype(np.float32)
        self._buffer.append((sample.t_ns, sample.frame_index, lm))
        while self._buffer and self._buffer[0][0] < sample.t_ns - BUFFER_S * 1e9:
            self._buffer.popleft()
        if self.view is View.SIDE and self.facing is None:
            return _EMPTY

        new_events: list[GaitEvent] = []
        obs_by_foot = {foot: self._observe(lm, foot, t_s) for foot in Foot}
        for foot in Foot:
            obs = replace(obs_by_foot[foot], other_heel_u=obs_by_foot[foot.other].heel_u)
            for det in self._detectors[foot].update(obs):
                new_events.append(self._to_event(det, foot, sample))
        new_events.sort(key=lambda e: e.t_ns)
        new_steps: list[StepRecord] = []
        for ev in new_events:
            self.events.append(ev)
            new_steps.extend(self._on_event(ev))
        new_steps.extend(self._finish_heel_whip(sample.t_ns))
        if not new_events and not new_steps:
            return _EMPTY
        return EngineOutput(tuple(new_events), tuple(new_steps))

    def finish(self) -> tuple[StepRecord, ...]:
        """End of stream: complete pending heel-whip windows. Returns steps completed."""
        done = tuple(self._finish_heel_whip(None))
        return done

    # ------------------------------------------------------------------ internals
    def _update_leg_length(self, lm: np.ndarray) -> None:
        vals = [m.leg_length_px(lm, s) for s in ("left", "right")]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            self._leg_hist.append(max(vals))
        if len(self._leg_hist) >= 3:
            self.leg_px = percentile(self._leg_hist, 90)

    def _observe(self, lm: np.ndarray, foot: Foot, t_s: float) -> FootObservation:
        leg = LEG[foot.value]
        hip_x = (lm[L_HIP, 0] + lm[R_HIP, 0]) * 0.5
        heel, toe, ankle = lm[leg["heel"]], lm[leg["toe"]], lm[leg["ankle"]]
        if math.isnan(heel[0]) or heel[3] < 0.05:
            heel = ankle
        scale = 1.0 / self.leg_px
        fs = self.forward_sign if self.view is View.SIDE else math.nan
        vis = float(np.nanmin([heel[3], toe[3], ankle[3]]))
        return FootObservation(
            t_s=t_s,
            heel_u=(heel[0] - hip_x) * fs * scale,
            toe_u=(toe[0] - hip_x) * fs * scale,
            heel_y=heel[1] * scale,  # image y: the ground does not bob with the hips
            toe_y=toe[1] * scale,
            visibility=vis,
        )

    def _to_event(self, det: DetectedEvent, foot: Foot, sample: PoseSample) -> GaitEvent:
        t_ns = int(round(det.t_s * 1e9))
        frame = sample.frame_index
        for bt, bf, _ in reversed(self._buffer):
            if bt <= t_ns:
                frame = bf
                t_ns = bt
                break
        conf = det.confidence
        if sample.t_ns <= self._low_conf_until_ns:
            conf = min(conf, 0.4)
        return GaitEvent(EventKind(det.kind), foot, t_ns, frame, float(conf), sample.t_ns)

    def _lm_at(self, t_ns: int) -> np.ndarray | None:
        for bt, _, lm in reversed(self._buffer):
            if bt == t_ns:
                return lm
        return None

    def _window(self, t0_ns: int, t1_ns: int) -> list[np.ndarray]:
        return [lm for bt, _, lm in self._buffer if t0_ns <= bt <= t1_ns]

    def _on_event(self, ev: GaitEvent) -> list[StepRecord]:
        done: list[StepRecord] = []
        if ev.kind is EventKind.IC:
            for st in self._open:
                if st.next_ic is None and st.foot is not ev.foot and st.ic.t_ns < ev.t_ns:
                    st.next_ic = ev
            prev_same = self._last_ic.get(ev.foot)
            self._last_ic[ev.foot] = ev
            # a stance of this foot still open means its toe-off was missed: close it
            for st in [s for s in self._open if s.foot is ev.foot]:
                self._open.remove(st)
                done.append(self._make_step(st))
            self._open.append(_Stance(ev.foot, ev, prev_same_ic_t_ns=prev_same.t_ns if prev_same else None))
        else:
            for st in self._open:
                if st.foot is ev.foot and st.to is None and st.ic.t_ns < ev.t_ns:
                    st.to = ev
                    break
        for st in list(self._open):
            if st.to is not None and st.next_ic is not None:
                self._open.remove(st)
                done.append(self._make_step(st))
        return done

    def _make_step(self, st: _Stance) -> StepRecord:
        ic, to, nxt = st.ic, st.to, st.next_ic
        step_ms = (nxt.t_ns - ic.t_ns) / 1e6 if nxt is not None else None
        contact_ms = (to.t_ns - ic.t_ns) / 1e6 if to is not None else None
        flight_ms = None
        if nxt is not None and to is not None:
            flight_ms = max(0.0, (nxt.t_ns - to.t_ns) / 1e6)
        values = self._step_metrics(st)
        if contact_ms is not None and st.prev_same_ic_t_ns is not None:
            stride_ms = (ic.t_ns - st.prev_same_ic_t_ns) / 1e6
            if 0 < stride_ms < 3000:
                values["duty_factor"] = contact_ms / stride_ms
        values["step_time_ms"] = step_ms
        values["contact_ms"] = contact_ms
        values["flight_ms"] = flight_ms
        conf = min(ic.confidence, to.confidence if to else 0.5)
        rec = StepRecord(
            index=len(self.steps), foot=st.foot, ic_t_ns=ic.t_ns, ic_frame=ic.frame_index,
            to_t_ns=to.t_ns if to else None, to_frame=to.frame_index if to else None,
            next_ic_t_ns=nxt.t_ns if nxt else None, step_time_ms=step_ms,
            contact_ms=contact_ms, flight_ms=flight_ms,
            metrics=MappingProxyType(values), confidence=float(conf),
        )
        self.steps.append(rec)
        if self.view is View.REAR and to is not None:
            self._pending_whip.append((rec, to.t_ns))
        return rec

    def _step_metrics(self, st: _Stance) -> dict[str, float | None]:
        side = st.foot.value
        out: dict[str, float | None] = {}
        lm_ic = self._lm_at(st.ic.t_ns)
        end_ns = st.to.t_ns if st.to else (st.next_ic.t_ns if st.next_ic else st.ic.t_ns)
        stance = self._window(st.ic.t_ns, end_ns)
        step_end = st.next_ic.t_ns if st.next_ic else end_ns
        step_win = self._window(st.ic.t_ns, step_end)
        leg = self.leg_px

        def clean(v: float) -> float | None:
            return None if v is None or math.isnan(v) else float(v)

        def peak(vals: list[float], fn=max) -> float | None:
            vals = [v for v in vals if not math.isnan(v)]
            return float(fn(vals)) if vals else None

        if self.view is View.SIDE:
            fs = self.forward_sign
            if lm_ic is not None:
                out["overstride_pct_leg"] = clean(m.overstride_pct_leg(lm_ic, side, fs, leg))
                out["shank_angle_ic_deg"] = clean(m.shank_angle_deg(lm_ic, side, fs))
                out["knee_flexion_ic_deg"] = clean(m.knee_flexion_deg(lm_ic, side))
                fa_ic = m.foot_angle_deg(lm_ic, side, fs)
                flat = [m.foot_angle_deg(x, side, fs) for x in stance[len(stance) // 3: 2 * len(stance) // 3 + 1]]
                flat = [v for v in flat if not math.isnan(v)]
                if flat and not math.isnan(fa_ic):
                    out["foot_strike_angle_deg"] = float(fa_ic - np.median(flat))
            out["knee_flexion_peak_stance_deg"] = peak([m.knee_flexion_deg(x, side) for x in stance])
            if st.to is not None:
                lm_to = self._lm_at(st.to.t_ns)
                if lm_to is not None:
                    out["hip_extension_to_deg"] = clean(m.thigh_extension_deg(lm_to, side, fs))
            lean = [m.trunk_lean_deg(x, fs) for x in step_win]
            lean = [v for v in lean if not math.isnan(v)]
            out["trunk_lean_deg"] = float(np.mean(lean)) if lean else None
            hip_y = [(x[L_HIP, 1] + x[R_HIP, 1]) / 2 for x in step_win]
            hip_y = [v for v in hip_y if not math.isnan(v)]
            if len(hip_y) >= 3:
                out["vertical_oscillation_pct_leg"] = float((max(hip_y) - min(hip_y)) / leg * 100)
        else:
            out["pelvic_drop_deg"] = peak([m.pelvic_drop_deg(x, side) for x in stance])
            out["knee_valgus_fppa_deg"] = peak([m.knee_fppa_deg(x, side) for x in stance])
            lat = [m.lateral_trunk_lean_deg(x, side) for x in stance]
            lat = [v for v in lat if not math.isnan(v)]
            out["lateral_trunk_lean_deg"] = float(np.mean(lat)) if lat else None
            if lm_ic is not None:
                out["step_width_pct_pelvis"] = clean(m.step_width_pct_pelvis(lm_ic, side))
            cross = [m.wrist_crosses_midline(x) for x in step_win]
            cross = [c for c in cross if c is not None]
            out["arm_crossover_pct"] = (100.0 if any(cross) else 0.0) if cross else None
        return out

    def _finish_heel_whip(self, now_ns: int | None) -> list[StepRecord]:
        """Heel whip needs 150 ms after toe-off; fill it into the step record then."""
        done: list[StepRecord] = []
        for rec, to_ns in list(self._pending_whip):
            end = to_ns + int(HEEL_WHIP_WINDOW_S * 1e9)
            if now_ns is not None and now_ns < end:
                continue
            self._pending_whip.remove((rec, to_ns))
            win = self._window(to_ns, end)
            vals = [m.heel_line_deg(x, rec.foot.value) for x in win]
            vals = [v for v in vals if not math.isnan(v)]
            whip = None
            if vals:
                rel = [v - vals[0] for v in vals]
                whip = float(max(rel, key=abs))
            metrics = dict(rec.metrics)
            metrics["heel_whip_deg"] = whip
            new = replace(rec, metrics=MappingProxyType(metrics))
            self.steps[rec.index] = new
            done.append(new)
        return done

    # ------------------------------------------------------------------ snapshot
    def snapshot(self) -> MetricSnapshot:
        """Current metrics: means over the last 8 steps, each with unit and quality."""
        steps = self.steps[-SNAPSHOT_STEPS:]
        values: dict[str, MetricValue] = {}
        warnings: list[str] = []
        cad, cad_reason = cadence_spm([s.step_time_ms for s in steps], MIN_STEPS_FOR_CADENCE)
        for name, spec in m.METRIC_SPECS.items():
            if self.view not in spec.views:
                needs = "side" if spec.views == m.SIDE else ("rear" if spec.views == m.REAR else "rear or front")
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE,
                                           f"needs a {needs} view")
                continue
            if name == "cadence_spm":
                q = Quality.GOOD if cad is not None else Quality.UNAVAILABLE
                values[name] = MetricValue(name, cad, spec.unit, q, cad_reason)
                continue
            if name in ("step_time_asymmetry_pct", "contact_time_asymmetry_pct"):
                key = "step_time_ms" if name.startswith("step") else "contact_ms"
                values[name] = self._asymmetry(name, key, spec.unit)
                continue
            vals = [s.metrics.get(name) for s in steps]
            vals = [v for v in vals if v is not None]
            if not self._person_visible and not vals:
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE, "no person in view")
            elif len(vals) < 2:
                reason = "too few steps" if len(self.steps) < 2 else "landmarks not visible"
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE, reason)
            else:
                q = Quality.GOOD if len(vals) >= MIN_STEPS_FOR_CADENCE else Quality.LOW
                values[name] = MetricValue(name, float(np.mean(vals)), spec.unit, q)
        if not self._person_visible:
            warnings.append("no person in view")
        if self.view is View.SIDE and self.facing is None and self._person_visible:
            warnings.append("facing not yet known")
        low = sum(1 for s in steps if s.confidence < 0.5)
        if steps and low > len(steps) // 2:
            warnings.append("low landmark confidence on most recent steps")
        quality = Quality.GOOD if cad is not None and not warnings else (
            Quality.LOW if self.steps else Quality.UNAVAILABLE)
        return MetricSnapshot(
            t_ns=max(self._last_t_ns, 0), cadence_spm=cad, cadence_reason=cad_reason,
            n_steps=len(self.steps), values=MappingProxyType(values),
            person_visible=self._person_visible, quality=quality, warnings=tuple(warnings),
        )

    def _asymmetry(self, name: str, key: str, unit: str) -> MetricValue:
        steps = self.steps[-2 * SNAPSHOT_STEPS:]
        by = {f: [s.metrics.get(key) for s in steps if s.foot is f] for f in Foot}
        by = {f: [v for v in vals if v is not None] for f, vals in by.items()}
        if min(len(by[Foot.LEFT]), len(by[Foot.RIGHT])) < 2:
            return MetricValue(name, None, unit, Quality.UNAVAILABLE, "needs 2 steps per foot")
        lm_, rm_ = robust_mean(by[Foot.LEFT]), robust_mean(by[Foot.RIGHT])
        val = (lm_ - rm_) / ((lm_ + rm_) / 2) * 100.0
        q = Quality.GOOD if min(len(by[Foot.LEFT]), len(by[Foot.RIGHT])) >= 4 else Quality.LOW
        return MetricValue(name, float(val), unit, q)
