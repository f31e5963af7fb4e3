"""The station's background publisher: one thread that publishes finished sessions to
the clinic store while the app runs (app/session/publish.py does the work).

It wakes every ``interval_s`` seconds, or when :meth:`BackgroundPublisher.wake` is
called (a recording just finished, *Publish now*), publishes the sessions whose back-off
has passed, and keeps a :class:`PublisherStatus` for the GUI to poll (GUI timer; the
thread never touches Qt). It opens its own local store; an outage of the clinic only
makes sessions wait — recording never waits for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from app.session.clinic import ClinicConfig


@dataclass(frozen=True)
class PublisherStatus:
    """``text``: one line for the status bar; ``waiting``: sessions not yet published;
    ``problem``: the last reason a publish failed ('' when fine); ``busy``: publishing now."""

    text: str = ""
    waiting: int = 0
    conflicts: int = 0
    problem: str = ""
    busy: bool = False


class BackgroundPublisher:
    def __init__(self, cfg: ClinicConfig, interval_s: float = 30.0, store_path=None) -> None:  # noqa: ANN001
        self.cfg = cfg
        self.interval_s = interval_s
        self._store_path = store_path
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = PublisherStatus(text="Clinic: checking…")
        self._thread: threading.Thread | None = None
        self._force = True  # the first round publishes everything waiting

    @property
    def status(self) -> PublisherStatus:
        with self._lock:
            return self._status

    def _set(self, **kw) -> None:  # noqa: ANN003
        from dataclasses import replace

        with self._lock:
            self._status = replace(self._status, **kw)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="clinic-publisher", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Publish now (what is waiting, ignoring the back-off)."""
        self._force = True
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        from app.errors import UserError
        from app.session.publish import publish, queue_status
        from app.session.store import open_store

        while not self._stop.is_set():
            try:
                with open_store(self._store_path) as local:
                    local.sync()
                    force, self._force = self._force, False
                    self._set(busy=True)
                    rep = publish(local, self.cfg, due_only=not force)
                    q = queue_status(local)
                problem = rep.unreachable or (rep.failed[-1][1] if rep.failed else "") or q.last_error
                self._set(busy=False, waiting=q.waiting, conflicts=q.conflicts, problem=problem,
                          text=self._line(q, rep.unreachable))
            except UserError as exc:
                self._set(busy=False, problem=str(exc), text=f"Clinic: {exc}")
            except Exception as exc:  # noqa: BLE001 - a publisher bug must not kill the app
                self._set(busy=False, problem=str(exc), text=f"Clinic: publishing failed ({exc}).")
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def _line(self, q, unreachable: str) -> str:  # noqa: ANN001 - QueueStatus
        if unreachable:
            return (f"Clinic unreachable — {q.waiting} session{'s' if q.waiting != 1 else ''} "
                    "waiting to publish (retrying).")
        return "Clinic: " + q.sentence()
