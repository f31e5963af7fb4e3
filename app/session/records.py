"""Records the session store hands out (frozen dataclasses), the health of a session
as a sentence, and reading metric means from a ``session.json`` summary.

Qt-free and SQLite-free: the comparison view and the protocol code can use these without
a store. Times: ``*_utc`` are ISO 8601 strings ("2026-11-21T10:31:05Z"); ``*_s`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.session.folder import STATE_RECORDING, STATE_RECOVERED, is_being_recorded

@dataclass(frozen=True, slots=True)
class Runner:
    id: int
    name: str
    birth_year: int | None
    height_cm: float | None
    notes: str
    created_utc: str
    uid: str = ""       # the same runner at every station of a clinic
    version: int = 1    # edits so far (optimistic versioning)


@dataclass(frozen=True, slots=True)
class RunnerTarget:
    """A runner's target cadence (steps/min), where it came from ('typed in Setup',
    'baseline 170 spm + 7.5 %', 'guided session') and when (ISO 8601 UTC)."""

    runner_id: int
    target_spm: float
    origin: str
    set_utc: str

    def describe(self, runner_name: str = "") -> str:
        """"Anna K.'s target from 3 Dec (typed in Setup)"."""
        when = parse_utc(self.set_utc)
        day = f" from {when.astimezone():%-d %b}" if when else ""
        who = f"{runner_name}'s target" if runner_name else "the runner's target"
        return f"{who}{day}" + (f" ({self.origin})" if self.origin else "")


@dataclass(frozen=True, slots=True)
class Block:
    """One protocol block; ``start_s``/``end_s`` in seconds from the session start."""

    idx: int
    kind: str
    name: str
    start_s: float
    end_s: float | None = None
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One row of the store. ``started_utc`` is ISO 8601 ("2026-11-21T10:31:05Z"),
    ``duration_s`` seconds (None while recording), ``video`` the file name in ``folder``."""

    id: str
    runner_id: int | None
    runner_name: str | None
    name: str
    notes: str
    state: str
    started_utc: str | None
    duration_s: float | None
    view: str | None
    facing: str | None
    template: str | None
    thresholds: dict
    summary: dict
    folder: Path
    video: str | None
    missing_since_utc: str | None
    station: str = ""       # the station that recorded it ('' = this station, before a clinic)
    version: int = 1        # edits so far (optimistic versioning)
    #: where the row comes from: 'local' (this station's store) or 'clinic' (another
    #: station's session, read from the clinic store; its folder is in the media folder)
    origin: str = "local"
    #: this station's publishing state: None (no clinic), 'waiting', 'published', 'conflict'
    publish_state: str | None = None

    @property
    def started(self) -> datetime | None:
        return parse_utc(self.started_utc)

    @property
    def video_path(self) -> Path | None:
        return self.folder / self.video if self.video else None

    @property
    def landmarks_path(self) -> Path:
        return self.folder / "landmarks.csv"

    @property
    def cadence_spm(self) -> float | None:
        return summary_value(self.summary, "cadence_spm")

    @property
    def title(self) -> str:
        return self.name or self.id

    @property
    def state_text(self) -> str:
        """The state for lists: 'stopped early' for a guided session ended before its last
        block (its recording is complete, the session is not), else ``state``."""
        proto = self.summary.get("protocol") if isinstance(self.summary, dict) else None
        if isinstance(proto, dict) and proto.get("status") == "aborted" and self.state != STATE_RECORDING:
            return "stopped early"
        return self.state

    @property
    def started_text(self) -> str:
        """Local start time with seconds ('2026-11-21 10:31:05'), '—' when unknown."""
        return self.started.astimezone().strftime("%Y-%m-%d %H:%M:%S") if self.started else "—"


@dataclass(frozen=True, slots=True)
class Health:
    """``kind``: 'ok', 'recovered', 'recording' (being recorded now) — or a problem:
    'folder_missing', 'video_missing', 'incomplete' (left by a crash). ``message`` is a
    sentence for the user ('' when ok)."""

    kind: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in ("ok", "recovered", "recording")


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()   # sentences: folders that could not be read


@dataclass(frozen=True, slots=True)
class RunnerHistory:
    """A runner's sessions oldest first, for the history plot. ``values[metric][i]`` is
    the session mean of ``metric`` in session ``session_ids[i]`` (None = not measured)."""

    session_ids: tuple[str, ...]
    titles: tuple[str, ...]
    started: tuple[datetime, ...]
    values: dict[str, tuple[float | None, ...]]


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 session', '3 sessions', '0 sessions' (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def duration_text(seconds: float | None) -> str:
    """'4:05' (minutes:seconds), '—' when unknown."""
    if seconds is None:
        return "—"
    m, sec = divmod(int(round(seconds)), 60)
    return f"{m}:{sec:02d}"


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def number_or_none(v: Any) -> float | None:
    if isinstance(v, dict):
        v = v.get("mean")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
        return float(v)
    return None


def summary_value(summary: dict, metric: str) -> float | None:
    """The session mean of ``metric`` from a ``session.json`` summary (app/session/summary.py:
    ``{"cadence_spm": 171.2, "n_steps": 120, "metrics": {name: mean}, "blocks": [...]}``);
    a ``{"mean": ...}`` dict in place of a number is accepted too."""
    if not isinstance(summary, dict):
        return None
    metrics = summary.get("metrics")
    if isinstance(metrics, dict) and metric in metrics:
        return number_or_none(metrics[metric])
    return number_or_none(summary.get(metric)) if metric != "n_steps" else None


def summary_metric_names(summary: dict) -> list[str]:
    """Metric names with a value in ``summary``: cadence first, then ``metrics`` keys."""
    names = ["cadence_spm"] if summary_value(summary, "cadence_spm") is not None else []
    metrics = summary.get("metrics") if isinstance(summary, dict) else None
    if isinstance(metrics, dict):
        names += sorted(k for k in metrics if k not in names and summary_value(summary, k) is not None)
    return names


def session_health(s: SessionInfo) -> Health:
    """Health of a session row checked against the file system now."""
    when = s.started.astimezone().strftime("%d %b %Y %H:%M") if s.started else s.id
    if not s.folder.is_dir():
        return Health("folder_missing", f"The folder of the session of {when} is missing "
                      f"({s.folder}); it was moved or deleted.")
    if s.state == STATE_RECORDING and is_being_recorded(s.folder):
        return Health("recording", f"The session of {when} is being recorded now.")
    if s.video_path is None:
        return Health("video_missing", f"The session of {when} has no video (none could be "
                      "recovered); its measurements are kept.")
    if not s.video_path.is_file():
        return Health("video_missing", f"The video ({s.video}) of the session of {when} is missing; "
                      "the measurements are kept but the video cannot be played.")
    if s.state == STATE_RECORDING:
        return Health("incomplete", f"The session of {when} did not end cleanly (stopped by a "
                      "crash); it can be recovered at the next start.")
    if s.state == STATE_RECOVERED:
        return Health("recovered", f"The session of {when} was recovered after a crash.")
    return Health("ok")
