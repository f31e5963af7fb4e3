"""Video files as a frame source for offline analysis (PyAV).

``probe_video`` checks a file and reports what it holds; ``VideoFileReader`` decodes it on
its own thread into a bounded queue (blocking put: no frame is ever dropped) and is
iterated on the consumer's thread.

Frames are RGB uint8 (H, W, 3), read-only, already turned upright when the file carries
rotation metadata (so ``width``/``height`` are the displayed size, as OpenCV reports it).
Times: ``t_ns`` is nanoseconds from the start of the clip. For constant-frame-rate files it
is ``round(index * 1e9 / fps)`` (the convention of the ground-truth files: time = frame /
fps); only clearly variable-rate files use the container's presentation timestamps. A
slow-motion clip (filmed at ``capture_fps``, stored at ``fps``) is read on the real time
base when ``capture_fps`` is given: ``round(index * 1e9 / capture_fps)`` (pts times are
scaled by ``fps / capture_fps``); every frame is still decoded.

``av`` is imported lazily inside functions: importing this module has no side effects.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from app.errors import InputFileError
from app.types import Frame

if TYPE_CHECKING:  # pragma: no cover
    import av as _av  # noqa: F401

#: Relative difference between the stream's average rate and its nominal (r_frame_rate)
#: rate above which a file is treated as variable-frame-rate and timed by its pts.
VFR_TOLERANCE = 0.02

# Container formats FFmpeg will "open" although they are not video (text art, subtitles).
_NOT_VIDEO_FORMATS = frozenset({"tty", "ansi", "srt", "webvtt", "ass", "subviewer", "lrc"})
_NOT_VIDEO_CODECS = frozenset({"ansi", "text", "subrip", "ass", "webvtt"})


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a video file holds.

    ``width``/``height`` are the displayed size in pixels (after rotation metadata),
    ``fps`` the nominal frames per second, ``n_frames_estimate`` the container's frame
    count or duration × fps (None when unknown), ``duration_s`` seconds (None when
    unknown), ``codec`` the FFmpeg decoder name (e.g. ``"h264"``). ``rotation_deg`` is the
    counter-clockwise rotation applied to decoded frames to make them upright (0, 90, 180
    or 270); ``variable_rate`` tells whether frame times come from pts.
    """

    width: int
    height: int
    fps: float
    n_frames_estimate: int | None
    duration_s: float | None
    codec: str
    rotation_deg: int = 0
    variable_rate: bool = False


def _check_path(path: Path) -> None:
    """Raise InputFileError for paths that cannot be a readable, non-empty file."""
    if not path.exists():
        raise InputFileError(f"The file {path} does not exist.")
    if path.is_dir():
        raise InputFileError(f"{path} is a folder, not a video file.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be read ({exc.strerror}).") from exc
    if size == 0:
        raise InputFileError(f"The file {path} is empty.")
    if not os.access(path, os.R_OK):
        raise InputFileError(f"The file {path} cannot be read (permission denied).")


def _why_not_video(path: Path) -> str:
    """One sentence saying what ``path`` seems to be, for files FFmpeg cannot open."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    if head.startswith(b"# gaitcoach-landmarks"):
        return f"{path.name} is a landmark file, not a video."
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            is_text = exc.start > len(head) - 4  # only a character cut at the end
        else:
            is_text = True
        if is_text:
            return f"{path.name} is a text file, not a video."
    if head[4:8] in (b"ftyp", b"mdat", b"moov", b"free", b"wide"):
        return f"{path.name} is an MP4/MOV file that is truncated or corrupt (no readable index)."
    return f"{path.name} is not a video that can be read (another kind of file, or corrupt)."


def _open_container(path: Path) -> Any:
    """Open ``path`` with PyAV, turning FFmpeg failures into one plain sentence."""
    import av

    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise InputFileError(_why_not_video(path)) from exc
    except (OSError, UnicodeError) as exc:
        raise InputFileError(f"The file {path} cannot be opened ({exc}).") from exc


def _video_stream(container: Any, path: Path) -> Any:
    fmt = getattr(container.format, "name", "") or ""
    if not container.streams.video or set(fmt.split(",")) & _NOT_VIDEO_FORMATS:
        raise InputFileError(f"{path.name} contains no video.")
    stream = container.streams.video[0]
    if stream.codec_context.name in _NOT_VIDEO_CODECS:
        raise InputFileError(f"{path.name} contains no video.")
    return stream


def _rotation_of(frame: Any) -> int:
    """Counter-clockwise rotation in degrees (0/90/180/270) that makes ``frame`` upright.

    PyAV's ``VideoFrame.rotation`` is FFmpeg's display-matrix angle (counter-clockwise);
    FFmpeg's own players (and OpenCV's auto-orientation) rotate the decoded picture by that
    angle counter-clockwise, which ``np.rot90(img, angle // 90)`` does for images.
    """
    try:
        angle = int(round(float(getattr(frame, "rotation", 0) or 0)))
    except (TypeError, ValueError):
        return 0
    return (int(round(angle / 90.0)) * 90) % 360


def _stream_rates(stream: Any) -> tuple[float | None, bool]:
    """Return (fps, variable_rate) for a video stream."""
    avg = stream.average_rate
    nominal = stream.base_rate or stream.guessed_rate
    fps_frac: Fraction | None = avg or nominal
    if not fps_frac or float(fps_frac) <= 0:
        return None, False
    fps = float(fps_frac)
    variable = False
    if avg and nominal and float(nominal) > 0:
        variable = abs(float(avg) - float(nominal)) / float(nominal) > VFR_TOLERANCE
    return fps, variable


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Check that ``path`` is a decodable video and describe it.

    Decodes the first frame (to prove the file is usable and to read its rotation).
    Raises ``InputFileError`` with one plain sentence for a missing file, a folder, an
    empty file, something that is not a video, or a file with no decodable frame.
    """
    import av

    p = Path(path)
    _check_path(p)
    container = _open_container(p)
    try:
        stream = _video_stream(container, p)
        first = None
        try:
            for first in container.decode(stream):
                break
        except av.error.FFmpegError as exc:
            raise InputFileError(
                f"{p.name} is truncated or corrupt: no video frame could be decoded."
            ) from exc
        if first is None:
            raise InputFileError(f"{p.name} contains no video frame that can be decoded.")
        rotation = _rotation_of(first)
        width, height = int(first.width), int(first.height)
        if rotation in (90, 270):
            width, height = height, width
        fps, variable = _stream_rates(stream)
        if fps is None:
            raise InputFileError(f"{p.name} does not say its frame rate.")
        duration_s: float | None = None
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / 1_000_000.0
        n_frames: int | None = int(stream.frames) if stream.frames else None
        if n_frames is None and duration_s is not None:
            n_frames = int(round(duration_s * fps))
        return VideoInfo(
            width=width,
            height=height,
            fps=fps,
            n_frames_estimate=n_frames,
            duration_s=duration_s,
            codec=str(stream.codec_context.name),
            rotation_deg=rotation,
            variable_rate=variable,
        )
    finally:
        container.close()


class _End:
    """Queue sentinel: the decode thread finished (``error`` set when nothing decoded)."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class VideoFileReader:
    """Decode a video file on a background thread into ``Frame`` objects.

    Usage (consumer thread)::

        with VideoFileReader(path) as reader:
            for frame in reader:      # frames in decode order, none dropped
                ...
        if reader.warning: ...        # e.g. the file was cut short

    The decode thread puts frames into a bounded queue with a blocking put, so a slow
    consumer slows decoding instead of losing frames. ``close()`` (or leaving the ``with``
    block) sets the stop event, unblocks and joins the thread. ``thread_type`` is PyAV's
    decoder threading ("AUTO", "FRAME", "SLICE" or "NONE"; default "AUTO", "NONE" in a
    process kept to one core: ``app.cpu_limits``). ``start_index`` > 0 (constant
    frame rate only) seeks to the keyframe before that frame and yields frames from it on,
    indexed from their presentation time: ``round((pts - stream start) * time_base * fps)``
    (for an ordinary file the same index a decode from the start gives). Opening raises
    ``InputFileError`` (see ``probe_video``); a decode error after at least one frame ends
    the stream cleanly and sets ``warning`` to a sentence. ``capture_fps`` (slow-motion
    clips): frame times on the real time base, frame / capture_fps (see the module notes).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        queue_size: int = 8,
        thread_type: str | None = None,
        info: VideoInfo | None = None,
        start_index: int = 0,
        capture_fps: float | None = None,
    ) -> None:
        self.path = Path(path)
        # ``info`` from an earlier probe_video(path) skips probing the file again.
        self.info: VideoInfo = info if info is not None else probe_video(self.path)
        self.warning: str | None = None
        self.frames_decoded = 0
        from app.cpu_limits import one_core

        #: decode on the consumer's thread, one frame at a time (a process kept to one
        #: core); otherwise on a decode thread that overlaps the consumer
        self._inline = one_core()
        if thread_type is None:  # one decoder thread in a process kept to one core
            thread_type = "NONE" if self._inline else "AUTO"
        self._thread_type = thread_type
        self._start_index = max(0, int(start_index))
        #: frames per second of the time base of ``Frame.t_ns`` (the capture rate)
        self.time_fps = float(capture_fps) if capture_fps else float(self.info.fps)
        self.queue_size = queue_size
        self._queue: queue.Queue[Frame | _End] = queue.Queue(maxsize=max(1, queue_size))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._finished = False

    # -- lifecycle (consumer thread) ---------------------------------------------------

    def start(self) -> "VideoFileReader":
        """Start the decode thread (idempotent; none in a process kept to one core, where
        frames are decoded as they are asked for)."""
        if self._thread is None and not self._inline:
            self._thread = threading.Thread(
                target=self._run, name=f"video-decode:{self.path.name}", daemon=True
            )
            self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop decoding and join the thread; safe to call more than once."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return
        deadline_step = 0.05
        waited = 0.0
        while thread.is_alive() and waited < timeout:
            self._drain()
            thread.join(deadline_step)
            waited += deadline_step
        self._drain()

    def __enter__(self) -> "VideoFileReader":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        """Yield frames in decode order until the end of the file or ``close()``."""
        # inline: decoded on this thread (a batch worker keeps to one core: a decode
        # thread beside the model made one worker use 1.16 cores)
        items = self._decode() if self._inline else self._queued()
        try:
            for item in items:
                if isinstance(item, _End):
                    self._finished = True
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            items.close()

    def _queued(self) -> Iterator[Frame | _End]:
        """Items from the decode thread's queue (started here) until it ends."""
        self.start()
        while not self._finished:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set() or not (self._thread and self._thread.is_alive()):
                    if self._queue.empty():
                        self._finished = True
                continue
            yield item

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    # -- decode thread -----------------------------------------------------------------

    def _put(self, item: Frame | _End) -> bool:
        """Blocking put that gives up only when stopped. Runs on the decode thread."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        """Decode loop. Runs on the decode thread."""
        frames = self._decode()
        try:
            for item in frames:
                if not self._put(item):
                    break
        finally:
            frames.close()

    def _decode(self) -> Iterator[Frame | _End]:
        """Frames in decode order, then one ``_End`` (also after ``close()``). Runs on the
        decode thread, or on the consumer's thread in a process kept to one core."""
        import av

        end = _End()
        container = None
        try:
            container = _open_container(self.path)
            stream = _video_stream(container, self.path)
            stream.thread_type = self._thread_type
            info = self.info
            fps = info.fps
            rot_k = info.rotation_deg // 90
            t0_pts: int | None = None
            last_t = -1
            index = 0
            seeking = self._start_index > 0 and not info.variable_rate
            ref_pts = int(stream.start_time or 0)
            if seeking:
                target_s = self._start_index / fps
                container.seek(ref_pts + int(target_s / float(stream.time_base)),
                               stream=stream, backward=True, any_frame=False)
            try:
                for vf in container.decode(stream):
                    if self._stop.is_set():
                        break
                    if seeking:
                        if vf.pts is None:
                            raise InputFileError(f"{self.path.name} has frames without times.")
                        index = int(round((int(vf.pts) - ref_pts) * float(vf.time_base) * fps))
                        if index < self._start_index:
                            continue
                    # rgb24 via swscale: a fresh buffer owned by the converted frame. Rows
                    # may be padded (width * 3 not a multiple of the alignment): make it
                    # contiguous here, on the decode thread, not on the model's thread.
                    img = vf.to_ndarray(format="rgb24")
                    if rot_k:
                        img = np.rot90(img, rot_k)
                    if not img.flags["C_CONTIGUOUS"]:
                        img = np.ascontiguousarray(img)
                    img.setflags(write=False)
                    if info.variable_rate and vf.pts is not None and vf.time_base:
                        if t0_pts is None:
                            t0_pts = int(vf.pts)
                        t_ns = int(round((int(vf.pts) - t0_pts) * float(vf.time_base) * 1e9
                                         * fps / self.time_fps))
                        t_ns = max(t_ns, last_t + 1)
                    else:
                        t_ns = int(round(index * 1e9 / self.time_fps))
                    last_t = t_ns
                    yield Frame(index=index, t_ns=t_ns, image=img)
                    index += 1
                    self.frames_decoded += 1
                expected = int(stream.frames or 0)
                if (
                    not self._stop.is_set()
                    and expected
                    and expected - index > max(2, expected // 100)
                ):
                    # MP4 with the index first ("faststart") cut short: the demuxer just
                    # reaches the end of the file, so compare with the container's count.
                    self.warning = (
                        f"{self.path.name} ends early: only {index} of its {expected} frames "
                        "could be decoded (the file may be truncated)."
                    )
            except av.error.FFmpegError as exc:
                if index == 0:
                    end = _End(
                        InputFileError(
                            f"{self.path.name} is truncated or corrupt: "
                            "no video frame could be decoded."
                        )
                    )
                else:
                    self.warning = (
                        f"{self.path.name} is truncated or corrupt: decoding stopped after "
                        f"{index} frames ({exc.strerror or exc})."
                    )
        except InputFileError as exc:
            end = _End(exc)
        except GeneratorExit:  # the consumer stopped early (closed or left its loop)
            raise
        except Exception as exc:  # programming error: hand it to the consumer
            end = _End(exc)
        finally:
            if container is not None:
                container.close()
        yield end
