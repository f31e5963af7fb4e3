"""Event matching against ground truth: hand-made lists, including edge cases."""

from __future__ import annotations

import math

import pytest

from app.types import EventKind, Foot
from tests.helpers.event_matching import (
    contact_times_from_events,
    match_events,
    norm_foot,
    norm_kind,
)

TRUTH = [
    ("IC", "left", 1.00),
    ("TO", "left", 1.60),
    ("IC", "right", 1.50),
    ("TO", "right", 2.10),
    ("IC", "left", 2.00),
]


def test_perfect_detection():
    r = match_events(TRUTH, TRUTH, tolerance_s=0.05)
    assert r.recall == 1.0
    assert r.n_false_positives == 0
    assert r.median_abs_error_s == 0.0
    assert r.mean_signed_error_s == 0.0
    assert r.n_truth == 5 and r.n_detected == 5


def test_errors_bias_and_frames():
    det = [
        ("IC", "left", 1.02),   # +20 ms
        ("TO", "left", 1.57),   # -30 ms
        ("IC", "right", 1.51),  # +10 ms
        ("TO", "right", 2.14),  # +40 ms
        ("IC", "left", 2.00),   # 0
    ]
    r = match_events(TRUTH, det, tolerance_s=0.1)
    assert r.recall == 1.0
    assert r.median_abs_error_s == pytest.approx(0.02)
    assert r.median_abs_error_frames(100.0) == pytest.approx(2.0)
    assert r.mean_signed_error_s == pytest.approx((0.02 - 0.03 + 0.01 + 0.04 + 0.0) / 5)
    assert r.max_abs_error_s == pytest.approx(0.04)
    ic = r.subset(kind="IC")
    assert ic.n_truth == 3
    assert ic.median_abs_error_s == pytest.approx(0.01)
    to_right = r.subset(kind=EventKind.TO, foot=Foot.RIGHT)
    assert to_right.errors_s == [pytest.approx(0.04)]


def test_no_detections():
    r = match_events(TRUTH, [], tolerance_s=0.05)
    assert r.recall == 0.0
    assert r.median_abs_error_s is None
    assert r.mean_signed_error_s is None
    assert r.median_abs_error_frames(30.0) is None
    assert len(r.missed) == 5
    assert r.n_false_positives == 0


def test_no_truth():
    r = match_events([], [("IC", "left", 1.0)], tolerance_s=0.05)
    assert r.recall is None
    assert r.n_false_positives == 1


def test_wrong_foot_or_kind_is_not_matched():
    r = match_events([("IC", "left", 1.0)], [("IC", "right", 1.0), ("TO", "left", 1.0)], 0.05)
    assert r.recall == 0.0
    assert r.n_false_positives == 2


def test_duplicates_one_to_one():
    # Two detections for one truth event: the closer one matches, the other is a FP.
    r = match_events([("IC", "left", 1.0)], [("IC", "left", 1.03), ("IC", "left", 0.99)], 0.05)
    assert r.recall == 1.0
    assert r.errors_s == [pytest.approx(-0.01)]
    assert r.false_positives == (("IC", "left", 1.03),)
    # Duplicated truth and a single detection: one truth stays missed.
    r2 = match_events([("IC", "left", 1.0), ("IC", "left", 1.0)], [("IC", "left", 1.0)], 0.05)
    assert len(r2.matched) == 1 and len(r2.missed) == 1


def test_greedy_smallest_dt_first():
    # Detection at 1.04 is 0.04 from truth 1.0 and 0.01 from truth 1.05: it goes to 1.05,
    # and truth 1.0 then takes detection 0.97 (0.03).
    truth = [("IC", "left", 1.0), ("IC", "left", 1.05)]
    det = [("IC", "left", 1.04), ("IC", "left", 0.97)]
    r = match_events(truth, det, 0.05)
    pairs = sorted((m.truth_t_s, m.detected_t_s) for m in r.matched)
    assert pairs == [(1.0, 0.97), (1.05, 1.04)]


def test_tolerance_boundary_and_outside():
    r = match_events([("TO", "right", 2.0)], [("TO", "right", 2.05)], 0.05)
    assert r.recall == 1.0
    r = match_events([("TO", "right", 2.0)], [("TO", "right", 2.0501)], 0.05)
    assert r.recall == 0.0 and r.n_false_positives == 1


def test_events_outside_window_are_ignored():
    det = [("IC", "left", -0.5), ("IC", "left", 1.0), ("IC", "left", 99.0)]
    r = match_events([("IC", "left", 1.0)], det, 0.05, window_s=(0.0, 12.0))
    assert r.recall == 1.0
    assert r.n_false_positives == 0
    assert len(r.ignored) == 2
    # Without a window they are false positives.
    r = match_events([("IC", "left", 1.0)], det, 0.05)
    assert r.n_false_positives == 2


def test_nan_detection_ignored_and_bad_tolerance():
    r = match_events([("IC", "left", 1.0)], [("IC", "left", math.nan)], 0.05)
    assert r.recall == 0.0 and len(r.ignored) == 1
    with pytest.raises(ValueError):
        match_events([], [], -1.0)


def test_enum_and_alias_normalisation():
    assert norm_kind(EventKind.IC) == "IC"
    assert norm_kind("foot_strike") == "IC"
    assert norm_kind("Foot Off") == "TO"
    assert norm_foot(Foot.RIGHT) == "right"
    assert norm_foot("L") == "left"
    with pytest.raises(ValueError):
        norm_kind("MSW")
    r = match_events([("IC", "left", 1.0)], [(EventKind.IC, Foot.LEFT, 1.0)], 0.01)
    assert r.recall == 1.0


def test_contact_times():
    events = [
        ("TO", "left", 0.2),    # no preceding IC: ignored
        ("IC", "left", 1.0),
        ("IC", "right", 1.5),
        ("TO", "left", 1.6),    # left contact 600 ms
        ("TO", "right", 2.2),   # right contact 700 ms
        ("IC", "left", 2.0),
        ("IC", "left", 3.0),    # previous left IC had no TO: skipped
        ("TO", "left", 3.25),   # 250 ms
        ("IC", "right", 3.5),   # open at the end: ignored
    ]
    ct = contact_times_from_events(events)
    assert ct["left"] == [pytest.approx(600.0), pytest.approx(250.0)]
    assert ct["right"] == [pytest.approx(700.0)]
    assert contact_times_from_events([]) == {"left": [], "right": []}
    ct = contact_times_from_events(events, max_contact_s=0.5)
    assert ct["left"] == [pytest.approx(250.0)] and ct["right"] == []
