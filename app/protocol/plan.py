"""Multi-session plans: which session of a plan is today's, and its faded template.

A plan (``protocols/plans/<name>.toml`` shipped, ``<config dir>/protocols/plans/`` the
clinician's own, same name replaces)::

    schema_version = 1
    name = "cadence_2w"
    title = "Cadence retraining, 8 sessions over 2 weeks"
    template = "cadence"              # the template every session uses (unless overridden)
    days = 14

    [[session]]
    day = 1                           # day of the plan (1 = the first session's day)
    schedule = "continuous"           # cue schedule of the retraining blocks
    metronome = "on"                  # metronome of the retraining blocks: on | alternate | off
    template = "cadence"              # optional, per session
    note = "Full feedback"            # optional, shown to the runner / clinician

The feedback fades across sessions by changing only the *retraining* blocks (schedule and,
where the template uses one, the metronome); baseline, faded and retention blocks stay as
the template says. Which session is today's comes from the runner's completed protocol
sessions in the store (``summary["protocol"]["plan"]`` written by ``app.protocol.finish``;
sessions stopped early do not count). Qt-free.
"""

from __future__ import annotations

import datetime as _dt
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from app.feedback.cue_rules import Schedule
from app.protocol.templates import (
    PLANS, SCHEMA_VERSION, SHIPPED_DIR, Template, TemplateError, TemplateLibrary, _NAME_RE,
    user_protocol_dir,
)

_DONE_STATES = ("complete", "recovered")


@dataclass(frozen=True, slots=True)
class PlanSession:
    """One session of a plan (``number`` from 1)."""

    number: int
    day: int
    template: str
    schedule: Schedule
    metronome: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    title: str
    days: int
    sessions: tuple[PlanSession, ...]
    source: str = "shipped"

    def template_for(self, number: int, library: TemplateLibrary) -> Template:
        """Session ``number``'s template with this plan's fading applied to its
        retraining blocks (metronome only changed where the template has one)."""
        ps = self.sessions[number - 1]
        t = library.get(ps.template)
        blocks = []
        for b in t.blocks:
            if b.kind == "retraining":
                metro = b.metronome if b.metronome == "off" else ps.metronome
                b = replace(b, schedule=ps.schedule if b.cues else b.schedule, metronome=metro)
            blocks.append(b)
        return t.with_blocks(blocks)


@dataclass(frozen=True, slots=True)
class PlanToday:
    """Where a runner is in a plan. ``session`` None when the plan is complete;
    ``due`` the planned date of the next session (None before the first one);
    ``message`` one line for the screen."""

    plan: Plan
    done: int
    session: PlanSession | None
    due: _dt.date | None
    started: _dt.date | None
    message: str

    @property
    def complete(self) -> bool:
        return self.session is None


def parse_plan(data: Mapping[str, Any], where: str = "the plan", source: str = "shipped") -> Plan:
    """A validated plan; TemplateError with one sentence per problem."""
    p: list[str] = []
    if data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise TemplateError([f"{where} has schema_version {data.get('schema_version')}; "
                             f"this app reads {SCHEMA_VERSION}."])
    name = str(data.get("name", "")).strip()
    if not _NAME_RE.match(name):
        p.append(f"{where} needs a name of letters, digits, '_' or '-' (got '{name}').")
    days = data.get("days", 14)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        p.append(f"{where} has days '{days}'; use a whole number from 1 to 366.")
        days = 366
    default_t = str(data.get("template", "")).strip()
    raw = data.get("session", [])
    if not isinstance(raw, list) or not raw:
        p.append(f"{where} has no [[session]] tables.")
        raw = []
    sessions = []
    last_day = 0
    for i, s in enumerate(raw, 1):
        w = f"session {i} of {where}"
        if not isinstance(s, Mapping):
            p.append(f"{w} is not a table.")
            continue
        day = s.get("day", last_day + 1)
        if not isinstance(day, int) or isinstance(day, bool) or not last_day < day <= days:
            p.append(f"{w} has day '{day}'; days must increase and stay within 1–{days}.")
            day = last_day + 1
        last_day = day
        tname = str(s.get("template", default_t)).strip()
        if not tname:
            p.append(f"{w} names no template (set template in the plan or the session).")
        try:
            sched = Schedule(str(s.get("schedule", "continuous")))
        except ValueError:
            p.append(f"{w} has schedule '{s.get('schedule')}'; use continuous, intermittent or none.")
            sched = Schedule.CONTINUOUS
        metro = str(s.get("metronome", "on"))
        if metro not in ("on", "alternate", "off"):
            p.append(f"{w} has metronome '{metro}'; use on, alternate or off.")
        sessions.append(PlanSession(i, day, tname, sched, metro, str(s.get("note", "")).strip()))
    if p:
        raise TemplateError(p)
    return Plan(name, str(data.get("title", "") or name).strip(), days, tuple(sessions), source)


def load_plan_file(path: str | os.PathLike[str], source: str = "user") -> Plan:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError([f"The plan file {path} does not exist."]) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError([f"The plan file {path} cannot be read ({exc})."]) from None
    return parse_plan(data, f"the plan file {path}", source)


def load_plans(shipped_dir: Path | None = None, user_dir: Path | None = None,
               library: TemplateLibrary | None = None) -> tuple[dict[str, Plan], list[str]]:
    """(plans by name, problem sentences). Shipped errors raise ValueError (bugs); user
    plans that do not load, or name a template ``library`` lacks, are skipped with a
    sentence."""
    shipped = (SHIPPED_DIR if shipped_dir is None else Path(shipped_dir)) / PLANS
    user = (user_protocol_dir() if user_dir is None else Path(user_dir)) / PLANS
    plans: dict[str, Plan] = {}
    problems: list[str] = []
    for f in sorted(shipped.glob("*.toml")):
        try:
            pl = load_plan_file(f, "shipped")
        except TemplateError as exc:
            raise ValueError(str(exc)) from None
        plans[pl.name] = pl
    if user.is_dir():
        for f in sorted(user.glob("*.toml")):
            try:
                pl = load_plan_file(f, "user")
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            plans[pl.name] = pl
    if library is not None:
        for name, pl in list(plans.items()):
            missing = sorted({s.template for s in pl.sessions if s.template not in library})
            if missing:
                problems.append(f"The plan '{name}' uses the unknown template(s) {', '.join(missing)}.")
                del plans[name]
    return plans, problems


def completed_sessions(plan: Plan, sessions: Iterable[Any]) -> list[Any]:
    """The runner's sessions that count for ``plan`` (store ``SessionInfo`` rows: state
    complete/recovered and ``summary["protocol"]`` with this plan and status finished),
    oldest first."""
    out = []
    for s in sessions:
        proto = (getattr(s, "summary", None) or {}).get("protocol") or {}
        if (getattr(s, "state", "") in _DONE_STATES and proto.get("plan") == plan.name
                and proto.get("status") == "finished"):
            out.append(s)
    return sorted(out, key=lambda s: getattr(s, "started_utc", "") or "")


def today(plan: Plan, sessions: Iterable[Any], on: _dt.date | None = None) -> PlanToday:
    """Which session of ``plan`` is next for a runner with these store sessions."""
    on = on or _dt.date.today()
    done = completed_sessions(plan, sessions)
    n = len(done)
    started = _date(getattr(done[0], "started_utc", None)) if done else None
    total = len(plan.sessions)
    if n >= total:
        return PlanToday(plan, n, None, None, started, f"{plan.title}: complete "
                         f"({total} of {total} sessions done).")
    ps = plan.sessions[n]
    due = None if started is None else started + _dt.timedelta(days=ps.day - 1)
    feedback = {"continuous": "cues every time", "intermittent": "cues every second time",
                "none": "no cues"}[ps.schedule.value]
    metro = {"on": "full metronome", "alternate": "metronome every other minute",
             "off": "no metronome"}[ps.metronome]
    when = ""
    if due is not None:
        when = f", due {due.isoformat()}"
        if due > on:
            when += f" (in {(due - on).days} days)"
        elif due < on:
            when += f" ({(on - due).days} days late)"
    msg = (f"{plan.title}: session {ps.number} of {total} (day {ps.day} of {plan.days}{when}) — "
           f"{ps.template}, {feedback}, {metro}." + (f" {ps.note}" if ps.note else ""))
    return PlanToday(plan, n, ps, due, started, msg)


def _date(utc: str | None) -> _dt.date | None:
    if not utc:
        return None
    try:
        return _dt.date.fromisoformat(str(utc)[:10])
    except ValueError:
        return None
