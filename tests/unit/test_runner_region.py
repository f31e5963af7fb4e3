"""The runner region (app.pose.region, app.pose.region_pose) on synthetic poses: proposal,
following a moving runner, rejecting a jump to another person, lost and found again,
crop → landmarks back in full-image pixels. No model."""

from __future__ import annotations

import numpy as np
import pytest

from app.capture.demo import SyntheticRunner
from app.pose.region import (
    LOST_AFTER_S, RunnerRegion, body_of, clip_region, same_person,
)
from app.pose.region_pose import RegionPose
from app.types import Frame, PoseSample

W, H = 1920, 1080
RUNNER = SyntheticRunner(cadence_spm=110.0, width=W, height=H, duty_factor=0.62)
FPS = 30.0


def pose(t: float, dx: float = 0.0, dy: float = 0.0, scale: float = 0.6,
         vis: float | None = None) -> np.ndarray:
    """The synthetic runner at time t, scaled about the image centre and shifted (px)."""
    lm = RUNNER.landmarks_at(t).copy()
    lm[:, 0] = (lm[:, 0] - W / 2) * scale + W / 2 + dx
    lm[:, 1] = (lm[:, 1] - H / 2) * scale + H / 2 + dy
    if vis is not None:
        lm[:, 3] = vis
    return lm


def ns(i: int) -> int:
    return int(round(i / FPS * 1e9))


def test_first_confident_pose_proposes_a_region_around_the_runner():
    rr = RunnerRegion(W, H)
    assert rr.crop(0) is None and rr.status().state == "searching"
    assert rr.accept(pose(0.0, vis=0.3), ns(0)) is None  # doubtful: no proposal
    assert rr.status().state == "searching"
    lm = pose(0.1)
    assert rr.accept(lm, ns(3)) is lm
    st = rr.status()
    assert st.state == "following" and st.message == ""
    x, y, w, h = st.region
    b = body_of(lm)
    assert x <= b.box[0] and y <= b.box[1] and x + w >= b.box[2] and y + h >= b.box[3]
    assert w < W  # the region is smaller than the picture: the crop is real
    assert rr.crop(ns(4)) is not None


def test_a_walker_crossing_the_picture_is_followed():
    rr = RunnerRegion(W, H)
    for i in range(150):  # 8 px per frame to the left: 240 px/s
        lm = pose(i / FPS, dx=500 - 8 * i)
        rr.crop(ns(i))
        assert rr.accept(lm, ns(i)) is lm, i
    x, y, w, h = rr.status().region
    hip = body_of(lm).hip
    assert x < hip[0] < x + w and y < hip[1] < y + h


@pytest.mark.parametrize("dx, scale", [(600.0, 0.6), (0.0, 0.3), (0.0, 1.2)])
def test_a_pose_that_jumps_to_another_person_is_rejected_and_masked(dx, scale):
    rr = RunnerRegion(W, H)
    for i in range(20):
        rr.crop(ns(i))
        rr.accept(pose(i / FPS), ns(i))
    other = pose(20 / FPS, dx=dx, scale=scale)
    rr.crop(ns(20))
    assert rr.accept(other, ns(20)) is None
    st = rr.status()
    assert st.rejected == 1 and st.state == "following"
    (box, until), = rr.masks
    ob = body_of(other)
    assert box[0] <= ob.box[0] and box[2] >= ob.box[2]  # the intruder is masked out
    assert until > ns(20)
    # the runner itself, next frame, is still accepted
    rr.crop(ns(21))
    lm = pose(21 / FPS)
    assert rr.accept(lm, ns(21)) is lm


def test_lost_after_half_a_second_and_found_again_inside_the_region():
    rr = RunnerRegion(W, H)
    for i in range(10):
        rr.crop(ns(i))
        rr.accept(pose(i / FPS), ns(i))
    n_lost = int(LOST_AFTER_S * FPS) + 2
    for i in range(10, 10 + n_lost):
        rr.crop(ns(i))
        rr.accept(None, ns(i))
    st = rr.status()
    assert st.state == "lost" and st.lost_s <= 1.0
    assert st.message.startswith("Runner lost")
    i = 10 + n_lost
    rr.crop(ns(i))
    lm = pose(i / FPS, dx=30)
    assert rr.accept(lm, ns(i)) is lm
    assert rr.status().state == "following"


def test_user_region_is_kept_inside_the_picture_and_only_its_people_count():
    rr = RunnerRegion(W, H, region=(1700.0, 600.0, 600.0, 600.0))
    assert rr.region == clip_region((1700.0, 600.0, 600.0, 600.0), W, H) == (1320.0, 480.0, 600.0, 600.0)
    assert rr.crop(0) == (1320, 480, 1920, 1080)
    assert rr.status().message.startswith("Looking for the runner")
    rr.set_region(None)
    assert rr.crop(ns(1)) is None and not rr.user_region


def test_same_person():
    a = pose(0.2)
    assert same_person(a, a.copy())
    assert same_person(None, None)
    assert not same_person(a, None)
    assert not same_person(a, pose(0.2, dx=400))


class _CropEcho:
    """A fake model: a fixed pose placed at the crop's top-left + offset, in crop px."""

    def __init__(self, body: np.ndarray):
        self.body = body
        self.images: list[np.ndarray] = []
        self.closed = False

    def process(self, frame: Frame) -> PoseSample:
        self.images.append(frame.image)
        return PoseSample(frame.index, frame.t_ns, self.body.copy(), frame.width, frame.height)

    def close(self) -> None:
        self.closed = True


def test_region_pose_crops_and_maps_landmarks_back_to_the_full_image():
    body = pose(0.0, dx=-W / 2 + 300, dy=-H / 2 + 300, scale=0.5)  # near the crop origin
    est = _CropEcho(body)
    rp = RegionPose((1000.0, 200.0, 700.0, 700.0), estimator=est)
    img = np.zeros((H, W, 3), np.uint8)
    img[200:900, 1000:1700] = 7
    s = rp.process(Frame(0, 0, img))
    assert est.images[0].shape == (700, 700, 3) and (est.images[0] == 7).all()
    assert s.width == W and s.height == H
    assert np.allclose(s.landmarks[:, 0], body[:, 0] + 1000)
    assert np.allclose(s.landmarks[:, 1], body[:, 1] + 200)
    assert not s.landmarks.flags.writeable
    # an intruder far away is rejected; its box is greyed out of the next crop
    est.body = pose(0.0, dx=-W / 2 + 300, dy=-H / 2 + 300, scale=0.5)
    est.body[:, 0] += 380  # 380 px to the right: another person
    assert rp.process(Frame(1, ns(1), img)).landmarks is None
    assert rp.status().rejected == 1
    rp.process(Frame(2, ns(2), img))
    assert (est.images[-1] == 114).any()
    rp.set_region(None)  # from any thread; applied at the next frame
    rp.process(Frame(3, ns(3), img))
    assert rp.tracker.user_region is False
    rp.close()
    assert est.closed


def test_offline_search_is_needed_without_gait_or_with_a_person_seen_briefly():
    from types import SimpleNamespace as NS

    from app.pose.runner_search import needs_search

    assert needs_search(NS(has_gait=False, n_person_samples=300, n_samples=300))
    assert needs_search(NS(has_gait=True, n_person_samples=100, n_samples=300))
    assert not needs_search(NS(has_gait=True, n_person_samples=290, n_samples=300))


def test_lost_stretches_become_warnings():
    import dataclasses

    from app.pose.runner_search import lost_intervals, with_lost_warnings

    lm = pose(0.0)
    present = [None] * 10 + [lm] * 50 + [None] * 40 + [lm] * 30 + [None] * 45
    samples = [PoseSample(i, ns(i), p, W, H) for i, p in enumerate(present)]
    # before the runner was first seen is not "lost"; 20 frames (< 1 s) would not count
    assert lost_intervals(samples) == [
        pytest.approx((60 / FPS, 100 / FPS, False)), pytest.approx((130 / FPS, 174 / FPS, True))]

    @dataclasses.dataclass(frozen=True)
    class R:
        warnings: tuple = ("x",)

    out = with_lost_warnings(R(), samples)
    assert out.warnings[0] == "x"
    assert out.warnings[1] == ("the runner was lost (out of view, or hidden) from 2.0 to 3.3 s, "
                               "from 4.3 s to the end")
    assert with_lost_warnings(R(), samples[:60]).warnings == ("x",)
