"""Network cameras: RTSP and MJPEG-over-HTTP streams through PyAV (``av`` imported lazily).

Phone webcam apps and IP cameras serve one of these on the local network. The source is a
live source (``app.capture.live.LiveSource``): the capture thread opens it, grabs frames
as they arrive (time-stamped with ``perf_counter_ns`` on arrival, the one clock of the
app) and reopens it with back-off when it is lost.

Faults: a server that goes away ends the stream (``grab`` → None at once); a server that
stops sending (stalled) makes the read time out after ``read_timeout_s`` (→ None). The
pipeline reports a stall sooner, after ``stall_after_s`` without a frame, from its status.
The URL's credentials are only given to FFmpeg: names, messages and exceptions use the
redacted label (``app.capture.source_spec``).
"""

from __future__ import annotations

import time

from app.capture.source_spec import SourceSpec
from app.errors import DeviceError
from app.types import Frame

#: Seconds to wait for a stream to open / for the next packet before calling it lost.
OPEN_TIMEOUT_S = 4.0
READ_TIMEOUT_S = 2.0
#: No frame for this long = stalled (the banner shows; the status says so).
STALL_AFTER_S = 0.5


def _reason(exc: BaseException) -> str:
    """A short reason without the URL (FFmpeg's messages repeat the file name)."""
    text = getattr(exc, "strerror", None) or exc.__class__.__name__
    return str(text).rstrip(".").lower() if text else "no answer"


class NetworkSource:
    """An RTSP or HTTP (MJPEG) stream as a live source. Open, grab and close on the
    capture thread. ``width``/``height``/``nominal_fps`` are known after :meth:`open`
    (defaults until then: 1280×720 at 30 fps)."""

    kind = "stream"
    finite = False
    #: a stream that cannot be opened at start is retried (the camera may be starting)
    retry_open = True
    stall_after_s = STALL_AFTER_S

    def __init__(self, spec: SourceSpec, *, open_timeout_s: float = OPEN_TIMEOUT_S,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        if spec.kind != "stream":
            raise ValueError("NetworkSource needs a stream spec")
        self.spec = spec
        self.name = spec.label
        self.nominal_fps = 30.0
        self.width, self.height = 1280, 720
        self.open_timeout_s, self.read_timeout_s = open_timeout_s, read_timeout_s
        self._container = None
        self._frames = None
        self._index = 0  # frame index across reconnects (one numbering per session)

    def open(self) -> None:
        """Connect; ``DeviceError`` with a sentence (no credentials) when it fails."""
        import av

        url = self.spec.target
        options = {}
        if url.lower().startswith(("rtsp://", "rtsps://")):
            options["rtsp_transport"] = "tcp"  # no lost UDP packets on a busy Wi-Fi
        try:
            container = av.open(url, options=options,
                                timeout=(self.open_timeout_s, self.read_timeout_s))
        except (av.error.FFmpegError, OSError) as exc:
            raise DeviceError(f"The stream {self.name} cannot be opened ({_reason(exc)}).") from None
        try:
            if not container.streams.video:
                raise DeviceError(f"The stream {self.name} holds no video.")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            rate = stream.average_rate or stream.guessed_rate
            if rate and 1.0 <= float(rate) <= 240.0:
                self.nominal_fps = float(rate)
            cc = stream.codec_context
            if cc.width and cc.height:
                self.width, self.height = int(cc.width), int(cc.height)
        except BaseException:
            container.close()
            raise
        self._container = container
        self._frames = container.decode(stream)

    def grab(self):
        """The next frame as it arrives; None when the stream ended, failed or timed out.
        Runs on the capture thread."""
        import av

        from app.capture.frames import Captured

        if self._frames is None:
            return None
        try:
            vf = next(self._frames)
        except (StopIteration, av.error.FFmpegError, OSError, EOFError):
            return None
        t = time.perf_counter_ns()
        rgb = vf.to_ndarray(format="rgb24")
        rgb.setflags(write=False)
        self.width, self.height = int(rgb.shape[1]), int(rgb.shape[0])
        frame = Frame(index=self._index, t_ns=t, image=rgb)
        self._index += 1
        return Captured(frame, t)

    def close(self) -> None:
        container, self._container, self._frames = self._container, None, None
        if container is not None:
            try:
                container.close()
            except Exception:  # noqa: BLE001 - closing a broken connection; nothing to keep
                pass
