"""Side-by-side MP4 of a comparison, synced by gait events (PyAV, H.264 or MPEG-4).

The output plays the *before* clip at its own speed (× ``speed``) stride by stride; the
*after* clip is time-scaled per stride so both show the same stride phase in every output
frame (initial contacts land on the same output frame). Both halves carry the overlay and
a "Before"/"After" label; each is cropped around the runner. When one clip has fewer
strides they repeat to fill the pairs, and its label says so ("After — repeat 2/2").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from app.compare.report import Comparison, atomic_path

#: progress(done_frames, total_frames)
ProgressFn = Callable[[int, "int | None"], None]
#: Longest export (seconds of output) when not told otherwise.
MAX_OUTPUT_S = 60.0


def frame_plan(cmp: Comparison, fps: float = 30.0, speed: float = 1.0,
               max_s: float = MAX_OUTPUT_S) -> list[tuple[int, int]]:
    """(before frame, after frame) for each output frame.

    Pair ``k`` of the sync gets ``round(before stride duration × fps / speed)`` output
    frames at phases ``j / n``; each clip shows its video frame nearest to its time at that
    phase. Stops after ``max_s`` seconds of output.
    """
    return [(fa, fb) for fa, fb, _k in _plan(cmp, fps, speed, max_s)]


def _plan(cmp: Comparison, fps: float, speed: float, max_s: float) -> list[tuple[int, int, int]]:
    """:func:`frame_plan` with the stride pair ``k`` of each output frame."""
    a, b = cmp.before, cmp.after
    plan: list[tuple[int, int, int]] = []
    limit = int(max_s * fps)
    for pr in cmp.sync.pairs:
        n = max(1, int(round(pr.a.duration_s * fps / speed)))
        for j in range(n):
            p = j / n
            plan.append((a.frame_at(pr.a.time_at(p)), b.frame_at(pr.b.time_at(p)), pr.k))
        if len(plan) >= limit:
            return plan[:limit]
    return plan


def half_label(cmp: Comparison, side: int, k: int) -> str:
    """'Before' / 'After', with ' — repeat 2/2' on the clip whose strides repeat, from its
    second showing on."""
    label = ("Before", "After")[side]
    rep = cmp.sync.repeat_of(k)
    if rep is not None and cmp.sync.repeated == label.lower() and rep[0] > 1:
        label += f" — repeat {rep[0]}/{rep[1]}"
    return label


def _encoder(av) -> str:
    """libx264 when this PyAV build has it, else MPEG-4 part 2."""
    try:
        av.codec.Codec("libx264", "w")
        return "libx264"
    except Exception:  # noqa: BLE001 - any lookup failure means: not available
        return "mpeg4"


def write_side_by_side(cmp: Comparison, dest: str | os.PathLike[str], *, fps: float = 30.0,
                       speed: float = 1.0, max_height: int = 720, max_s: float = MAX_OUTPUT_S,
                       progress: ProgressFn | None = None) -> Path:
    """Encode the synced side-by-side video to ``dest`` (MP4, written atomically).

    Each half is at most ``max_height`` pixels tall (never upscaled). Returns ``dest``.
    """
    import av

    from app.compare.render import draw_texts, fit_size, read_frames, render_frame, runner_boxes

    plan = _plan(cmp, fps, speed, max_s)
    clips = (cmp.before, cmp.after)
    boxes = runner_boxes(list(clips))
    h = min(max_height, *(int(bx[3] - bx[1]) for bx in boxes))
    sizes = [fit_size(bx, 10_000, h) for bx in boxes]
    h = min(s[1] for s in sizes)
    sizes = [(max(2, int(round(s[0] * h / s[1])) // 2 * 2), h) for s in sizes]
    width = sizes[0][0] + sizes[1][0]
    frames = []
    for i, (clip, box, size) in enumerate(zip(clips, boxes, sizes)):
        wanted = {p[i] for p in plan}
        frames.append(read_frames(clip.video_path, wanted, size, box) if clip.video_path else {})
    cache: dict[tuple[int, int, str], np.ndarray] = {}
    with atomic_path(dest) as tmp:
        container = av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            codec = _encoder(av)
            stream = container.add_stream(codec, rate=int(round(fps)))
            stream.width, stream.height, stream.pix_fmt = width, h, "yuv420p"
            if codec == "libx264":
                stream.options = {"crf": "22", "preset": "veryfast"}
            else:
                stream.bit_rate = 4_000_000
            for n, pair in enumerate(plan):
                halves = []
                for i, (clip, box, size) in enumerate(zip(clips, boxes, sizes)):
                    label = half_label(cmp, i, pair[2])
                    key = (i, pair[i], label)
                    img = cache.get(key)
                    if img is None:
                        img = render_frame(clip, pair[i], frames[i].get(pair[i]), size, crop=box)
                        img = draw_texts(img, [((0.04 * size[0], 0.025 * h), label, "#ffffff")],
                                         size_px=max(14, int(h * 0.05)), box=True)
                        cache = {k: v for k, v in cache.items() if k[0] != i}
                        cache[key] = img
                    halves.append(img)
                vf = av.VideoFrame.from_ndarray(np.hstack(halves), format="rgb24")
                for packet in stream.encode(vf):
                    container.mux(packet)
                if progress is not None:
                    progress(n + 1, len(plan))
            for packet in stream.encode():
                container.mux(packet)
        finally:
            container.close()
    return Path(dest)
