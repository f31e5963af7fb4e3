"""Typed settings (frozen dataclasses) with TOML load/save and a schema version.

The file lives in the user config dir (``platformdirs.user_config_dir("gaitcoach")``, or
``$GAITCOACH_CONFIG_DIR`` when set — tests point it at a temporary folder) as
``settings.toml``. Reading is forgiving: unknown keys are ignored, bad values fall back to
the defaults with a warning, so a hand-edited file never stops the app from starting.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from app.atomic import atomic_path
from app.types import View

SCHEMA_VERSION = 1
FILE_NAME = "settings.toml"


@dataclass(frozen=True, slots=True)
class Band:
    """Clinician-set band for one metric: inside ``green`` = good, inside ``amber`` =
    watch, outside = red. Each is an inclusive (low, high) pair in the metric's unit."""

    green: tuple[float, float]
    amber: tuple[float, float]

    def classify(self, value: float) -> str:
        """'green', 'amber' or 'red'."""
        if self.green[0] <= value <= self.green[1]:
            return "green"
        if self.amber[0] <= value <= self.amber[1]:
            return "amber"
        return "red"


@dataclass(frozen=True, slots=True)
class CameraSettings:
    device: int = 0
    width: int = 1280
    height: int = 720
    fps: float = 30.0


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """``facing``: 'auto', 'left' or 'right' (side view: image direction the runner faces).
    ``runner_id``: the runner in front of the camera (session store id; 0 = none). The
    target cadence is not a setting: it belongs to the runner (the store keeps it) or to
    today's baseline — a target kept here carried over to the next runner."""

    view: str = View.SIDE.value
    facing: str = "auto"
    treadmill_speed_kmh: float = 10.0
    height_cm: float = 175.0
    cadence_band_pct: float = 3.0       # target ± this % is "on target"
    focus_metric: str = "overstride_pct_leg"
    runner_id: int = 0


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """Mirror is per view in the clinic layout: on for the front view (the runner sees a
    mirror), off for side and rear by default; the home practice layout has its own
    (on: the runner practising alone sees themselves as in a mirror)."""

    mirror_side: bool = False
    mirror_rear: bool = False
    mirror_front: bool = True
    mirror_home: bool = True
    skeleton: bool = True
    layout: str = "clinic"              # 'clinic' or 'home'
    last_video_dir: str = ""
    #: two views: the second camera's view ('' = one camera, 'rear' or 'front'; the first
    #: camera is then the side view) and its source spec (a stream URL without credentials:
    #: they are kept by app.session.credentials)
    second_view: str = ""
    second_source: str = ""
    two_view_layout: str = "side_by_side"   # 'side_by_side' or 'large_small'
    #: with two views, the view the runner watches: large, alone in wall mode, mirrored (M)
    runner_view: str = "side"

    def mirror_for(self, view: str) -> bool:
        """Mirror now: the home layout's setting there, else the view's."""
        if self.layout == "home":
            return self.mirror_home
        return bool(getattr(self, f"mirror_{view}", False))

    def with_mirror(self, view: str, on: bool) -> "DisplaySettings":
        if self.layout == "home":
            return replace(self, mirror_home=on)
        return replace(self, **{f"mirror_{view}": on})


@dataclass(frozen=True, slots=True)
class FeedbackSettings:
    """Metronome, synchrony and spoken cues (``app.feedback.controller``).

    ``baseline_mode``: 'auto' (measured from the first ``baseline_steps`` steps with the
    metronome off) or 'typed' (``baseline_spm``). ``focus``: 'metric:direction' of the cue
    library ('' = from ``runner.focus_metric``). ``schedule``: continuous | intermittent |
    none. ``audio_device``: output device name ('' = system default). ``sync_offset_ms``:
    camera latency minus unreported audio latency (see the controller's clock notes).
    """

    baseline_mode: str = "auto"
    baseline_spm: float = 165.0
    baseline_steps: int = 30
    increase_pct: float = 7.5
    ramp: bool = False
    ramp_s: float = 60.0
    cues: bool = False
    schedule: str = "continuous"
    focus: str = ""
    audio_device: str = ""
    sync_offset_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class Settings:
    camera: CameraSettings = field(default_factory=CameraSettings)
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    #: metric name -> Band; metrics not listed use the engine's defaults.
    thresholds: Mapping[str, Band] = field(default_factory=lambda: MappingProxyType({}))
    schema_version: int = SCHEMA_VERSION

    def band_for(self, name: str) -> Band | None:
        """The band for ``name``: the clinician's, else the metric's default, else None."""
        if name in self.thresholds:
            return self.thresholds[name]
        try:
            from app.gait.metrics import METRIC_SPECS
        except ImportError:  # pragma: no cover - engine not installed
            return None
        spec = METRIC_SPECS.get(name)
        if spec is None:
            return None
        return Band(tuple(map(float, spec.default_green)), tuple(map(float, spec.default_amber)))

    def with_threshold(self, name: str, band: Band) -> "Settings":
        t = dict(self.thresholds)
        t[name] = band
        return replace(self, thresholds=MappingProxyType(t))


def config_dir() -> Path:
    env = os.environ.get("GAITCOACH_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("gaitcoach", appauthor=False))


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def _section(cls: type, data: Any, warnings: list[str], where: str):
    """Build dataclass ``cls`` from a TOML table, keeping defaults for bad/missing keys."""
    default = cls()
    if not isinstance(data, dict):
        if data is not None:
            warnings.append(f"[{where}] is not a table; using defaults")
        return default
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        want = type(getattr(default, f.name))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            warnings.append(f"{where}.{f.name}: expected {want.__name__}, got {value!r}")
            continue
        kwargs[f.name] = value
    return cls(**kwargs)


def _band(data: Any) -> Band | None:
    try:
        g = tuple(float(v) for v in data["green"])
        a = tuple(float(v) for v in data["amber"])
    except (KeyError, TypeError, ValueError):
        return None
    if len(g) != 2 or len(a) != 2 or g[0] > g[1] or a[0] > a[1]:
        return None
    return Band(g, a)  # type: ignore[arg-type]


def from_dict(data: Mapping[str, Any], warnings: list[str] | None = None) -> Settings:
    w = warnings if warnings is not None else []
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        w.append(f"settings schema {version!r} is newer than this app ({SCHEMA_VERSION}); "
                 "reading what it can")
    runner = _section(RunnerSettings, data.get("runner"), w, "runner")
    if runner.view not in {v.value for v in View}:
        w.append(f"runner.view: unknown view {runner.view!r}")
        runner = replace(runner, view=View.SIDE.value)
    if runner.facing not in ("auto", "left", "right"):
        w.append(f"runner.facing: unknown facing {runner.facing!r}")
        runner = replace(runner, facing="auto")
    display = _section(DisplaySettings, data.get("display"), w, "display")
    if display.layout not in ("clinic", "home"):
        display = replace(display, layout="clinic")
    if display.second_view not in ("", "rear", "front"):
        w.append(f"display.second_view: unknown view {display.second_view!r}")
        display = replace(display, second_view="")
    if display.two_view_layout not in ("side_by_side", "large_small"):
        display = replace(display, two_view_layout="side_by_side")
    if display.runner_view not in {v.value for v in View}:
        display = replace(display, runner_view="side")
    feedback = _section(FeedbackSettings, data.get("feedback"), w, "feedback")
    if feedback.baseline_mode not in ("auto", "typed"):
        w.append(f"feedback.baseline_mode: unknown mode {feedback.baseline_mode!r}")
        feedback = replace(feedback, baseline_mode="auto")
    if feedback.schedule not in ("continuous", "intermittent", "none"):
        w.append(f"feedback.schedule: unknown schedule {feedback.schedule!r}")
        feedback = replace(feedback, schedule="continuous")
    if feedback.baseline_steps < 2:
        feedback = replace(feedback, baseline_steps=2)
    thresholds: dict[str, Band] = {}
    raw = data.get("thresholds", {})
    if isinstance(raw, dict):
        for name, table in raw.items():
            band = _band(table)
            if band is None:
                w.append(f"thresholds.{name}: needs green = [lo, hi] and amber = [lo, hi]")
            else:
                thresholds[name] = band
    return Settings(
        camera=_section(CameraSettings, data.get("camera"), w, "camera"),
        runner=runner,
        display=display,
        feedback=feedback,
        thresholds=MappingProxyType(thresholds),
    )


def to_dict(s: Settings) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "camera": dataclasses.asdict(s.camera),
        "runner": dataclasses.asdict(s.runner),
        "display": dataclasses.asdict(s.display),
        "feedback": dataclasses.asdict(s.feedback),
        "thresholds": {name: {"green": list(b.green), "amber": list(b.amber)}
                       for name, b in sorted(s.thresholds.items())},
    }


def load(path: Path | None = None, warnings: list[str] | None = None) -> Settings:
    """Settings from ``path`` (default: :func:`settings_path`); defaults when missing or
    unreadable (the reason is appended to ``warnings``)."""
    p = path or settings_path()
    w = warnings if warnings is not None else []
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return Settings()
    except (OSError, tomllib.TOMLDecodeError) as exc:
        w.append(f"{p}: {exc}; using defaults")
        return Settings()
    return from_dict(data, w)


def save(s: Settings, path: Path | None = None) -> Path:
    """Write ``s`` atomically (temp file + rename); returns the path."""
    import tomli_w

    p = path or settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(p) as tmp:
        tmp.write_text(tomli_w.dumps(to_dict(s)), encoding="utf-8")
    return p
