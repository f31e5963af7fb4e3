"""Hand-made session folders for store tests (docs/SESSION_FORMAT.md): a real
``session.json``, a landmark file written by the app's writer and a small real video."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np

from app.pose.landmark_file import LandmarkMeta, write_landmark_file
from app.types import N_LANDMARKS, PoseSample, View

W, H, FPS = 160, 120, 30


def write_video(path: Path, n_frames: int = 15) -> Path:
    """A tiny H.264 (or MPEG-4 if H.264 is missing) video with a moving bar, via PyAV."""
    import av

    with av.open(str(path), "w") as out:
        try:
            stream = out.add_stream("libx264", rate=FPS)
        except Exception:  # noqa: BLE001 - FFmpeg build without libx264
            stream = out.add_stream("mpeg4", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        for i in range(n_frames):
            img = np.zeros((H, W, 3), np.uint8)
            img[:, (i * 7) % W: (i * 7) % W + 10] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_landmarks(path: Path, n_frames: int = 15) -> Path:
    rng = np.random.default_rng(0)
    samples = []
    for i in range(n_frames):
        lm = np.zeros((N_LANDMARKS, 4), np.float32)
        lm[:, 0] = rng.uniform(0, W, N_LANDMARKS)
        lm[:, 1] = rng.uniform(0, H, N_LANDMARKS)
        lm[:, 3] = 0.9
        samples.append(PoseSample(i, round(i * 1e9 / FPS), lm, W, H))
    meta = LandmarkMeta(W, H, float(FPS), View.SIDE, None, "camera:0")
    return write_landmark_file(path, meta, samples)


def make_session_folder(root: Path, session_id: str, *, started_utc: str,
                        cadence_spm: float | None = 170.0, overstride: float | None = 8.0,
                        state: str = "complete", duration_s: float | None = 0.5,
                        video: bool = True, blocks: list[tuple[float, str, str]] | None = None,
                        extra: dict | None = None) -> Path:
    """Write ``root/session_id`` with session.json, landmarks.csv, video.mp4 (if
    ``video``) and blocks.csv (if ``blocks``: (t_start_s, kind, name) rows)."""
    folder = root / session_id
    folder.mkdir(parents=True)
    # the shape app/session/summary.py writes
    summary: dict = {"cadence_spm": cadence_spm, "n_steps": 10, "metrics": {"contact_ms": 240.0}}
    if overstride is not None:
        summary["metrics"]["overstride_pct_leg"] = overstride
    doc = {
        "format": 1, "id": session_id, "state": state, "started_utc": started_utc,
        "ended_utc": None, "duration_s": duration_s, "source": "camera:0",
        "view": "side", "facing": "left", "fps": float(FPS), "width": W, "height": H,
        "video": "video.mp4", "frames": 15, "runner_id": None, "template": None,
        "summary": summary,
    }
    doc.update(extra or {})
    (folder / "session.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    write_landmarks(folder / "landmarks.csv")
    if video:
        write_video(folder / "video.mp4")
    if blocks:
        lines = ["t_start_s,kind,name"] + [f"{t},{k},{n}" for t, k, n in blocks]
        (folder / "blocks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
