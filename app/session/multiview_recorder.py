"""Recording a two-view session: both videos, both landmark streams, one events/steps
stream, gaps of either view — crash-safe like a one-view recording.

Layout (docs/SESSION_FORMAT.md, "Two views"): the primary (side) view is recorded exactly
as a one-view session at the folder's top level (``video.mp4``, ``landmarks.csv``,
``events.csv``) — so everything that reads one-view sessions reads a two-view one as its
side view — and ``steps.csv`` holds the fused steps (side timing, rear metrics filled in).
The other view goes to ``rear/`` (or ``front/``): ``video.mp4``, ``landmarks.csv`` and its
own ``events.csv``. ``gaps.csv`` lists every view's gaps. The manifest's ``views`` lists
both views with their files; ``offset_ms`` is the camera offset (other − side).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.session.recorder import RecorderStatus, SessionRecorder
from app.session.view_recorder import ViewMediaRecorder
from app.types import View


class MultiViewRecorder:
    """Records a started or not yet started ``MultiViewPipeline``. ``start()`` returns the
    folder (``UserError`` when it cannot be made); ``stop()`` finishes every file and
    returns the primary recorder's status (``views`` in the manifest say per view)."""

    def __init__(self, mv, root: str | os.PathLike[str] | None = None, *,
                 runner_id: Any = None, template: str | None = None,
                 subject_height_cm: float | None = None) -> None:
        self.mv = mv
        prim = mv.pipes[mv.primary]
        src = prim.source
        specs = {vs.view: (vs.spec_text or getattr(vs.source, "name", "")) for vs in mv.sources}
        self.primary = SessionRecorder(
            root, source=specs[mv.primary], view=mv.primary,
            fps=float(getattr(src, "nominal_fps", 30.0) or 30.0),
            width=getattr(src, "width", None), height=getattr(src, "height", None),
            runner_id=runner_id, template=template, subject_height_cm=subject_height_cm)
        self.others: list[ViewMediaRecorder] = []
        self._specs = specs

    @property
    def folder(self) -> Path | None:
        return self.primary.folder

    def _views_entry(self) -> list[dict[str, Any]]:
        first = {"view": self.mv.primary.value, "dir": "", "source": self._specs[self.mv.primary],
                 "video": None, "landmarks": "landmarks.csv", "events": "events.csv"}
        return [first] + [o.manifest_entry() for o in self.others]

    def _extra(self) -> dict[str, Any]:
        """Manifest keys added on a clean stop (primary recorder thread)."""
        views = self._views_entry()
        views[0]["video"] = self.primary.manifest.get("video")
        views[0]["frames"] = self.primary.status().frames
        views[0]["dropped_frames"] = self.primary.dropped
        views[0]["video_start_s"] = 0.0
        off = self.mv.offset()
        return {"views": views,
                "offset_ms": None if off.offset_ms is None else round(off.offset_ms, 1),
                "offset_pairs": off.n_pairs}

    def start(self) -> Path:
        mv = self.mv
        prim = self.primary
        prim.manifest_extra = self._extra
        folder = prim.start()
        prim.attach(mv.pipes[mv.primary], steps_from=mv)
        for view in mv.views[1:]:
            pipe = mv.pipes[view]
            rec = ViewMediaRecorder(folder, view, source=self._specs[view],
                                    fps=float(getattr(pipe.source, "nominal_fps", 30.0) or 30.0),
                                    t0_ns=lambda: prim.first_frame_ns)
            try:
                rec.start(pipe)
            except OSError as exc:
                prim.stop()
                from app.session import folder as sf

                raise sf.disk_error(exc, f"the {view.value} view's folder in {folder} "
                                         "could not be made") from None
            pipe.capture.gap_listeners.append(lambda g, v=view: prim.on_gap(v, g))
            self.others.append(rec)
        from app.session import folder as sf

        prim.manifest.update(views=self._views_entry(), offset_ms=None)
        sf.write_manifest(folder, prim.manifest)  # the views are known from the start
        return folder

    def status(self) -> RecorderStatus:
        st = self.primary.status()
        msgs = [st.message] + [o.message for o in self.others if o.message]
        dropped = st.dropped + sum(o.dropped for o in self.others)
        return RecorderStatus(st.state, st.folder, st.elapsed_s, st.frames, dropped,
                              st.queued, " ".join(m for m in msgs if m))

    def stop(self, timeout: float | None = 120.0) -> RecorderStatus:
        """Finish the other views first, then the primary (whose clean stop writes the
        manifest with every view), and wait."""
        for view in self.mv.views[1:]:
            cap = self.mv.pipes[view].capture
            gap = cap.open_gap()
            if gap is not None:
                import time

                self.primary.on_gap(view, type(gap)(gap.start_ns, time.perf_counter_ns(),
                                                    gap.reason + ", until the stop"))
        for rec in self.others:
            rec.stop(timeout)
        return self.primary.stop(timeout) if self.primary.folder else self.status()


def view_files(folder: str | os.PathLike[str], manifest: dict | None = None) -> list[dict]:
    """The views of a session folder, primary first: ``{"view", "video" (Path|None),
    "landmarks" (Path), "events" (Path), "dir" (Path)}``. A one-view session gives one
    entry from its top-level files."""
    from app.session import folder as sf

    d = Path(folder)
    m = manifest if manifest is not None else sf.read_manifest(d)
    entries = m.get("views") or [{"view": m.get("view") or "side", "dir": "",
                                  "video": m.get("video"), "landmarks": sf.LANDMARKS,
                                  "events": sf.EVENTS}]
    out = []
    for e in entries:
        vid = e.get("video")
        if e.get("dir") == "" and not vid:
            vid = m.get("video")
        out.append({"view": View(e.get("view") or "side"), "dir": d / (e.get("dir") or ""),
                    "video": d / vid if vid else None,
                    "landmarks": d / (e.get("landmarks") or sf.LANDMARKS),
                    "events": d / (e.get("events") or sf.EVENTS)})
    return out
