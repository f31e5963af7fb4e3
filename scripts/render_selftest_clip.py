"""Render the self-test clip ``assets/selftest/selftest_run.mp4`` and its truth
``selftest_run.json`` from the app's own synthetic demo runner (app/capture/demo.py).

The demo window draws a simple stick figure that MediaPipe's person detector does not take
for a person, so this script draws the same runner (same landmarks, same gait model, same
known events) as a flat-shaded person: limbs as tapered capsules, clothes, shoes, and a head
with hair, eye, ear and mouth. Made by this project; MIT licence like the rest of GaitCoach.

    .venv/bin/python scripts/render_selftest_clip.py [--seconds 6] [--out assets/selftest]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.capture.demo import SyntheticRunner  # noqa: E402
from app.types import LM  # noqa: E402

SKIN, SHIRT, SHORTS = (205, 160, 130), (200, 60, 50), (40, 45, 60)
SHOE, HAIR = (240, 240, 240), (50, 35, 25)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def capsule(img: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float, rb: float,
            color: tuple[int, int, int]) -> None:
    """A limb: round ends of radius ra at a and rb at b (px), joined by a tapered band."""
    import cv2

    a, b = np.asarray(a, float), np.asarray(b, float)
    d = b - a
    n = float(np.hypot(*d))
    if n > 1e-6:
        p = np.array([-d[1], d[0]]) / n
        poly = np.array([a + p * ra, b + p * rb, b - p * rb, a - p * ra]).round().astype(np.int32)
        cv2.fillConvexPoly(img, poly, color, cv2.LINE_AA)
    cv2.circle(img, _pt(a), int(ra), color, -1, cv2.LINE_AA)
    cv2.circle(img, _pt(b), int(rb), color, -1, cv2.LINE_AA)


def background(r: SyntheticRunner) -> np.ndarray:
    """A lit wall, the floor, the treadmill deck and its front upright (RGB)."""
    import cv2

    w, h = r.width, r.height
    ramp = np.linspace(150, 200, h)[:, None, None]
    img = (np.ones((h, w, 3)) * ramp * np.array([0.95, 0.92, 0.85])).astype(np.uint8)
    by = int(r.belt_y)
    img[by:] = (60, 60, 64)
    x0, x1 = int(r.cx - 0.95 * r.scale), int(r.cx + 0.95 * r.scale)
    cv2.rectangle(img, (x0, by), (x1, min(h - 1, by + int(0.06 * r.scale))), (30, 30, 34), -1)
    cv2.line(img, (x0, by), (x0 - int(0.15 * r.scale), int(by - 1.1 * r.scale)), (120, 120, 130), 8)
    return img


def _dim(color: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return tuple(int(v * k) for v in color)  # type: ignore[return-value]


def _limbs(img: np.ndarray, P, side: str, s: float, k: float, legs: bool, arms: bool) -> None:
    if legs:
        capsule(img, P(f"{side}_hip"), P(f"{side}_knee"), 0.085 * s, 0.06 * s, _dim(SHORTS, k))
        capsule(img, P(f"{side}_knee"), P(f"{side}_ankle"), 0.055 * s, 0.035 * s, _dim(SKIN, k))
        capsule(img, P(f"{side}_ankle"), P(f"{side}_heel"), 0.035 * s, 0.035 * s, _dim(SHOE, k))
        capsule(img, P(f"{side}_heel"), P(f"{side}_foot_index"), 0.035 * s, 0.03 * s, _dim(SHOE, k))
    if arms:
        capsule(img, P(f"{side}_shoulder"), P(f"{side}_elbow"), 0.045 * s, 0.038 * s, _dim(SHIRT, k))
        capsule(img, P(f"{side}_elbow"), P(f"{side}_wrist"), 0.035 * s, 0.028 * s, _dim(SKIN, k))


def render(r: SyntheticRunner, t_s: float, bg: np.ndarray) -> np.ndarray:
    """One RGB frame of the runner at model time ``t_s`` (side view)."""
    import cv2

    img = bg.copy()
    lm = r.landmarks_at(t_s)
    s = r.scale

    def P(name: str) -> np.ndarray:
        return lm[LM[name], :2].astype(float)

    near, far = ("left", "right") if lm[LM["left_hip"], 2] < lm[LM["right_hip"], 2] else ("right", "left")
    _limbs(img, P, far, s, 0.75, legs=True, arms=True)
    sh = (P("left_shoulder") + P("right_shoulder")) / 2
    hp = (P("left_hip") + P("right_hip")) / 2
    capsule(img, hp, sh, 0.13 * s, 0.12 * s, SHIRT)
    capsule(img, hp, hp + (sh - hp) * 0.2, 0.13 * s, 0.13 * s, SHORTS)
    _limbs(img, P, near, s, 1.0, legs=True, arms=False)
    ear, nose = P(f"{near}_ear"), P("nose")
    centre = ear * 0.55 + nose * 0.45
    capsule(img, sh, centre + (0, 0.06 * s), 0.05 * s, 0.045 * s, SKIN)
    cv2.ellipse(img, _pt(centre), (int(0.1 * s), int(0.12 * s)), 0, 0, 360, SKIN, -1, cv2.LINE_AA)
    back = 390 if nose[0] < ear[0] else 330
    cv2.ellipse(img, _pt(centre - (0, 0.02 * s)), (int(0.105 * s), int(0.11 * s)), 0, 150, back,
                HAIR, -1, cv2.LINE_AA)
    cv2.circle(img, _pt(nose), int(0.022 * s), SKIN, -1, cv2.LINE_AA)
    cv2.circle(img, _pt(P(f"{near}_eye")), max(2, int(0.012 * s)), (30, 30, 30), -1, cv2.LINE_AA)
    cv2.ellipse(img, _pt(ear), (int(0.02 * s), int(0.03 * s)), 0, 0, 360, _dim(SKIN, 0.85), -1,
                cv2.LINE_AA)
    mouth = P(f"mouth_{near}")
    toward_face = -0.02 * s * np.sign(ear[0] - nose[0])
    cv2.line(img, _pt(mouth), _pt(mouth + (toward_face, 0)), (120, 60, 60), 2, cv2.LINE_AA)
    _limbs(img, P, near, s, 1.0, legs=False, arms=True)
    cv2.circle(img, _pt(P(f"{near}_wrist")), int(0.035 * s), SKIN, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(img, (3, 3), 0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--cadence", type=float, default=170.0)
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--out", type=Path, default=REPO / "assets" / "selftest")
    args = ap.parse_args()
    import av

    w, h = (int(v) for v in args.size.split("x"))
    fps = 30
    r = SyntheticRunner(cadence_spm=args.cadence, width=w, height=h)
    bg = background(r)
    args.out.mkdir(parents=True, exist_ok=True)
    video = args.out / "selftest_run.mp4"
    n = int(round(args.seconds * fps))
    with av.open(str(video), "w") as c:
        st = c.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.options = {"crf": "23", "preset": "slow"}
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(render(r, i / fps, bg)), format="rgb24")
            for pkt in st.encode(frame):
                c.mux(pkt)
        for pkt in st.encode():
            c.mux(pkt)
    events = [{"kind": k, "foot": f, "t_s": round(t, 4), "frame": int(round(t * fps))}
              for k, f, t in r.true_events(0.0, (n - 1) / fps)]
    truth = {
        "clip": video.name, "made_by": "scripts/render_selftest_clip.py (synthetic demo runner)",
        "licence": "MIT (made by the GaitCoach project)", "fps": fps, "n_frames": n,
        "width": w, "height": h, "view": "side", "facing": "left",
        "cadence_spm": args.cadence, "duty_factor": r.duty_factor, "events": events,
    }
    (args.out / "selftest_run.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"wrote {video} ({video.stat().st_size / 1024:.0f} KiB, {n} frames) and selftest_run.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
