"""Crash-safe session recording: video + landmarks + events + steps + cues + blocks.

Threads:

* the **pose worker** hands every processed frame to :meth:`SessionRecorder.on_frame`
  (the worker's ``frame_sink``) and step/event updates to :meth:`on_steps` (a pipeline
  listener). Both only append to the recorder's inbox and never block: when more than
  ``queue_frames`` frames wait (the disk cannot keep up) the frame is not queued and
  counted in ``RecorderStatus.dropped`` — the GUI says so; the live pipeline never waits;
* any thread may call :meth:`log_cue` / :meth:`mark_block` (small messages, never dropped);
* the **recorder thread** owns every file: it encodes the video (app.session.video),
  appends one flushed line per frame / event / step / cue / block, and on a clean stop
  closes everything, remuxes video.mkv → video.mp4 and marks the manifest ``complete``.

Video frame *i*, landmark row *i* (``frame`` = *i*) and the ``frame`` columns of events.csv
and steps.csv all name the same recorded frame. Times are seconds from the first recorded
frame. A write error (disk full, folder removed) stops the recording with one sentence in
the status; the session stays ``recording`` on disk, so it can be recovered; the live
pipeline carries on. Folder format: docs/SESSION_FORMAT.md.
"""

from __future__ import annotations

import bisect
import collections
import csv
import math
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Mapping, Sequence

from app.gait.analysis import step_row
from app.session import folder as sf
from app.types import Facing, PoseSample, StepRecord, View

#: Frames that may wait for the disk (~1 s at 30 fps; each holds one RGB image).
QUEUE_FRAMES = 30
#: The recorder thread runs this much "nicer" than the pose worker (Linux: per thread), so
#: when the CPU is short the live pipeline wins and the queue absorbs the encoder's lag.
RECORDER_NICE = 5
#: Frame-time → recorded-index entries kept to map event/step frames (~30 s at 30 fps).
_INDEX_MAP_SIZE = 900


def _lower_thread_priority(nice: int) -> None:
    """Raise the calling thread's niceness by ``nice`` (Linux: setpriority on the thread
    id; elsewhere nothing). Never raises."""
    if not nice or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True, slots=True)
class RecorderStatus:
    """``state``: recording | finishing | complete | failed | empty (stopped before any
    frame; the folder was removed). ``elapsed_s`` recorded time (first → last written
    frame); ``dropped`` frames lost because the disk could not keep up; ``queued`` frames
    waiting; ``message`` a sentence for the user ("" when all is well)."""

    state: str
    folder: Path | None
    elapsed_s: float
    frames: int
    dropped: int
    queued: int
    message: str = ""

    @property
    def active(self) -> bool:
        return self.state in ("recording", "finishing")


class CsvAppender:
    """A CSV file written line by line, each line flushed to the OS (survives a SIGKILL).

    ``None`` and NaN become empty cells. One thread writes (the recorder's)."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self._fh: IO[str] | None = open(path, "w", encoding="utf-8", newline="")
        self._w = csv.writer(self._fh, lineterminator="\n")
        self._w.writerow(self.columns)
        self._fh.flush()
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        if self._fh is None:
            raise ValueError(f"{self.path.name} is closed")
        self._w.writerow([_cell(row.get(c)) for c in self.columns])
        self._fh.flush()
        self.rows += 1

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return v


def _r(v: float | None, nd: int) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return round(float(v), nd)


class _Inbox:
    """FIFO for the recorder thread: frames bounded (``put_frame`` refuses when full),
    other messages always accepted (a few per second)."""

    def __init__(self, max_frames: int) -> None:
        self._q: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self.max_frames = max_frames
        self.frames = 0

    def put_frame(self, item: tuple) -> bool:
        with self._cond:
            if self.frames >= self.max_frames:
                return False
            self.frames += 1
            self._q.append(("frame", item))
            self._cond.notify()
            return True

    def put(self, kind: str, item: Any = None) -> None:
        with self._cond:
            self._q.append((kind, item))
            self._cond.notify()

    def get(self) -> tuple[str, Any]:
        with self._cond:
            while not self._q:
                self._cond.wait()
            kind, item = self._q.popleft()
            if kind == "frame":
                self.frames -= 1
            return kind, item


class SessionRecorder:
    """Records one session into a new folder under ``root`` (default: the sessions root).

    Use: ``rec = SessionRecorder(root, source="camera:0", view=View.SIDE, fps=30)``;
    ``folder = rec.start(pipeline)`` (raises ``UserError`` when the folder cannot be
    made); ``rec.mark_block("baseline", "Baseline")``; ``rec.log_cue(t_ns, ...)``;
    ``rec.stop()`` (or ``request_stop()`` + poll ``status()`` from a GUI).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, source: str = "",
                 view: View = View.SIDE, facing: Facing | None = None, fps: float = 30.0,
                 width: int | None = None, height: int | None = None,
                 runner_id: Any = None, template: str | None = None,
                 subject_height_cm: float | None = None,
                 queue_frames: int = QUEUE_FRAMES,
                 capture_fps: float | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self.source, self.view, self.facing = source, View(view), facing
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.width, self.height = width, height
        self.runner_id, self.template = runner_id, template
        self.subject_height_cm = subject_height_cm
        #: slow-motion source filmed at this rate (manifest and landmark file ``capture_fps``)
        self.capture_fps = float(capture_fps) if capture_fps else None
        self.folder: Path | None = None
        self.manifest: dict[str, Any] = {}
        self._inbox = _Inbox(queue_frames)
        self._thread = threading.Thread(target=self._run, name="session-recorder", daemon=True)
        self._lock: sf.RecordingLock | None = None
        self._pipeline = None
        self._stopping = False
        self._state = "new"
        self._message = ""
        self.dropped = 0
        # recorder-thread state
        self._t0_ns: int | None = None
        self._last_rel_ns = 0
        self._frames = 0
        self._video = None
        self._lm = None
        self._csv: dict[str, CsvAppender] = {}
        self._index_of: dict[int, int] = {}
        self._index_keys: collections.deque[int] = collections.deque()
        self._pending: list[tuple[str, Any]] = []   # cues/blocks before the first frame
        self._step_rows: list[dict[str, Any]] = []
        self._block_rows: list[dict[str, Any]] = []
        self._gap_s = 0.0
        #: frame time of the first frame queued (set on the pose worker thread): the zero
        #: of every time in the session, also for the other view of a two-view recording
        self.first_frame_ns: int | None = None
        #: ``manifest_extra()`` → dict merged into the manifest on a clean stop (recorder
        #: thread; a multi-view recording adds its other views there)
        self.manifest_extra: Callable[[], dict[str, Any]] | None = None
        self._last_cadence: float | None = None
        self._facing_seen: Facing | None = facing
        #: Optional ``ic_t_ns -> SyncSample | None`` (FeedbackController.sync_for_ic): the
        #: beat–step synchrony stored with each step. Set from any thread; called on the
        #: recorder thread.
        self.sync_lookup: Callable[[int], Any] | None = None

    # ============================================================ control (caller's thread)
    def start(self, pipeline=None) -> Path:
        """Create the session folder, start the recorder thread and (optionally) tap
        ``pipeline`` (an ``app.pose.worker.LivePipeline``). Returns the folder. Raises
        ``UserError`` when the folder cannot be created or written."""
        if self._state != "new":
            raise RuntimeError("a SessionRecorder records one session; make a new one")
        folder, manifest = sf.create_session_folder(
            self.root, source=self.source, view=self.view.value,
            facing=self.facing.value if self.facing else None, fps=self.fps,
            width=self.width, height=self.height, runner_id=self.runner_id,
            template=self.template,
            **({"capture_fps": self.capture_fps} if self.capture_fps else {}))
        lock = sf.RecordingLock(folder)
        try:
            lock.acquire()
        except OSError as exc:
            raise sf.disk_error(exc, f"the session folder {folder} cannot be written") from None
        self.folder, self.manifest, self._lock = folder, manifest, lock
        self._state = "recording"
        self._started = time.perf_counter()
        self._thread.start()
        if pipeline is not None:
            self.attach(pipeline)
        return folder

    def attach(self, pipeline, steps_from=None) -> None:
        """Receive ``pipeline``'s processed frames, gaps and step updates (caller's
        thread). ``steps_from``: take the step updates from there instead (a multi-view
        pipeline's fused steps)."""
        self._pipeline = pipeline
        self._steps_from = steps_from
        pipeline.worker.frame_sink = self.on_frame
        (steps_from or pipeline).add_listener(self.on_steps)
        cap = getattr(pipeline, "capture", None)
        if cap is not None and hasattr(cap, "gap_listeners"):
            cap.gap_listeners.append(self._on_own_gap)

    def _on_own_gap(self, gap) -> None:
        self.on_gap(self.view, gap)

    def on_gap(self, view: View, gap) -> None:
        """A stretch without frames (``app.capture.live.StreamGap``) of ``view``'s source;
        written to gaps.csv. Any thread, never blocks."""
        if not self._stopping and self._state == "recording":
            self._inbox.put("gap", (gap.start_ns, View(view).value, gap.end_ns, gap.reason))

    def _detach(self) -> None:
        pipe, self._pipeline = self._pipeline, None
        if pipe is None:
            return
        if getattr(pipe.worker, "frame_sink", None) == self.on_frame:
            pipe.worker.frame_sink = None
        steps_from = getattr(self, "_steps_from", None)
        listeners = steps_from.listeners if steps_from is not None else pipe.worker.listeners
        try:
            listeners.remove(self.on_steps)
        except ValueError:
            pass
        cap = getattr(pipe, "capture", None)
        if cap is not None and hasattr(cap, "gap_listeners"):
            try:
                cap.gap_listeners.remove(self._on_own_gap)
            except ValueError:
                pass
            gap = cap.open_gap()
            if gap is not None and self._state == "recording":  # still down at the stop
                self._inbox.put("gap", (gap.start_ns, self.view.value, time.perf_counter_ns(),
                                        gap.reason + ", until the stop"))
        eng = getattr(pipe.worker, "engine", None)
        if eng is not None and getattr(eng, "facing", None) is not None:
            self._facing_seen = eng.facing

    def request_stop(self) -> None:
        """Stop taking frames; the recorder thread finishes the files (does not wait)."""
        if self._stopping or self._state == "new":
            return
        self._detach()
        self._stopping = True
        self._inbox.put("stop")

    def stop(self, timeout: float | None = 120.0) -> RecorderStatus:
        """Stop and wait until the files are closed and remuxed (or ``timeout`` s)."""
        self.request_stop()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return self.status()

    @property
    def done(self) -> bool:
        """True once the recorder thread has finished (complete, failed or empty)."""
        return self._state in ("complete", "failed", "empty")

    def status(self) -> RecorderStatus:
        """Current figures (any thread)."""
        state = self._state
        if state == "recording" and self._stopping:
            state = "finishing"
        msg = self._message
        if not msg and self.dropped and state in ("recording", "finishing"):
            msg = (f"The disk cannot keep up with the recording: {self.dropped} frames "
                   "were not recorded.")
        return RecorderStatus(state, self.folder, self._last_rel_ns / 1e9, self._frames,
                              self.dropped, self._inbox.frames, msg)

    # ============================================================ inputs (any thread)
    def on_frame(self, cap, sample: PoseSample) -> None:
        """Frame sink: runs on the pose worker thread, never blocks."""
        if self._stopping or self._state != "recording":
            return
        if not self._inbox.put_frame((cap.frame, sample)):
            self.dropped += 1
        elif self.first_frame_ns is None:
            self.first_frame_ns = cap.frame.t_ns  # the session clock's zero

    def on_steps(self, upd) -> None:
        """Pipeline listener (``StepsUpdate``): runs on the pose worker thread."""
        if not self._stopping and self._state == "recording":
            self._inbox.put("steps", upd)

    def log_cue(self, t_ns: int | None, cue_id: str, text: str, trigger: str) -> None:
        """Log a spoken/shown cue at ``t_ns`` (``time.perf_counter_ns()`` clock, the
        frames' clock; None = now) to cues.csv. Any thread."""
        t = time.perf_counter_ns() if t_ns is None else int(t_ns)
        if self._state == "recording" and not self._stopping:
            self._inbox.put("cue", (t, str(cue_id), str(text), str(trigger)))

    def mark_block(self, kind: str, name: str = "", t_ns: int | None = None) -> None:
        """Start a protocol block now (or at ``t_ns``, perf_counter clock): ``kind`` one of
        baseline | retraining | faded | retention | free. Any thread."""
        if kind not in sf.BLOCK_KINDS:
            raise ValueError(f"block kind must be one of {sf.BLOCK_KINDS}, not {kind!r}")
        t = time.perf_counter_ns() if t_ns is None else int(t_ns)
        if self._state == "recording" and not self._stopping:
            self._inbox.put("block", (t, kind, str(name or kind)))

    # ============================================================ recorder thread
    def _run(self) -> None:
        """Recorder loop. Runs on the recorder thread."""
        _lower_thread_priority(RECORDER_NICE)
        try:
            self._open_text_files()
        except OSError as exc:
            self._fail(exc, "the session files could not be created")
        while True:
            kind, item = self._inbox.get()
            if kind == "stop":
                break
            if self._state != "recording":
                continue  # failed: discard, the files are closed
            try:
                if kind == "frame":
                    self._write_frame(*item)
                elif kind == "steps":
                    self._write_update(item)
                elif self._t0_ns is not None:
                    self._write_note(kind, item)
                else:  # cue/block before the first frame: written at t_s 0 with it
                    self._pending.append((kind, item))
            except OSError as exc:
                self._fail(exc, "the recording could not be written")
        if self._state == "recording":
            try:
                self._finish()
            except OSError as exc:
                self._fail(exc, "the recording could not be finished")
            except ValueError as exc:  # remux found no readable frame
                self._fail(OSError(str(exc)), "the video could not be finished")

    def _open_text_files(self) -> None:
        d = self.folder
        assert d is not None
        self._csv["events"] = CsvAppender(d / sf.EVENTS, sf.EVENTS_COLUMNS)
        self._csv["steps"] = CsvAppender(d / sf.STEPS, sf.steps_columns())
        self._csv["cues"] = CsvAppender(d / sf.CUES, sf.CUES_COLUMNS)
        self._csv["blocks"] = CsvAppender(d / sf.BLOCKS, sf.BLOCKS_COLUMNS)
        self._csv["gaps"] = CsvAppender(d / sf.GAPS, sf.GAPS_COLUMNS)

    def _open_media(self, frame) -> None:
        """Video + landmark files, once the first frame gives the size. Recorder thread."""
        from app.pose.landmark_file import LandmarkMeta, LandmarkWriter
        from app.session.video import MkvWriter

        d = self.folder
        assert d is not None
        self.width, self.height = frame.width, frame.height
        self._video = MkvWriter(d / sf.VIDEO_MKV, frame.width, frame.height, self.fps)
        meta = LandmarkMeta(width=frame.width, height=frame.height, fps=self.fps,
                            view=self.view, facing=self.facing, source=self.source or None,
                            subject_height_cm=self.subject_height_cm,
                            capture_fps=self.capture_fps)
        self._lm = LandmarkWriter(d / sf.LANDMARKS, meta)
        self.manifest.update(width=frame.width, height=frame.height)
        sf.write_manifest(d, self.manifest)

    def _write_frame(self, frame, sample: PoseSample) -> None:
        if self._t0_ns is None:
            self._open_media(frame)
            self._t0_ns = frame.t_ns
            for kind, item in self._pending:
                self._write_note(kind, item)
            self._pending.clear()
        rel = frame.t_ns - self._t0_ns
        if self._frames and rel <= self._last_rel_ns:
            return  # not after the previous frame (cannot happen with one clock)
        i = self._frames
        self._video.write(frame.image, rel // 1_000_000)
        self._lm.write(PoseSample(frame_index=i, t_ns=rel, landmarks=sample.landmarks,
                                  width=sample.width, height=sample.height))
        self._frames += 1
        self._last_rel_ns = rel
        self._index_of[sample.t_ns] = i   # events and steps carry sample times
        self._index_keys.append(sample.t_ns)
        if len(self._index_keys) > _INDEX_MAP_SIZE:
            self._index_of.pop(self._index_keys.popleft(), None)

    def _frame_at(self, t_ns: int | None) -> int | None:
        """The recorded frame that shows an event at ``t_ns`` (events are timed between
        frames): the first recorded frame at or after it; None if not (or no longer) known."""
        if t_ns is None or not self._index_keys:
            return None
        hit = self._index_of.get(t_ns)
        if hit is not None:
            return hit
        keys = self._index_keys
        if t_ns < keys[0] - 1000 or t_ns > keys[-1]:
            return None
        j = bisect.bisect_left(keys, t_ns - 1000)
        return self._index_of.get(keys[j]) if j < len(keys) else None

    def _t_s(self, t_ns: int | None) -> float | None:
        if t_ns is None or self._t0_ns is None:
            return None
        return round((t_ns - self._t0_ns) / 1e9, 6)

    def _write_update(self, upd) -> None:
        if upd.snapshot is not None and upd.snapshot.cadence_spm is not None:
            self._last_cadence = upd.snapshot.cadence_spm
        if self._t0_ns is None:
            return
        for ev in upd.events:
            if ev.t_ns < self._t0_ns:
                continue
            self._csv["events"].write({
                "t_s": self._t_s(ev.t_ns), "frame": self._frame_at(ev.t_ns),
                "kind": ev.kind.value, "foot": ev.foot.value,
                "confirmed_t_s": self._t_s(ev.confirmed_t_ns)})
        for st in upd.steps:
            if st.ic_t_ns < self._t0_ns:
                continue
            row = self._step_row(st)
            self._csv["steps"].write(row)
            self._step_rows.append(row)

    def _step_row(self, s: StepRecord) -> dict[str, Any]:
        """The keys of ``AnalysisResult.step_dict`` with times from the session start and
        frames as recorded frame numbers."""
        d: dict[str, Any] = step_row(
            s, self._t0_ns, self._frame_at(s.ic_t_ns), self._frame_at(s.to_t_ns))
        sync = self.sync_lookup(s.ic_t_ns) if self.sync_lookup is not None else None
        if sync is not None:
            d["sync_error_ms"] = _r(sync.error_ms, 1)
            d["sync_in_window"] = int(bool(sync.in_window))
        return d

    def _write_note(self, kind: str, item: tuple) -> None:
        t_ns = item[0]
        t_s = max(0.0, self._t_s(t_ns) or 0.0)
        if kind == "cue":
            _, cue_id, text, trigger = item
            self._csv["cues"].write({"t_s": t_s, "cue_id": cue_id, "text": text,
                                     "trigger": trigger})
        elif kind == "block":
            _, bkind, name = item
            row = {"t_start_s": t_s, "kind": bkind, "name": name}
            self._csv["blocks"].write(row)
            self._block_rows.append(row)
        elif kind == "gap":
            _, view, end_ns, reason = item
            end_s = None if end_ns is None else max(0.0, self._t_s(end_ns) or 0.0)
            dur = None if end_s is None else round(end_s - t_s, 3)
            self._csv["gaps"].write({"view": view, "start_s": t_s, "end_s": end_s,
                                     "duration_s": dur, "reason": reason})
            self._gap_s += dur or 0.0

    def _close_files(self) -> None:
        """Close every file (recorder thread); the first error is raised after all."""
        first: BaseException | None = None
        closers = [c.close for c in self._csv.values()]
        if self._lm is not None:
            closers.append(self._lm.close)
        if self._video is not None:
            closers.append(self._video.close)
        for close in closers:
            try:
                close()
            except OSError as exc:
                first = first or exc
        if first is not None:
            raise first

    def _finish(self) -> None:
        """Clean stop: close, remux, summary, manifest ``complete``. Recorder thread."""
        from app.session.summary import session_summary
        from app.session.video import remux_to_mp4

        d = self.folder
        assert d is not None
        self._close_files()
        if self._frames == 0:
            self._release_lock()
            shutil.rmtree(d, ignore_errors=True)
            self._message = "Nothing was recorded: no frame arrived before the stop."
            self._state = "empty"
            return
        res = remux_to_mp4(d / sf.VIDEO_MKV, d / sf.VIDEO_MP4)
        duration = self._last_rel_ns / 1e9 + 1.0 / self.fps
        facing = self._facing_seen
        self.manifest.update(
            state=sf.STATE_COMPLETE, ended_utc=sf.utc_now_iso(),
            duration_s=round(duration, 3), frames=res.frames, video=sf.VIDEO_MP4,
            facing=facing.value if facing is not None else self.manifest.get("facing"),
            dropped_frames=self.dropped,
            gaps=self._csv["gaps"].rows, gap_s=round(self._gap_s, 3),
            summary=session_summary(self._step_rows, self._block_rows, duration,
                                    self._last_cadence))
        if self.manifest_extra is not None:
            self.manifest.update(self.manifest_extra())
        sf.write_manifest(d, self.manifest)
        try:
            (d / sf.VIDEO_MKV).unlink()
        except OSError:
            pass
        self._release_lock()
        self._state = "complete"
        if self.dropped:
            self._message = (f"Recording saved; {self.dropped} frames were not recorded "
                             "because the disk could not keep up.")

    def _fail(self, exc: OSError, what: str) -> None:
        """Stop writing after a disk error; keep what is on disk (recoverable)."""
        if self._video is not None:
            self._video.abandon()
        for c in list(self._csv.values()) + ([self._lm] if self._lm is not None else []):
            try:
                c.close()
            except OSError:
                pass
        self._release_lock()
        sentence = sf.disk_error(exc, f"{what} in {self.folder}")
        self._message = (f"Recording stopped. {sentence} What was recorded so far is kept "
                         "and can be recovered.")
        self._state = "failed"

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def start_recording(pipeline, root: str | os.PathLike[str] | None = None, *,
                    source: str = "", view: View = View.SIDE, facing: Facing | None = None,
                    **kwargs: Any) -> SessionRecorder:
    """Start recording ``pipeline`` into a new folder under ``root``; returns the
    recorder (``.folder``, ``.stop()``). Raises ``UserError`` for an unwritable root."""
    src = pipeline.source
    # A slow-motion file is recorded on its real time base (frame times / capture_fps).
    capture_fps = getattr(src, "capture_fps", None)
    rec = SessionRecorder(root, source=source or getattr(src, "name", ""), view=view,
                          facing=facing,
                          fps=float(capture_fps or getattr(src, "nominal_fps", 30.0) or 30.0),
                          width=getattr(src, "width", None), height=getattr(src, "height", None),
                          capture_fps=capture_fps, **kwargs)
    rec.start(pipeline)
    return rec

