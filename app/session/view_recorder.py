"""The second view of a two-view recording: its video, landmarks and own events, in a
sub-folder of the session (``rear/`` or ``front/``), crash-safe like the first view.

Threads: the view's pose worker hands each processed frame to :meth:`on_frame` (never
blocks: a full queue drops and counts the frame); the recorder thread of this view owns
its files. Times are on the *session* clock: seconds from the primary view's first
recorded frame (``t0_ns()``, given by the primary recorder), so both landmark files and
the one steps stream share one time line; frames that arrive before the session's first
frame are not recorded. The video's own timestamps start at its first frame
(``video_start_s`` in the manifest says where that is on the session clock).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from app.session import folder as sf
from app.session.recorder import QUEUE_FRAMES, RECORDER_NICE, CsvAppender, _Inbox, \
    _lower_thread_priority
from app.types import Facing, PoseSample, View


class ViewMediaRecorder:
    """Records one secondary view into ``folder / view.value``."""

    def __init__(self, folder: Path, view: View, *, source: str, fps: float,
                 t0_ns: Callable[[], int | None], facing: Facing | None = None,
                 queue_frames: int = QUEUE_FRAMES) -> None:
        self.view = View(view)
        self.dir_name = self.view.value
        self.dir = Path(folder) / self.dir_name
        self.source, self.fps, self.facing = source, float(fps or 30.0), facing
        self._t0 = t0_ns
        self._inbox = _Inbox(queue_frames)
        self._thread = threading.Thread(target=self._run, name=f"view-recorder:{self.dir_name}",
                                        daemon=True)
        self._stopping = False
        self.state = "new"
        self.message = ""
        self.dropped = 0
        self.frames = 0
        self.width: int | None = None
        self.height: int | None = None
        self._video = None
        self._lm = None
        self._events: CsvAppender | None = None
        self._first_rel_ns: int | None = None
        self._last_rel_ns: int | None = None
        self._index_of: dict[int, int] = {}
        self._pipeline = None

    # -- control (caller's thread) ---------------------------------------------------
    def start(self, pipeline) -> None:
        """Make the sub-folder, start the thread and tap ``pipeline`` (a LivePipeline).
        OSError when the folder cannot be made."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._events = CsvAppender(self.dir / sf.EVENTS, sf.EVENTS_COLUMNS)
        self.state = "recording"
        self._thread.start()
        self._pipeline = pipeline
        pipeline.worker.frame_sink = self.on_frame
        pipeline.add_listener(self.on_steps)

    def stop(self, timeout: float | None = 120.0) -> None:
        """Stop taking frames, finish the files (video remuxed to MP4) and wait."""
        pipe, self._pipeline = self._pipeline, None
        if pipe is not None:
            if pipe.worker.frame_sink == self.on_frame:
                pipe.worker.frame_sink = None
            try:
                pipe.worker.listeners.remove(self.on_steps)
            except ValueError:
                pass
        if not self._stopping and self.state == "recording":
            self._stopping = True
            self._inbox.put("stop")
        if self._thread.is_alive():
            self._thread.join(timeout)

    def manifest_entry(self) -> dict[str, Any]:
        """This view's entry of the manifest's ``views`` list."""
        done = self.state == "complete"
        return {"view": self.view.value, "dir": self.dir_name, "source": self.source,
                "fps": self.fps, "width": self.width, "height": self.height,
                "facing": self.facing.value if self.facing else None,
                "video": f"{self.dir_name}/{sf.VIDEO_MP4 if done else sf.VIDEO_MKV}",
                "landmarks": f"{self.dir_name}/{sf.LANDMARKS}",
                "events": f"{self.dir_name}/{sf.EVENTS}",
                "frames": self.frames, "dropped_frames": self.dropped,
                "video_start_s": None if self._first_rel_ns is None
                else round(self._first_rel_ns / 1e9, 6),
                "state": self.state, "message": self.message}

    # -- inputs (pose worker thread) -------------------------------------------------
    def on_frame(self, cap, sample: PoseSample) -> None:
        if self._stopping or self.state != "recording":
            return
        if not self._inbox.put_frame((cap.frame, sample)):
            self.dropped += 1

    def on_steps(self, upd) -> None:
        if not self._stopping and self.state == "recording" and upd.events:
            self._inbox.put("events", upd.events)

    # -- recorder thread ---------------------------------------------------------------
    def _run(self) -> None:
        """Runs on this view's recorder thread."""
        _lower_thread_priority(RECORDER_NICE)
        while True:
            kind, item = self._inbox.get()
            if kind == "stop":
                break
            if self.state != "recording":
                continue
            try:
                if kind == "frame":
                    self._write_frame(*item)
                else:
                    self._write_events(item)
            except OSError as exc:
                self._fail(exc)
        if self.state == "recording":
            try:
                self._finish()
            except (OSError, ValueError) as exc:
                self._fail(exc if isinstance(exc, OSError) else OSError(str(exc)))

    def _write_frame(self, frame, sample: PoseSample) -> None:
        t0 = self._t0()
        if t0 is None or frame.t_ns < t0:
            return  # before the session's first frame
        rel = frame.t_ns - t0
        if self._last_rel_ns is not None and rel <= self._last_rel_ns:
            return
        if self._video is None:
            self._open_media(frame)
            self._first_rel_ns = rel
        i = self.frames
        self._video.write(frame.image, (rel - self._first_rel_ns) // 1_000_000)
        self._lm.write(PoseSample(frame_index=i, t_ns=rel, landmarks=sample.landmarks,
                                  width=sample.width, height=sample.height))
        self.frames += 1
        self._last_rel_ns = rel
        self._index_of[sample.t_ns] = i
        if len(self._index_of) > 900:
            self._index_of.pop(next(iter(self._index_of)))

    def _open_media(self, frame) -> None:
        from app.pose.landmark_file import LandmarkMeta, LandmarkWriter
        from app.session.video import MkvWriter

        self.width, self.height = frame.width, frame.height
        self._video = MkvWriter(self.dir / sf.VIDEO_MKV, frame.width, frame.height, self.fps)
        meta = LandmarkMeta(width=frame.width, height=frame.height, fps=self.fps,
                            view=self.view, facing=self.facing, source=self.source or None,
                            subject_height_cm=None, capture_fps=None)
        self._lm = LandmarkWriter(self.dir / sf.LANDMARKS, meta)

    def _write_events(self, events) -> None:
        t0 = self._t0()
        if t0 is None:
            return
        for ev in events:
            if ev.t_ns < t0:
                continue
            self._events.write({"t_s": round((ev.t_ns - t0) / 1e9, 6),
                                "frame": self._index_of.get(ev.t_ns), "kind": ev.kind.value,
                                "foot": ev.foot.value,
                                "confirmed_t_s": round((ev.confirmed_t_ns - t0) / 1e9, 6)})

    def _close(self) -> None:
        for c in (self._events, self._lm, self._video):
            if c is not None:
                c.close()

    def _finish(self) -> None:
        from app.session.video import remux_to_mp4

        self._close()
        if self.frames == 0:
            self.state = "empty"
            self.message = f"Nothing was recorded from the {self.view.value} view."
            return
        remux_to_mp4(self.dir / sf.VIDEO_MKV, self.dir / sf.VIDEO_MP4)
        try:
            (self.dir / sf.VIDEO_MKV).unlink()
        except OSError:
            pass
        self.state = "complete"

    def _fail(self, exc: OSError) -> None:
        if self._video is not None:
            self._video.abandon()
            self._video = None
        for c in (self._events, self._lm):
            try:
                if c is not None:
                    c.close()
            except OSError:
                pass
        self.message = (f"The {self.view.value} view stopped recording: "
                        f"{sf.disk_error(exc, f'{self.dir} could not be written')}")
        self.state = "failed"
