"""Protocol templates: an ordered list of blocks with their feedback, as editable TOML data.

A template (``protocols/templates/<name>.toml`` shipped; the clinician's own in
``<config dir>/protocols/templates/``, which add templates or replace shipped ones with the
same ``name``; a template saved with a runner in the session store wins over both)::

    schema_version = 1
    name = "cadence"                  # letters, digits, '_' or '-'; the id used by the CLI
    title = "Cadence retraining"
    description = "..."
    view = "side"                     # side | rear | front: the camera view it needs, or
                                      # side+rear | side+front: two cameras at once
    focus = "cadence_spm:low"         # cue-library fault (app.feedback.cue_library.FAULTS)
    target = "baseline + 7.5%"        # none | baseline + P% | N spm  (metronome / cadence cue)
    fallback_target_spm = 170         # target when the baseline has too few steps ("" = none)
    min_baseline_steps = 10           # steps the baseline needs to set the target

    [[block]]
    kind = "baseline"                 # baseline | retraining | faded | retention | free
    name = "Baseline"
    duration_s = 120                  # block seconds (the protocol's time scale applies)
    metronome = "off"                 # off | on | alternate (on the even minutes of the block)
    cues = false                      # spoken correction cues
    schedule = "none"                 # continuous | intermittent | none
    bandwidth = 3.0                   # fault band: cadence ± % of target; other metrics the
                                      # band edge in the metric's unit (default: green band)
    mirror = true                     # mirror video on screen
    skeleton = false                  # skeleton overlay
    tiles = false                     # metric tiles
    focus = "cadence_spm:low"         # optional: overrides the template's focus
    target = "baseline + 7.5%"        # optional: overrides the template's target rule
    say = "Run at your own pace."     # spoken (and shown) when the block starts
    show = "Run as you normally do"   # optional on-screen line ("" = the say line)

Bad data never half-loads: :func:`parse_template` raises :class:`TemplateError` whose
``problems`` are one plain sentence each. Qt-free, no heavy imports.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from app.atomic import atomic_path
from app.errors import UserError
from app.feedback.cue_rules import Schedule
from app.resources import shipped_dir

SCHEMA_VERSION = 1
SHIPPED_DIR = shipped_dir("protocols")
TEMPLATES = "templates"
PLANS = "plans"
BLOCK_KINDS = ("baseline", "retraining", "faded", "retention", "free")
VIEWS = ("side", "rear", "front", "side+rear", "side+front")
METRONOME_MODES = ("off", "on", "alternate")
#: Cue-library fault name -> the engine metric it is measured by (rest: the same name).
_STEP_METRIC = {"foot_strike": "foot_strike_angle_deg", "arm_crossover": "arm_crossover_pct"}
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TARGET_RE = re.compile(
    r"^\s*(?:(?P<none>none|off)|baseline\s*(?:\+\s*(?P<pct>-?\d+(?:\.\d+)?)\s*%)?"
    r"|(?P<spm>\d+(?:\.\d+)?)\s*(?:spm)?)\s*$", re.IGNORECASE)


class TemplateError(UserError):
    """A template (or plan) that cannot be used; ``problems`` are sentences."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True, slots=True)
class TargetRule:
    """How the target cadence (steps/min) is set: ``kind`` 'none', 'baseline' (measured
    baseline × (1 + ``pct``/100)) or 'fixed' (``spm``)."""

    kind: str = "none"
    pct: float = 0.0
    spm: float | None = None

    @classmethod
    def parse(cls, value: Any) -> "TargetRule":
        """From ``"none"``, ``"baseline + 7.5%"``, ``"baseline"``, ``"180 spm"`` or 180.
        Raises ValueError with a sentence."""
        if isinstance(value, bool):
            raise ValueError(f"the target {value!r} is not a rule")
        if isinstance(value, (int, float)):
            value = str(value)
        m = _TARGET_RE.match(str(value))
        if m is None:
            raise ValueError(f"the target '{value}' is not 'none', 'baseline + P%' or 'N spm'")
        if m["none"]:
            return cls("none")
        if m["spm"]:
            spm = float(m["spm"])
            if not 60.0 <= spm <= 260.0:
                raise ValueError(f"the fixed target {spm:g} spm is outside 60–260 spm")
            return cls("fixed", 0.0, spm)
        pct = float(m["pct"]) if m["pct"] else 0.0
        if not -20.0 <= pct <= 30.0:
            raise ValueError(f"the increase {pct:g} % is outside −20 to +30 %")
        return cls("baseline", pct)

    def text(self) -> str:
        """The TOML form (round-trips through :meth:`parse`)."""
        if self.kind == "fixed":
            return f"{self.spm:g} spm"
        if self.kind == "baseline":
            return f"baseline + {self.pct:g}%" if self.pct else "baseline"
        return "none"

    def resolve(self, baseline_spm: float | None) -> float | None:
        """The target in spm given the measured baseline (None when it cannot be set)."""
        if self.kind == "fixed":
            return self.spm
        if self.kind == "baseline" and baseline_spm is not None:
            return float(baseline_spm) * (1.0 + self.pct / 100.0)
        return None


@dataclass(frozen=True, slots=True)
class Focus:
    """The fault cued: cue-library ``metric`` (``FAULTS`` key) and ``direction``."""

    metric: str
    direction: str

    @classmethod
    def parse(cls, value: Any) -> "Focus":
        """From ``"metric:direction"`` (or ``"metric"``: its first direction)."""
        from app.feedback.cue_library import FAULTS

        metric, _, direction = str(value).strip().partition(":")
        metric, direction = metric.strip(), direction.strip()
        if metric not in FAULTS:
            raise ValueError(f"the focus '{metric}' is not a fault of the cue library "
                             f"(one of {', '.join(FAULTS)})")
        if not direction:
            direction = FAULTS[metric][0]
        if direction not in FAULTS[metric]:
            raise ValueError(f"the focus {metric} needs direction "
                             f"{' or '.join(FAULTS[metric])}, not '{direction}'")
        return cls(metric, direction)

    @property
    def step_metric(self) -> str:
        """The engine's metric name (``app.gait.metrics.METRIC_SPECS``)."""
        return _STEP_METRIC.get(self.metric, self.metric)

    def text(self) -> str:
        return f"{self.metric}:{self.direction}"


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One block of a template. ``duration_s`` in block seconds; ``focus``/``target``
    None = the template's; ``bandwidth`` None = default band (cadence ± 3 % of target,
    other metrics the green band's edge); ``say`` is spoken and shown at the block start,
    ``show`` is the on-screen instruction ('' = ``say``)."""

    kind: str
    name: str
    duration_s: float
    metronome: str = "off"
    cues: bool = False
    schedule: Schedule = Schedule.NONE
    bandwidth: float | None = None
    mirror: bool = True
    skeleton: bool = False
    tiles: bool = False
    focus: Focus | None = None
    target: TargetRule | None = None
    say: str = ""
    show: str = ""

    @property
    def instruction(self) -> str:
        return self.show or self.say

    @property
    def any_feedback(self) -> bool:
        """True when the runner gets any sound or on-screen feedback in this block."""
        return self.metronome != "off" or self.cues or self.skeleton or self.tiles

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "name": self.name,
                             "duration_s": _num_out(self.duration_s),
                             "metronome": self.metronome, "cues": self.cues,
                             "schedule": self.schedule.value, "mirror": self.mirror,
                             "skeleton": self.skeleton, "tiles": self.tiles}
        if self.bandwidth is not None:
            d["bandwidth"] = _num_out(self.bandwidth)
        if self.focus is not None:
            d["focus"] = self.focus.text()
        if self.target is not None:
            d["target"] = self.target.text()
        d["say"] = self.say
        if self.show:
            d["show"] = self.show
        return d


@dataclass(frozen=True, slots=True)
class Template:
    """A protocol template (see the module docstring for the fields). ``source``:
    'shipped' | 'user' | 'runner'; ``path`` the file it came from (None from the store)."""

    name: str
    title: str
    view: str
    focus: Focus
    target: TargetRule
    blocks: tuple[BlockSpec, ...]
    description: str = ""
    fallback_target_spm: float | None = None
    min_baseline_steps: int = 10
    source: str = "shipped"
    path: Path | None = field(default=None, compare=False)

    @property
    def views(self) -> tuple:
        """The camera views it needs (``app.types.View``), the side view first."""
        from app.types import View

        return tuple(View(v) for v in self.view.split("+"))

    @property
    def primary_view(self) -> str:
        """The view that times the steps: the only one, or the side view of two."""
        return self.view.split("+")[0]

    @property
    def view_words(self) -> str:
        """'rear view', 'side and rear views'."""
        v = self.view.split("+")
        return f"{v[0]} view" if len(v) == 1 else f"{' and '.join(v)} views"

    @property
    def duration_s(self) -> float:
        """Planned length in block seconds."""
        return float(sum(b.duration_s for b in self.blocks))

    def focus_of(self, block: BlockSpec) -> Focus:
        return block.focus or self.focus

    def target_of(self, block: BlockSpec) -> TargetRule:
        return block.target or self.target

    def block_index(self, kind: str) -> list[int]:
        """Indices of the blocks of ``kind``, in order."""
        return [i for i, b in enumerate(self.blocks) if b.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": self.name,
                             "title": self.title, "description": self.description,
                             "view": self.view, "focus": self.focus.text(),
                             "target": self.target.text()}
        if self.fallback_target_spm is not None:
            d["fallback_target_spm"] = _num_out(self.fallback_target_spm)
        d["min_baseline_steps"] = self.min_baseline_steps
        d["block"] = [b.to_dict() for b in self.blocks]
        return d

    def to_toml(self) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_dict())

    def with_blocks(self, blocks: Iterable[BlockSpec]) -> "Template":
        return replace(self, blocks=tuple(blocks))


def _num_out(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


# ============================================================================ parsing
def parse_template(data: Mapping[str, Any], where: str = "the template", *,
                   source: str = "shipped", path: Path | None = None) -> Template:
    """A validated :class:`Template` from TOML data; raises :class:`TemplateError` listing
    every problem (one sentence each, naming ``where`` and the block)."""
    p: list[str] = []
    if not isinstance(data, Mapping):
        raise TemplateError([f"{where} is not a TOML table."])
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise TemplateError([f"{where} has schema_version {version}; this app reads {SCHEMA_VERSION}."])
    name = str(data.get("name", "")).strip()
    if not _NAME_RE.match(name):
        p.append(f"{where} needs a name of letters, digits, '_' or '-' (got '{name}').")
    title = str(data.get("title", "") or name).strip()
    view = str(data.get("view", "side")).strip()
    if view not in VIEWS:
        p.append(f"{where} has view '{view}'; use side, rear, front, side+rear or side+front.")
    focus = _parse(p, where, "focus", Focus.parse, data.get("focus", "cadence_spm:low"))
    if focus is not None and view in VIEWS and not _measurable(focus, view):
        p.append(f"{where} focuses on {focus.metric}, which cannot be measured in the {view} view.")
    target = _parse(p, where, "target", TargetRule.parse, data.get("target", "none"))
    fallback = data.get("fallback_target_spm")
    if fallback in ("", None):
        fallback = None
    elif not _is_num(fallback) or not 60 <= float(fallback) <= 260:
        p.append(f"{where} has fallback_target_spm '{fallback}'; use a cadence of 60–260 spm.")
        fallback = None
    else:
        fallback = float(fallback)
    min_steps = data.get("min_baseline_steps", 10)
    if not isinstance(min_steps, int) or isinstance(min_steps, bool) or not 2 <= min_steps <= 1000:
        p.append(f"{where} has min_baseline_steps '{min_steps}'; use a whole number from 2 to 1000.")
        min_steps = 10
    raw_blocks = data.get("block", [])
    if not isinstance(raw_blocks, list) or not raw_blocks:
        p.append(f"{where} has no [[block]] tables.")
        raw_blocks = []
    blocks = []
    for i, b in enumerate(raw_blocks, 1):
        blk = _parse_block(p, f"block {i} of {where}", b)
        if blk is not None:
            blocks.append(blk)
    if focus is not None and target is not None and not p:
        for i, b in enumerate(blocks, 1):
            rule = b.target or target
            if b.metronome != "off" and rule.kind == "none":
                p.append(f"block {i} of {where} has the metronome {b.metronome} but no target "
                         "cadence (set target to 'baseline + P%' or 'N spm').")
            f = b.focus or focus
            if b.cues and f.metric == "cadence_spm" and rule.kind == "none":
                p.append(f"block {i} of {where} cues cadence but has no target cadence.")
            if rule.kind == "baseline" and b.metronome != "off" and not any(
                    x.kind == "baseline" for x in blocks[:i - 1]) and fallback is None:
                p.append(f"block {i} of {where} needs the baseline cadence but no baseline "
                         "block comes before it and there is no fallback_target_spm.")
            if b.focus is not None and view in VIEWS and not _measurable(b.focus, view):
                p.append(f"block {i} of {where} focuses on {b.focus.metric}, which cannot be "
                         f"measured in the {view} view.")
    if p:
        raise TemplateError(p)
    return Template(name=name, title=title, view=view, focus=focus, target=target,  # type: ignore[arg-type]
                    blocks=tuple(blocks), description=str(data.get("description", "")).strip(),
                    fallback_target_spm=fallback, min_baseline_steps=min_steps, source=source,
                    path=path)


def _parse(p: list[str], where: str, key: str, fn, value):  # noqa: ANN001
    try:
        return fn(value)
    except ValueError as exc:
        p.append(f"In {where}, {exc}.")
        return None


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _measurable(focus: Focus, view: str) -> bool:
    from app.gait.metrics import METRIC_SPECS
    from app.types import View

    spec = METRIC_SPECS.get(focus.step_metric)
    return spec is None or any(View(v) in spec.views for v in view.split("+"))


def _parse_block(p: list[str], where: str, b: Any) -> BlockSpec | None:
    if not isinstance(b, Mapping):
        p.append(f"{where} is not a table.")
        return None
    n0 = len(p)
    kind = str(b.get("kind", "")).strip()
    if kind not in BLOCK_KINDS:
        p.append(f"{where} has kind '{kind}'; use one of {', '.join(BLOCK_KINDS)}.")
    name = str(b.get("name", "") or kind.capitalize()).strip()
    dur = b.get("duration_s")
    if not _is_num(dur) or not 1 <= float(dur) <= 3 * 3600:
        p.append(f"{where} has duration_s '{dur}'; use seconds from 1 to 10800.")
        dur = 1
    metro = str(b.get("metronome", "off")).strip()
    if isinstance(b.get("metronome"), bool):
        metro = "on" if b["metronome"] else "off"
    if metro not in METRONOME_MODES:
        p.append(f"{where} has metronome '{metro}'; use off, on or alternate.")
    flags = {}
    for key, default in (("cues", False), ("mirror", True), ("skeleton", False), ("tiles", False)):
        v = b.get(key, default)
        if not isinstance(v, bool):
            p.append(f"{where} has {key} = '{v}'; use true or false.")
            v = default
        flags[key] = v
    sched_text = str(b.get("schedule", "continuous" if flags["cues"] else "none")).strip()
    try:
        schedule = Schedule(sched_text)
    except ValueError:
        p.append(f"{where} has schedule '{sched_text}'; use continuous, intermittent or none.")
        schedule = Schedule.NONE
    bw = b.get("bandwidth")
    if bw is not None and (not _is_num(bw) or float(bw) <= 0):
        p.append(f"{where} has bandwidth '{bw}'; use a positive number.")
        bw = None
    focus = _parse(p, where, "focus", Focus.parse, b["focus"]) if b.get("focus") else None
    target = _parse(p, where, "target", TargetRule.parse, b["target"]) if "target" in b else None
    say = b.get("say", "")
    show = b.get("show", "")
    if not isinstance(say, str) or not isinstance(show, str):
        p.append(f"{where} has a say or show line that is not text.")
        say, show = "", ""
    if len(p) > n0:
        return None
    return BlockSpec(kind=kind, name=name, duration_s=float(dur), metronome=metro,
                     schedule=schedule, bandwidth=None if bw is None else float(bw),
                     focus=focus, target=target, say=say.strip(), show=show.strip(), **flags)


def parse_template_text(text: str, where: str = "the template", **kw: Any) -> Template:
    """Parse TOML text (e.g. a template saved with a runner)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError([f"{where} is not valid TOML ({exc})."]) from None
    return parse_template(data, where, **kw)


def load_template_file(path: str | os.PathLike[str], source: str = "user") -> Template:
    """Read and validate one template file; TemplateError (sentences) when unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError([f"The template file {path} does not exist."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError([f"The template file {path} cannot be read ({exc})."]) from None
    return parse_template_text(text, f"the template file {path}", source=source, path=path)


def user_protocol_dir() -> Path:
    """``<config dir>/protocols`` (holds ``templates/`` and ``plans/``)."""
    from app.config import config_dir

    return config_dir() / "protocols"


def save_user_template(t: Template, folder: Path | None = None) -> Path:
    """Write ``t`` as ``<user templates>/<name>.toml`` atomically; returns the path."""
    folder = (user_protocol_dir() / TEMPLATES) if folder is None else Path(folder)
    parse_template_text(t.to_toml(), f"template {t.name}")  # never save what cannot load
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{t.name}.toml"
    with atomic_path(dest) as tmp:
        tmp.write_text(t.to_toml(), encoding="utf-8")
    return dest


# ============================================================================ library
class TemplateLibrary:
    """All usable templates: shipped (errors there are bugs: ``ValueError``), the user's
    folder and a runner's saved templates (errors there become ``problems`` sentences and
    the file is skipped). Later sources replace earlier ones with the same ``name``."""

    def __init__(self, templates: Mapping[str, Template], problems: Iterable[str] = ()) -> None:
        self._t = dict(templates)
        self.problems: tuple[str, ...] = tuple(problems)

    @classmethod
    def load(cls, shipped_dir: Path | None = None, user_dir: Path | None = None) -> "TemplateLibrary":
        shipped = (SHIPPED_DIR if shipped_dir is None else Path(shipped_dir)) / TEMPLATES
        user = (user_protocol_dir() if user_dir is None else Path(user_dir)) / TEMPLATES
        out: dict[str, Template] = {}
        for f in sorted(shipped.glob("*.toml")):
            try:
                t = load_template_file(f, source="shipped")
            except TemplateError as exc:
                raise ValueError(str(exc)) from None
            out[t.name] = t
        problems: list[str] = []
        if user.is_dir():
            for f in sorted(user.glob("*.toml")):
                try:
                    t = load_template_file(f, source="user")
                except TemplateError as exc:
                    problems.extend(exc.problems)
                    continue
                out[t.name] = t
        return cls(out, problems)

    def with_runner(self, saved: Mapping[str, str], runner: str = "the runner") -> "TemplateLibrary":
        """A library that also holds a runner's saved templates (name -> TOML text, e.g.
        ``SessionStore.runner_templates``); they replace templates of the same name."""
        out = dict(self._t)
        problems = list(self.problems)
        for name, text in saved.items():
            try:
                t = parse_template_text(text, f"the template '{name}' saved with {runner}",
                                        source="runner")
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            out[t.name] = t
        return TemplateLibrary(out, problems)

    def names(self) -> list[str]:
        return sorted(self._t)

    def __iter__(self):
        return iter(self._t[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._t)

    def __contains__(self, name: object) -> bool:
        return name in self._t

    def get(self, name: str) -> Template:
        """The template called ``name`` (or whose title matches, case-insensitive);
        ``UserError`` naming the available ones otherwise."""
        if name in self._t:
            return self._t[name]
        low = name.strip().lower()
        for t in self._t.values():
            if t.name.lower() == low or t.title.lower() == low:
                return t
        raise UserError(f"There is no protocol template named '{name}' "
                        f"(available: {', '.join(self.names()) or 'none'}).")
