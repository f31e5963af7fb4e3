"""The load log (weekly running volume and pain 0–10) and the reassessment date.

:func:`guidance` turns a runner's weeks into a few sentences for the plan, the kind of
rules clinicians use to let tissue recover while the runner keeps running: hold volume
while pain is above 2/10, build by about 10 % a week once it has stayed at 2/10 or less,
and never jump volume by a third from one week to the next. They are defaults worded for
the clinician to adjust, not medical advice. Qt-free, no numpy.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Sequence

UNITS = ("km", "min")
#: Pain (0–10) at or below this is "settled".
PAIN_OK = 2
#: Pain at or above this: reduce load.
PAIN_HIGH = 5
#: A week above the mean of the previous (up to 4) weeks by more than this is a spike.
SPIKE = 0.30
BUILD_PCT = 10


@dataclass(frozen=True, slots=True)
class LoadWeek:
    """One week of running: ``week`` is its Monday; ``volume`` in ``unit`` (km or min);
    ``pain`` the highest pain while or after running that week (0–10)."""

    week: _dt.date
    volume: float
    unit: str
    pain: int
    notes: str = ""

    def to_json(self) -> dict:
        return {"week": self.week.isoformat(), "volume": self.volume, "unit": self.unit,
                "pain": self.pain, "notes": self.notes}


def monday(day: _dt.date) -> _dt.date:
    """The Monday of ``day``'s week."""
    return day - _dt.timedelta(days=day.weekday())


def check_entry(volume: float, unit: str, pain: int) -> list[str]:
    """Problems of one entry as sentences (empty when fine)."""
    out = []
    if unit not in UNITS:
        out.append(f"The unit must be km or min, not {unit!r}.")
    if not 0 <= volume <= (500 if unit == "km" else 3000):
        out.append(f"The weekly volume {volume:g} {unit} is not plausible.")
    if not 0 <= pain <= 10:
        out.append(f"Pain must be 0 to 10, not {pain}.")
    return out


def guidance(weeks: Sequence[LoadWeek], today: _dt.date | None = None) -> list[str]:
    """Load guidance from the log (oldest first or any order): a few sentences."""
    if not weeks:
        return ["Log each week's running volume and the highest pain (0–10) to get load "
                "guidance; until then hold the volume the runner is used to."]
    ws = sorted(weeks, key=lambda w: w.week)
    last = ws[-1]
    out: list[str] = []
    if last.pain >= PAIN_HIGH:
        out.append(f"Pain {last.pain}/10 in the week of {last.week:%d %b}: reduce running "
                   "volume (for example by a third) and review with the clinician before "
                   "building again.")
    elif last.pain > PAIN_OK:
        out.append(f"Pain {last.pain}/10: hold volume until pain stays ≤ {PAIN_OK}/10 for a week.")
    else:
        settled = len(ws) >= 2 and ws[-2].pain <= PAIN_OK
        if settled:
            out.append(f"Pain has stayed ≤ {PAIN_OK}/10 for two weeks: volume may grow by about "
                       f"{BUILD_PCT} % next week ({_fmt(last.volume * (1 + BUILD_PCT / 100))} "
                       f"{last.unit}).")
        else:
            out.append(f"Pain ≤ {PAIN_OK}/10 this week: hold volume for one more week, then "
                       f"build by about {BUILD_PCT} % a week if it stays there.")
    prev = [w.volume for w in ws[-5:-1] if w.unit == last.unit and w.volume > 0]
    if prev:
        base = sum(prev) / len(prev)
        if last.volume > base * (1 + SPIKE):
            out.append(f"Volume jumped {100 * (last.volume / base - 1):.0f} % above the previous "
                       f"weeks' average ({_fmt(base)} {last.unit}): keep week-to-week increases "
                       f"near {BUILD_PCT} %.")
    if today is not None and (today - last.week).days > 13:
        out.append(f"The last entry is from the week of {last.week:%d %b}: log the weeks since.")
    return out


@dataclass(frozen=True, slots=True)
class Reassessment:
    """The reassessment state: ``due`` date, days until it (negative = overdue), and the
    session that can serve as the reassessment (the runner's newest one from a week
    before the due date on), when there is one."""

    baseline: _dt.date
    due: _dt.date
    days_left: int
    session_id: str | None = None

    @property
    def ready(self) -> bool:
        return self.session_id is not None

    @property
    def text(self) -> str:
        if self.ready:
            return (f"Reassessment: a session from {self.due - _dt.timedelta(days=7):%d %b} on "
                    f"is there — compare it with the baseline of {self.baseline:%d %b %Y}.")
        if self.days_left > 1:
            return f"Reassessment due {self.due:%d %b %Y} (in {self.days_left} days)."
        if self.days_left == 1:
            return f"Reassessment due tomorrow, {self.due:%d %b %Y}."
        if self.days_left == 0:
            return f"Reassessment due today, {self.due:%d %b %Y}."
        return f"Reassessment overdue since {self.due:%d %b %Y} ({-self.days_left} days)."


def reassessment(baseline: _dt.date, due: _dt.date, sessions: Sequence[tuple[str, _dt.date]] = (),
                 today: _dt.date | None = None) -> Reassessment:
    """The reassessment state; ``sessions`` are (id, date) of the runner's sessions."""
    today = today or _dt.date.today()
    window = due - _dt.timedelta(days=7)
    after = sorted((d, sid) for sid, d in sessions if d >= window)
    return Reassessment(baseline, due, (due - today).days, after[-1][1] if after else None)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v >= 20 else f"{v:.1f}"
