"""One decoder thread per clip of the comparison view, with a small cache near the playhead.

The GUI never seeks per frame. It tells each :class:`ClipDecoder` which frame it wants
(:meth:`ClipDecoder.want`, a plain attribute write) and how to render it
(:meth:`ClipDecoder.set_spec`: crop box, display size, overlay on/off), and on its display
timer pulls the frame with :meth:`ClipDecoder.get` (None until it is ready).

The decoder thread owns the PyAV container. It keeps decoding *forward* while frames
from the wanted one up to :data:`AHEAD` frames later are missing, converts only frames in
the window ``[want − BACK, want + AHEAD]`` (crop → resize → overlay via
``app.compare.render`` → BGRA, ready for ``QImage.Format_RGB32``) and evicts the rest. It
seeks only when the wanted frame is behind its position, or when a keyframe lies between
its position and the wanted frame; after a seek the frames decoded on the way to the
wanted one fill the cache behind it, so stepping backwards mostly hits the cache.

Frame numbers are the clip's video frame numbers (presentation order, as the landmark
file counts them): frame ``i`` is the ``i``-th smallest packet pts of the video stream.
"""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.compare.clip import Clip
from app.compare.render import BLANK_RGB, Box

#: Frames kept behind and decoded ahead of the wanted frame.
BACK = 30
AHEAD = 12
#: Decoded full-size frames kept this close to the wanted one, so a new render spec
#: (window resized, overlay toggled) re-renders the paused frame without decoding again.
RAW_KEEP = 2


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """How to render frames: ``crop`` (source px box), ``size`` (w, h) display px, overlay."""

    crop: Box
    size: tuple[int, int]
    overlay: bool = True


@dataclass(frozen=True, slots=True)
class DisplayFrame:
    """A frame ready to paint: ``bgra`` (h, w, 4) uint8 for ``frame`` rendered with ``spec``."""

    frame: int
    bgra: np.ndarray
    spec: RenderSpec


def render_display(clip: Clip, frame: int, rgb: np.ndarray | None, spec: RenderSpec) -> np.ndarray:
    """Crop, resize, draw the overlay (``app.compare.render``) and convert to BGRA."""
    import cv2

    from app.compare.render import draw_overlay, overlay_for

    x0, y0, x1, y1 = spec.crop
    w, h = spec.size
    if rgb is None:
        img = np.empty((h, w, 3), np.uint8)
        img[:] = BLANK_RGB
    else:
        sub = rgb[max(int(round(y0)), 0):int(round(y1)), max(int(round(x0)), 0):int(round(x1))]
        img = cv2.resize(sub, (w, h), interpolation=cv2.INTER_LINEAR)
    if spec.overlay:
        img = draw_overlay(img, overlay_for(clip, frame), w / max(x1 - x0, 1.0), (x0, y0))
    out = cv2.cvtColor(img, cv2.COLOR_RGB2BGRA)
    out.setflags(write=False)
    return out


class ClipDecoder:
    """Decodes one clip on its own thread ``compare-decode:<name>`` (see the module doc).

    GUI-thread API: :meth:`want`, :meth:`set_spec`, :meth:`get`, :meth:`close`.
    ``error`` is a sentence when the video stopped decoding (later frames stay blank).
    """

    def __init__(self, clip: Clip, name: str) -> None:
        self.clip = clip
        self.error: str | None = None
        self.decoded = 0          # frames decoded (statistics)
        self.converted = 0        # frames rendered for display
        self.seeks = 0
        self.spec_changes = 0
        self._want = clip.first_frame
        self._spec: RenderSpec | None = None
        self._cache: dict[int, DisplayFrame] = {}
        self._raw: dict[int, np.ndarray] = {}  # decoded RGB near the playhead (decoder thread)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"compare-decode:{name}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ GUI thread
    def want(self, frame: int) -> None:
        """Ask for ``frame`` (and the frames after it) to be ready soon."""
        frame = int(min(max(frame, self.clip.first_frame), self.clip.last_frame))
        if frame != self._want:
            self._want = frame
            self._wake.set()

    def set_spec(self, spec: RenderSpec) -> None:
        if spec != self._spec:
            self.spec_changes += 1
            self._spec = spec
            self._wake.set()

    def get(self, frame: int) -> DisplayFrame | None:
        """The rendered frame if it is in the cache with the current spec, else None."""
        with self._lock:
            d = self._cache.get(int(frame))
        return d if d is not None and d.spec == self._spec else None

    def close(self, timeout: float = 3.0) -> None:
        """Stop the thread and wait for it (safe to call more than once)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # ------------------------------------------------------------------ decoder thread
    def _run(self) -> None:
        """Decode loop. Runs on the decoder thread, which owns the container."""
        src = None
        try:
            if self.clip.video_path is not None:
                try:
                    src = _Source(self.clip.video_path)
                except Exception as exc:  # noqa: BLE001 - any open failure: show blank frames
                    self.error = f"The video {self.clip.video_path.name} cannot be played ({exc})."
            while not self._stop.is_set():
                if not self._step(src):
                    self._wake.wait(0.05)
                    self._wake.clear()
        finally:
            if src is not None:
                src.close()

    def _step(self, src: "_Source | None") -> bool:
        """Do one unit of work; False when there is nothing to do."""
        want, spec = self._want, self._spec
        if spec is None:
            return False
        lo, hi = want - BACK, min(want + AHEAD, self.clip.last_frame)
        with self._lock:
            for f in [f for f, d in self._cache.items() if not lo <= f <= hi or d.spec != spec]:
                del self._cache[f]
            need = next((f for f in range(want, hi + 1) if f not in self._cache), None)
        if need is None:
            return False
        for f in [f for f in self._raw if abs(f - want) > RAW_KEEP]:
            del self._raw[f]
        if need in self._raw:  # only the render spec changed (resize, overlay on/off)
            self._store(need, self._raw[need], spec)
            return True
        if src is None or self.error is not None:
            self._store(need, None, spec)
            return True
        try:
            got = src.next_towards(need)
        except Exception as exc:  # noqa: BLE001 - a corrupt stretch: blank from here on
            self.error = f"{self.clip.video_path.name} stops decoding at frame {need} ({exc})."
            return True
        self.seeks = src.seeks
        if got is None:  # past the end of the video: blank frames
            self._store(need, None, spec)
            return True
        self.decoded += 1
        idx, vf = got
        want = self._want  # may have moved while decoding: keep what is still wanted
        if want - BACK <= idx <= want + AHEAD and self._spec == spec and self.get(idx) is None:
            rgb = src.rgb(vf)
            if abs(idx - want) <= RAW_KEEP:
                self._raw[idx] = rgb
            self._store(idx, rgb, spec)
        return True

    def _store(self, frame: int, rgb: np.ndarray | None, spec: RenderSpec) -> None:
        bgra = render_display(self.clip, frame, rgb, spec)
        self.converted += 1
        with self._lock:
            self._cache[frame] = DisplayFrame(frame, bgra, spec)


class _Source:
    """A PyAV container positioned somewhere in the stream (decoder thread only)."""

    def __init__(self, path: Path) -> None:
        import av

        from app.capture.video_file import _open_container, _video_stream

        self.path = path
        self._av = av
        self.container = _open_container(path)
        self.stream = _video_stream(self.container, path)
        self.stream.thread_type = "AUTO"
        pts, keys = [], []
        for pkt in self.container.demux(self.stream):
            if pkt.pts is None:
                continue
            pts.append(int(pkt.pts))
            if pkt.is_keyframe:
                keys.append(int(pkt.pts))
        self.pts = sorted(pts)
        self.index_of = {p: i for i, p in enumerate(self.pts)}
        self.key_frames = sorted(self.index_of[p] for p in keys) or [0]
        self.seeks = -1  # the first positioning is not counted
        self._iter = None
        self.pos: int | None = None  # index of the next frame the iterator yields
        self._seek(0)

    def close(self) -> None:
        self._iter = None
        self.container.close()

    def _seek(self, frame: int) -> None:
        self.seeks += 1
        key = self.key_frames[max(bisect.bisect_right(self.key_frames, frame) - 1, 0)]
        if self.pts:
            self.container.seek(self.pts[min(key, len(self.pts) - 1)], stream=self.stream,
                                backward=True, any_frame=False)
        self._iter = self.container.decode(self.stream)
        self.pos = None

    def next_towards(self, need: int):
        """Decode the next frame on the way to ``need`` (seeking first when that is
        shorter); returns (index, av frame) or None at the end of the stream."""
        if self.pos is not None:
            key = self.key_frames[max(bisect.bisect_right(self.key_frames, need) - 1, 0)]
            if need < self.pos or key > self.pos:
                self._seek(need)
        elif self._iter is None:
            self._seek(need)
        for vf in self._iter:
            idx = self.index_of.get(int(vf.pts)) if vf.pts is not None else self.pos
            if idx is None:
                continue
            self.pos = idx + 1
            return idx, vf
        self.pos = len(self.pts)
        return None

    def rgb(self, vf) -> np.ndarray:
        from app.capture.video_file import _rotation_of

        img = vf.to_ndarray(format="rgb24")
        k = _rotation_of(vf) // 90
        return np.rot90(img, k) if k else img


def wait_ready(decoder: ClipDecoder, frame: int, timeout_s: float = 5.0) -> DisplayFrame | None:
    """Block until ``frame`` is rendered (tests, screenshots, benchmarks; not the GUI)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        d = decoder.get(frame)
        if d is not None:
            return d
        time.sleep(0.005)
    return None
