"""When the second view goes to half rate and back (app.pose.multiview.HalfRatePolicy)."""

from __future__ import annotations

from app.pose.multiview import (
    DEGRADE_CHECKS, FAILED_TRY_S, RESTORE_AFTER_MAX_S, RESTORE_AFTER_S, HalfRatePolicy,
)


class _Run:
    """Drives the policy once a second like the monitor thread."""

    def __init__(self) -> None:
        self.p, self.t, self.div = HalfRatePolicy(), 0.0, 1
        self.halved_at: list[float] = []
        self.restored_at: list[float] = []

    def seconds(self, n: int, bad: bool) -> None:
        for _ in range(n):
            self.t += 1.0
            change = self.p.check(bad, self.t, self.div)
            if change == 2:
                self.halved_at.append(self.t)
            elif change == 1:
                self.restored_at.append(self.t)
            if change:
                self.div = change


def test_half_rate_after_consecutive_bad_checks_only():
    r = _Run()
    r.seconds(DEGRADE_CHECKS - 1, bad=True)
    r.seconds(1, bad=False)  # one good second resets the count
    r.seconds(DEGRADE_CHECKS - 1, bad=True)
    assert r.div == 1
    r.seconds(1, bad=True)
    assert r.div == 2 and r.p.wait_s == RESTORE_AFTER_S


def test_full_rate_again_after_the_wait_and_doubling_only_after_a_failed_try():
    r = _Run()
    r.seconds(DEGRADE_CHECKS, bad=True)
    r.seconds(int(RESTORE_AFTER_S) - 1, bad=False)
    assert r.div == 2
    r.seconds(1, bad=False)
    assert r.div == 1
    # overloaded again right away: that try failed, so the next wait is twice as long
    r.seconds(DEGRADE_CHECKS, bad=True)
    assert r.div == 2 and r.p.wait_s == 2 * RESTORE_AFTER_S
    r.seconds(int(2 * RESTORE_AFTER_S), bad=False)
    assert r.div == 1
    # full rate holds for longer than a failed try: a later overload starts over
    r.seconds(int(FAILED_TRY_S) + 5, bad=False)
    r.seconds(DEGRADE_CHECKS, bad=True)
    assert r.div == 2 and r.p.wait_s == RESTORE_AFTER_S


def test_the_wait_is_capped():
    r = _Run()
    for _ in range(10):  # every try fails at once
        r.seconds(DEGRADE_CHECKS, bad=True)
        r.seconds(int(r.p.wait_s), bad=False)
        assert r.div == 1
    assert r.p.wait_s == RESTORE_AFTER_MAX_S


def test_a_bad_second_at_half_rate_holds_it_there():
    r = _Run()
    r.seconds(DEGRADE_CHECKS, bad=True)
    r.seconds(int(RESTORE_AFTER_S) + 10, bad=True)  # still dropping at half rate
    assert r.div == 2 and not r.restored_at
