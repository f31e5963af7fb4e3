"""Latest-value slot: one writer overwrites, readers get the newest item, drops are counted.

Used between the capture thread and the pose worker (live sources never queue: a FIFO at
60 fps with a 20 ms model grows to seconds of lag) and between the pose worker and the
GUI (the view pulls the newest result on its timer).
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Thread-safe single-item mailbox.

    ``put`` replaces the item; if the previous one was never taken with :meth:`take`, it
    counts as dropped. ``take`` blocks until an item newer than the last one taken arrives
    (or the slot is closed / the timeout passes). ``peek`` returns the newest item without
    consuming it (for displays that may show the same item twice).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._fresh = False
        self._closed = False
        self.puts = 0
        self.dropped = 0
        self.last_put_ns: int | None = None

    def put(self, item: T) -> None:
        """Store ``item`` (any thread, never blocks)."""
        with self._cond:
            if self._fresh:
                self.dropped += 1
            self._item = item
            self._fresh = True
            self.puts += 1
            self.last_put_ns = time.perf_counter_ns()
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item not yet taken; None on timeout or when closed and empty."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._fresh:
                if self._closed:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            self._fresh = False
            return self._item

    def peek(self) -> T | None:
        with self._cond:
            return self._item

    def close(self) -> None:
        """Wake every waiting reader; later ``take`` calls return what is left, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
