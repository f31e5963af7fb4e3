"""Crash-safe session video: H.264 in Matroska while recording, remuxed to MP4 after.

Why this shape (figures from tests/benchmarks/bench_recording.py, 2-core machine):

* **libx264, preset ultrafast, tune zerolatency** (constrained baseline, plays in every
  common player): ~4 ms per 720p frame on one thread, plus 0.7 ms for RGB→I420 with
  OpenCV (swscale's rgb24→yuv420p takes 6 ms). zerolatency means no frame is held inside
  the encoder, so every packet leaves the encoder with its frame.
* **Matroska** with a cluster every ``cluster_ms`` (250 ms) and ``flush_packets``: the
  muxer writes each finished cluster to the file at once, so a SIGKILL loses at most the
  open cluster. A keyframe every ``keyframe_s`` (1 s, forced by time, not by frame count,
  because the pose worker may process fewer frames than the camera gives).
* Timestamps are milliseconds from the first recorded frame (variable frame rate: the
  video keeps real time even when frames were dropped before the recorder).
* :func:`remux_to_mp4` copies the packets (no re-encode) into ``.mp4`` with
  ``+faststart``; it tolerates a file cut off by a crash (keeps what demuxes).

Heavy imports (``av``, ``cv2``) happen inside the functions. One thread owns a writer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from app.atomic import atomic_path

#: Encoder settings (the figures above); changeable for tests/benchmarks.
CODEC = "libx264"
X264_OPTIONS = {"preset": "ultrafast", "tune": "zerolatency", "crf": "23", "forced-idr": "1"}
KEYFRAME_S = 1.0
CLUSTER_MS = 250
_MS = Fraction(1, 1000)


class MkvWriter:
    """Encode RGB frames to an H.264 Matroska file, flushed cluster by cluster.

    ``write(image, t_ms)``: ``image`` RGB uint8 (H, W, 3) of the size given at creation
    (odd sizes are cropped by one pixel: 4:2:0 needs even sizes); ``t_ms`` milliseconds
    from the first frame, strictly increasing (a repeated millisecond is moved on by 1).
    Raises ``OSError`` (``av.error.OSError`` is one) when the file cannot be written.
    Not thread-safe: the recorder thread creates, uses and closes it.
    """

    def __init__(self, path: str | os.PathLike[str], width: int, height: int, fps: float,
                 *, keyframe_s: float = KEYFRAME_S, cluster_ms: int = CLUSTER_MS,
                 codec: str = CODEC, options: dict[str, str] | None = None) -> None:
        import av

        self.path = Path(path)
        self.width, self.height = int(width) // 2 * 2, int(height) // 2 * 2
        self.keyframe_ms = int(keyframe_s * 1000)
        self.frames = 0
        self.last_ms: int | None = None
        self._last_key_ms: int | None = None
        self._out = av.open(str(self.path), "w", format="matroska", container_options={
            "cluster_time_limit": str(int(cluster_ms)), "flush_packets": "1"})
        try:
            st = self._out.add_stream(codec, rate=Fraction(fps).limit_denominator(1001),
                                      options=dict(X264_OPTIONS if options is None else options))
            st.width, st.height, st.pix_fmt = self.width, self.height, "yuv420p"
            st.time_base = _MS
            cc = st.codec_context
            cc.time_base = _MS
            cc.gop_size = max(1, int(round(fps * keyframe_s)) * 4)  # forced by time below
            cc.thread_count = 1
            # OpenCV's RGB→I420 is BT.601, limited range: say so, or HD players assume BT.709
            cc.colorspace = 5    # AVCOL_SPC_BT470BG (= BT.601)
            cc.color_range = 1   # AVCOL_RANGE_MPEG (limited)
            self._stream = st
        except BaseException:
            self._out.close()
            raise

    def write(self, image: np.ndarray, t_ms: int) -> None:
        """Encode one frame at ``t_ms`` and mux what the encoder gives back."""
        import av
        import cv2

        img = image
        if img.shape[0] != self.height or img.shape[1] != self.width:
            if img.shape[0] >= self.height and img.shape[1] >= self.width and \
                    img.shape[0] - self.height <= 1 and img.shape[1] - self.width <= 1:
                img = img[: self.height, : self.width]
            else:  # the source changed size mid-recording: keep the stream's size
                img = cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)
        yuv = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        t_ms = int(t_ms)
        if self.last_ms is not None and t_ms <= self.last_ms:
            t_ms = self.last_ms + 1
        frame.pts = t_ms
        frame.time_base = _MS
        if self._last_key_ms is None or t_ms - self._last_key_ms >= self.keyframe_ms:
            frame.pict_type = av.video.frame.PictureType.I
            self._last_key_ms = t_ms
        for pkt in self._stream.encode(frame):
            self._out.mux(pkt)
        self.last_ms = t_ms
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder and close the file (writes the index). Safe to call twice."""
        out, self._out = self._out, None
        if out is None:
            return
        try:
            for pkt in self._stream.encode(None):
                out.mux(pkt)
        finally:
            out.close()

    def abandon(self) -> None:
        """Close without flushing after a write error (ignores further errors)."""
        out, self._out = self._out, None
        if out is not None:
            try:
                out.close()
            except Exception:  # noqa: BLE001 - the file is already broken; keep the first error
                pass


@dataclass(frozen=True, slots=True)
class RemuxResult:
    """``frames`` video packets copied; ``duration_s`` from the first to the last frame
    plus one frame; ``truncated`` True when the source ended in a damaged part."""

    path: Path
    frames: int
    duration_s: float
    truncated: bool


def remux_to_mp4(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> RemuxResult:
    """Copy the video packets of ``src`` (Matroska) into ``dest`` (MP4, ``+faststart``),
    without re-encoding. A file cut off by a crash is copied up to its last readable packet.
    ``dest`` appears only when complete (temp file + rename). Raises ``ValueError`` when
    ``src`` has no readable video packet, ``OSError``/``av.error.FFmpegError`` otherwise."""
    import av

    src, dest = Path(src), Path(dest)
    frames, truncated = 0, False
    first = last = None
    step = None
    with atomic_path(dest) as tmp:
        with av.open(str(src)) as inp:
            if not inp.streams.video:
                raise ValueError(f"{src.name} has no video stream")
            ist = inp.streams.video[0]
            with av.open(str(tmp), "w", format="mp4",
                         container_options={"movflags": "+faststart"}) as out:
                ost = out.add_stream_from_template(ist)
                try:
                    for pkt in inp.demux(ist):
                        if pkt.dts is None or pkt.size == 0:
                            continue
                        t = float(pkt.pts * pkt.time_base) if pkt.pts is not None else None
                        if t is not None:
                            if last is not None and t > last:
                                step = t - last
                            first = t if first is None else min(first, t)
                            last = t if last is None else max(last, t)
                        pkt.stream = ost
                        out.mux(pkt)
                        frames += 1
                except (av.error.FFmpegError, EOFError):
                    truncated = True
                if frames == 0:
                    raise ValueError(f"{src.name} holds no readable video frame")
    duration = 0.0 if first is None else (last - first) + (step or 0.0)
    return RemuxResult(dest, frames, duration, truncated)
