"""Live frame sources and the capture thread.

A live source delivers :class:`Captured` frames at its own pace (``grab`` blocks until the
next frame): a camera, the demo runner, or a video file played at its own frame rate as if
it were live. The :class:`CaptureThread` writes them into a :class:`LatestSlot` (newest
frame wins, drops are counted), reconnects lost cameras with back-off and closes the slot
when a finite source ends.

Times: ``grab_t_ns`` is ``time.perf_counter_ns()`` when the frame became available; the
latency figures are measured from it. ``frame.t_ns`` is on the same clock (for files:
playback start + the frame's time in the file, so gait timing follows the file exactly).
"""

from __future__ import annotations

import collections
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np

from app.capture.frames import Captured, DisplayImage
from app.capture.slot import LatestSlot
from app.errors import InputFileError, UserError
from app.types import Frame

if TYPE_CHECKING:  # pragma: no cover
    from app.capture.source_spec import SourceSpec


def recent_rate_hz(times_ns, window_ns: int = 2_000_000_000) -> float:
    """Events per second among the ``perf_counter_ns`` times of the last ``window_ns``
    (any thread: takes a snapshot of the sequence). 0 when fewer than two are recent."""
    now = time.perf_counter_ns()
    recent = [t for t in list(times_ns) if now - t < window_ns]
    if len(recent) < 2:
        return 0.0
    return (len(recent) - 1) / ((recent[-1] - recent[0]) / 1e9)


class DisplayScaler:
    """Prepares display images off the GUI thread (called on the capture thread).

    The GUI sets ``size`` (width, height of the video widget) and ``mirror`` as plain
    attributes whenever they change; :meth:`prepare` reads them once per frame.
    """

    def __init__(self) -> None:
        self.request: tuple[tuple[int, int], bool] | None = None  # ((w, h), mirror)

    def prepare(self, image: np.ndarray) -> DisplayImage | None:
        """Runs on the capture thread."""
        req = self.request
        if req is None:
            return None
        (W, H), mirror = req
        return make_display_image(image, W, H, mirror)


def make_display_image(image: np.ndarray, W: int, H: int, mirror: bool) -> DisplayImage:
    """Fit ``image`` (RGB) into W x H keeping its aspect, flip if ``mirror``, to BGRA."""
    import cv2

    h, w = image.shape[:2]
    s = min(max(1, W) / w, max(1, H) / h)
    tw, th = max(1, int(w * s)), max(1, int(h * s))
    buf = cv2.resize(image, (tw, th), interpolation=cv2.INTER_LINEAR)
    if mirror:
        buf = cv2.flip(buf, 1)
    buf = cv2.cvtColor(buf, cv2.COLOR_RGB2BGRA)
    buf.setflags(write=False)
    return DisplayImage(buf, s, (int(W), int(H)), bool(mirror))


class LiveSource(Protocol):
    """What the capture thread needs from a source."""

    name: str           # shown to the user: "Demo", "Camera 0", "male_side.mp4"
    kind: str           # "demo" | "camera" | "file"
    finite: bool        # True: ``grab() -> None`` means the end (files)
    nominal_fps: float

    def open(self) -> None: ...            # raises UserError (no camera, bad file)
    def grab(self) -> Captured | None: ...  # blocks; None = end (finite) or lost (camera)
    def close(self) -> None: ...


class VideoFileLiveSource:
    """A video file played at its own frame rate, as if it were a camera.

    Frames are released when due on the monotonic clock; a frame that is already more
    than one frame period late when decoded is skipped and counted in ``skipped`` (a real
    camera would have dropped it too). ``capture_fps`` (slow motion filmed at that rate):
    the file still plays at its stored rate, slower than real time, and every frame is
    analysed, but frame times advance in real time: frame / capture_fps.
    """

    kind = "file"
    finite = True

    def __init__(self, path: str | os.PathLike[str], loop: bool = False,
                 capture_fps: float | None = None) -> None:
        from app.capture.video_file import probe_video

        self.path = Path(path)
        self.info = probe_video(self.path)  # raises InputFileError with a sentence
        self.name = self.path.name
        self.nominal_fps = float(self.info.fps)
        self.capture_fps = float(capture_fps) if capture_fps else None
        #: real time per played time (1 for a normal clip, 30/120 for 4x slow motion)
        self._time_scale = self.nominal_fps / self.capture_fps if self.capture_fps else 1.0
        self.width, self.height = self.info.width, self.info.height
        self.loop = loop
        self.skipped = 0
        self._reader = None
        self._iter = None
        self._start_ns = 0
        self._index = 0
        self._offset_ns = 0
        self._last_file_t = 0

    def open(self) -> None:
        """Start decoding. Runs on the capture thread."""
        from app.capture.video_file import VideoFileReader

        self._reader = VideoFileReader(self.path, queue_size=4).start()
        self._iter = iter(self._reader)
        self._start_ns = time.perf_counter_ns()
        self._index = 0
        self._offset_ns = 0

    def grab(self) -> Captured | None:
        """Next frame when it is due. Runs on the capture thread."""
        if self._iter is None:
            return None
        period = int(1e9 / self.nominal_fps)
        while True:
            try:
                f = next(self._iter)
            except StopIteration:
                if not self.loop or self._index == 0:
                    return None
                self._reader.close()
                self._offset_ns += self._last_file_t + period
                from app.capture.video_file import VideoFileReader

                self._reader = VideoFileReader(self.path, queue_size=4).start()
                self._iter = iter(self._reader)
                continue
            except InputFileError:
                return None
            self._last_file_t = f.t_ns
            now = time.perf_counter_ns()
            if self._index == 0:
                # The clock starts with the first decoded frame, not at open().
                self._start_ns = now - f.t_ns
            due = self._start_ns + self._offset_ns + f.t_ns
            if now - due > period and self._index > 0:
                self.skipped += 1
                self._index += 1
                continue
            if due > now:
                time.sleep((due - now) / 1e9)
            grab = time.perf_counter_ns()
            t_ns = due
            if self._time_scale != 1.0:  # slow motion: real time, frame / capture_fps
                t_ns = self._start_ns + int(round((self._offset_ns + f.t_ns) * self._time_scale))
            frame = Frame(index=self._index, t_ns=t_ns, image=f.image)
            self._index += 1
            return Captured(frame, grab)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._reader = None
        self._iter = None


def open_source(spec: "str | SourceSpec", capture_fps: float | None = None, *,
                rig=None, **demo_kwargs) -> LiveSource:
    """A live source from a spec (``app.capture.source_spec``): ``demo``, ``camera:N``,
    an ``rtsp://``/``http(s)://`` stream, ``loop:PATH``/a video path, or a landmark file
    (``replay:PATH``). A ``VIEW=`` prefix is accepted (and ignored here).

    ``capture_fps`` applies to a video file (slow motion filmed at that rate). ``rig``: the
    ``app.capture.demo_rig.DemoRig`` a demo source films (several views of one runner);
    without one, ``demo_kwargs`` go to a demo runner of its own. Raises InputFileError for
    a bad spec or file. Cameras and streams are opened later, on the capture thread.
    """
    from app.capture.source_spec import SourceSpec, parse_source

    sp = spec if isinstance(spec, SourceSpec) else parse_source(spec)
    if sp.kind == "demo":
        if rig is not None:
            from app.types import View

            return rig.camera(sp.view or View.SIDE)
        from app.capture.demo import DemoLiveSource

        return DemoLiveSource(**demo_kwargs)
    if sp.kind == "camera":
        from app.capture.camera import CameraSource

        return CameraSource(int(sp.target))
    if sp.kind == "stream":
        from app.capture.network import NetworkSource

        return NetworkSource(sp)
    if sp.kind == "replay":
        from app.capture.replay import LandmarkReplaySource

        return LandmarkReplaySource(sp.target, loop=sp.loop)
    return VideoFileLiveSource(sp.target, loop=sp.loop, capture_fps=capture_fps)


@dataclass(frozen=True, slots=True)
class StreamGap:
    """A stretch without frames from a live source (lost or stalled), on the frames'
    clock: ``start_ns`` = the last frame before, ``end_ns`` = the first frame after (None
    while it lasts). ``reason``: "lost" (the source failed and was reopened) or
    "stalled" (frames stopped coming for a while). No frame is made up for it."""

    start_ns: int
    end_ns: int | None
    reason: str

    @property
    def seconds(self) -> float | None:
        return None if self.end_ns is None else (self.end_ns - self.start_ns) / 1e9


#: No new frame for this long (and at least 4 frame periods) counts as a gap / a stall.
GAP_AFTER_S = 0.5
#: Sources whose gaps are recorded: the ones that can be lost (cameras, network streams).
GAP_KINDS = ("camera", "stream")


class CaptureThread:
    """Reads a live source on its own thread into a latest-frame slot.

    States: ``starting`` → ``running`` → (``reconnecting`` ↔ ``running``) → ``ended``
    (finite source done) / ``error`` (could not open; ``message`` says why) / ``stopped``.
    A lost camera is reopened after 0.5, 1, 2, 4, 5, 5 … s.
    """

    BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 5.0)

    def __init__(self, source: LiveSource, slot: LatestSlot[Captured],
                 on_state: Callable[[str, str], None] | None = None,
                 wait_for: threading.Event | None = None,
                 scaler: DisplayScaler | None = None) -> None:
        self.source = source
        self.scaler = scaler
        self.wait_for = wait_for  # e.g. the pose worker's "model loaded" event
        self.slot = slot
        self.on_state = on_state
        self.state = "starting"
        self.message = ""
        self.frames = 0
        self.reconnects = 0
        self.running_since_ns: int | None = None
        self.first_last_grab_ns: tuple[int, int] | None = None
        #: closed gaps so far; ``gap_listeners`` get each one (capture thread) as it closes
        self.gaps: list[StreamGap] = []
        self.gap_listeners: list[Callable[[StreamGap], None]] = []
        self._last_frame_t: int | None = None
        self._lost_since_frame = False
        self._grab_times: collections.deque[int] = collections.deque(maxlen=64)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"capture:{source.name}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Ask the thread to stop and join it (GUI/main thread)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def fps(self) -> float:
        """Frames per second over the last ~2 s (0 when not enough frames)."""
        return recent_rate_hz(self._grab_times)

    def gap_after_ns(self) -> int:
        """How long without a frame counts as a gap for this source (ns)."""
        period = 1e9 / max(float(self.source.nominal_fps or 30.0), 1.0)
        stall = float(getattr(self.source, "stall_after_s", GAP_AFTER_S))
        return int(max(stall * 1e9, 4 * period))

    def open_gap(self, now_ns: int | None = None) -> StreamGap | None:
        """The gap going on now (no frame for longer than :meth:`gap_after_ns`, or the
        source lost), with ``end_ns`` None; None when frames are flowing. Any thread."""
        last = self._last_frame_t
        if last is None or self.state in ("ended", "stopped", "error") \
                or self.source.kind not in GAP_KINDS:
            return None
        now = time.perf_counter_ns() if now_ns is None else now_ns
        if self.state == "reconnecting" or now - last > self.gap_after_ns():
            return StreamGap(last, None, "lost" if self.state == "reconnecting" else "stalled")
        return None

    def _note_frame(self, t_ns: int) -> None:
        """Close a gap when this frame comes too long after the last. Capture thread."""
        last, self._last_frame_t = self._last_frame_t, t_ns
        lost, self._lost_since_frame = self._lost_since_frame, False
        if last is None or t_ns - last <= self.gap_after_ns():
            return
        if self.source.kind not in GAP_KINDS:
            return  # a file or the demo late because the CPU was busy is not a lost camera
        gap = StreamGap(last, t_ns, "lost" if lost else "stalled")
        self.gaps.append(gap)
        for cb in list(self.gap_listeners):
            cb(gap)

    def _set(self, state: str, message: str = "") -> None:
        if state == "running" and self.state != "running":
            self.running_since_ns = time.perf_counter_ns()
        self.state, self.message = state, message
        if self.on_state is not None:
            self.on_state(state, message)

    def _reconnect(self, attempt: int) -> bool:
        """Reopen the source with back-off; False when stopped. Runs on the capture thread."""
        src = self.source
        while True:
            delay = self.BACKOFF_S[min(attempt, len(self.BACKOFF_S) - 1)]
            attempt += 1
            self._set("reconnecting", f"{src.name} lost — reconnecting in {delay:g} s "
                                      f"(attempt {attempt}).")
            if self._stop.wait(delay):
                return False
            try:
                src.open()
            except UserError as exc:
                self._set("reconnecting", f"{exc} Retrying…")
                continue
            self.reconnects += 1
            return True

    def _run(self) -> None:
        """Capture loop. Runs on the capture thread."""
        src = self.source
        if self.wait_for is not None:
            while not self.wait_for.wait(0.05):
                if self._stop.is_set():
                    self.slot.close()
                    self._set("stopped")
                    return
        try:
            try:
                src.open()
            except UserError as exc:
                if not getattr(src, "retry_open", False):
                    self._set("error", str(exc))
                    return
                # A network camera may be starting up: keep trying with back-off.
                self._set("reconnecting", f"{exc} Retrying…")
                if not self._reconnect(0):
                    return
            self._set("running")
            attempt = 0
            while not self._stop.is_set():
                cap = src.grab()
                if cap is None:
                    if self._stop.is_set():
                        break
                    if src.finite:
                        self._set("ended", f"{src.name} ended.")
                        break
                    # Camera lost: reopen with back-off until it works or we are stopped.
                    self._lost_since_frame = True
                    src.close()
                    if not self._reconnect(attempt):
                        break
                    attempt += 1
                    continue
                if attempt or self.state != "running":
                    attempt = 0
                    self._set("running")
                self.frames += 1
                self._note_frame(cap.frame.t_ns)
                self._grab_times.append(cap.grab_t_ns)
                first = cap.grab_t_ns if self.first_last_grab_ns is None else self.first_last_grab_ns[0]
                self.first_last_grab_ns = (first, cap.grab_t_ns)
                if self.scaler is not None and self.scaler.request is not None:
                    cap = Captured(cap.frame, cap.grab_t_ns, cap.truth,
                                   self.scaler.prepare(cap.frame.image))
                self.slot.put(cap)
        finally:
            try:
                src.close()
            finally:
                self.slot.close()
                if self.state in ("running", "reconnecting", "starting"):
                    self._set("stopped")
