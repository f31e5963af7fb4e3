"""Two views in the live window: the side camera and a rear (or front) camera at once.

:class:`TwoViews` belongs to the live window (GUI thread). With a second camera set
(Setup → Cameras, ``--source rear=…``) the window's pipeline is a
:class:`app.pose.multiview.MultiViewPipeline`: one capture thread and pose model per
view on one clock; the side view times the steps and the rear view's metrics are
attached to them (``app.pose.fusion``). The window keeps its primary (side)
``LivePipeline`` as ``window.pipeline``; this link

* builds the multi-view pipeline (the demo runner filmed by two cameras in step when
  both sources are ``demo``),
* shows the second video beside the first (:class:`app.ui.live.dual_video.VideoArea`:
  side by side, or one large and one small — V), with its own overlay and contacts,
* keeps the *runner's view* (W): large, alone in wall mode, the mirror (M) and the
  cadence box apply to it,
* says the second view's health and the camera offset in the status bar, its stalls and
  reconnects in the banner,
* runs a framing check per camera for the Setup panel (2 Hz while it is open).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from app.errors import UserError
from app.types import Facing, View

FRAMING_MS = 500


def stream_spec(text: str) -> bool:
    low = text.strip().lower()
    return "://" in low and low.split("://", 1)[0] in ("rtsp", "rtsps", "http", "https")


class TwoViews(QObject):
    """The window's second camera (see the module docstring)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        super().__init__(window)
        self.w = w = window
        self.mv = None                  # app.pose.multiview.MultiViewPipeline while running
        self.problem = ""               # why the second camera could not start ('' = none)
        self._seq = -1
        self._ic_t: int | None = None
        self._guides: dict[int, object] = {}    # camera index → FramingGuide
        self._framing_seq = {0: -1, 1: -1}
        d = w.settings.display
        from app.ui.live.cameras_panel import CamerasBox

        self.box = CamerasBox(d.second_view, d.second_source)
        self.box.second_changed.connect(self.set_second)
        w.setup.layout().insertWidget(1, self.box)  # after "Runner and view"
        self.st_views = QLabel()
        self.st_views.hide()
        w.statusBar().addPermanentWidget(self.st_views)
        self.act_layout = QAction("Two views: one large, one small", w, checkable=True,
                                  shortcut=QKeySequence("V"))
        self.act_layout.toggled.connect(self._set_layout)
        self.act_runner = QAction("Runner's view: the second camera", w, checkable=True,
                                  shortcut=QKeySequence("W"))
        self.act_runner.setToolTip("The view the runner watches: large, alone in wall mode "
                                   "(F), mirrored with M")
        self.act_runner.toggled.connect(lambda on: self.set_runner_view(
            self.second_view if on and self.second_view else View.SIDE))
        w.video_area.picked.connect(self._picked)
        m_view = next(a.menu() for a in w.menuBar().actions() if a.text() == "&View")
        m_view.addSeparator()
        for a in (self.act_layout, self.act_runner):
            m_view.addAction(a)
            w.addAction(a)  # V and W in wall mode too
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.framing_tick)
        self.timer.start(FRAMING_MS)
        self.sync()

    # ================================================================ settings
    @property
    def second_view(self) -> View | None:
        v = self.w.settings.display.second_view
        return View(v) if v else None

    def views(self) -> tuple[View, ...]:
        """The views measured now: (side, rear|front) with two cameras, else the one."""
        second = self.second_view
        return (View.SIDE, second) if second else (View(self.w.settings.runner.view),)

    def runner_view(self) -> View:
        """The view the runner watches (the only one with one camera)."""
        views = self.views()
        v = View(self.w.settings.display.runner_view)
        return v if len(views) > 1 and v in views else views[0]

    def second_spec(self) -> str:
        """The second camera's source as it is opened (a stream with its credentials)."""
        text = self.w.settings.display.second_source
        if stream_spec(text):
            from app.session.credentials import full_stream_url

            return full_stream_url(text)
        return text

    def set_second(self, view: str, spec: str) -> bool:
        """Setup → Cameras: ``view`` '' (one camera), 'rear' or 'front' with the second
        camera's ``spec``; restarts the video. False (and the reason under the box) for a
        spec that cannot be used."""
        w = self.w
        shown = ""
        if view:
            from app.capture.source_spec import parse_source

            try:
                sp = parse_source(spec)
            except UserError as exc:
                self.box.show_problem(str(exc))
                return False
            body = replace(sp, view=None)
            shown = body.text
            if sp.kind == "stream":
                from app.session.credentials import save_stream_url

                shown = save_stream_url(sp.target)  # the password stays out of the settings
        self.box.show_problem("")
        s = w.settings
        d = replace(s.display, second_view=view, second_source=shown or s.display.second_source)
        runner = replace(s.runner, view=View.SIDE.value) if view else s.runner
        w.settings = replace(s, display=d, runner=runner)
        w.setup.settings = w.settings
        w.setup.show_views(self.views())
        self.sync()
        w.apply_views()
        w.save_settings_now()
        if w.source_spec is not None:
            w.set_source(w.source_spec)
        return True

    def set_runner_view(self, view: View) -> None:
        """The runner watches ``view``: large, alone on the wall, mirrored with M."""
        w = self.w
        w.settings = replace(w.settings, display=replace(w.settings.display, runner_view=View(view).value))
        self.sync()
        w.apply_views()
        w.save_settings_now()

    def _picked(self, index: int) -> None:
        if len(self.views()) > 1:
            self.set_runner_view(self.views()[index])

    def _set_layout(self, large_small: bool) -> None:
        w = self.w
        name = "large_small" if large_small else "side_by_side"
        w.settings = replace(w.settings, display=replace(w.settings.display, two_view_layout=name))
        w.video_area.set_layout(name)
        w.save_settings_now()

    def sync(self) -> None:
        """Videos, actions and the Cameras box follow the settings (GUI thread)."""
        w = self.w
        d = w.settings.display
        two = self.second_view is not None
        area = w.video_area
        second = area.set_second(two)
        if second is not None:
            second.skeleton = w.video.skeleton
            second.wall = w.video.wall
            for v in area.videos():
                v.setMinimumSize(120, 90)
        area.set_layout(d.two_view_layout)
        area.set_runner_index(1 if two and self.runner_view() is self.second_view else 0)
        for a, on in ((self.act_layout, d.two_view_layout == "large_small"),
                      (self.act_runner, two and self.runner_view() is self.second_view)):
            a.blockSignals(True)
            a.setChecked(on)
            a.blockSignals(False)
        self.act_layout.setEnabled(two)
        self.act_runner.setEnabled(two)
        if two:
            self.act_runner.setText(f"Runner's view: {self.second_view.value} "
                                    f"(else {View.SIDE.value})")
        self.box.show_mode(d.second_view, d.second_source)
        self.st_views.setVisible(two)

    def apply_display(self) -> bool:
        """Mirror and badges of the videos from the settings; returns the runner's view's
        mirror (for the M action). Only the runner's view is ever mirrored."""
        w = self.w
        d = w.settings.display
        runner = self.runner_view()
        area = w.video_area
        mirror = d.mirror_for(runner.value)
        two = len(self.views()) > 1
        for v, view in zip(area.videos(), self.views()):
            v.mirror = mirror if (view is runner or not two) else False
        self._badges()
        return mirror

    def _badges(self) -> None:
        w = self.w
        demo = w.pipeline is not None and w.pipeline.source.kind == "demo"
        if len(self.views()) == 1:
            w.video.badge = "DEMO" if demo else ""
            return
        for v, view in zip(w.video_area.videos(), self.views()):
            v.badge = view.value.upper() + (" · DEMO" if demo else "")

    # ================================================================ pipeline
    def demo_kwargs(self) -> dict:
        w = self.w
        r = w.settings.runner
        kw = dict(facing=Facing.LEFT if r.facing != "right" else Facing.RIGHT,
                  runner_height_m=r.height_cm / 100.0)
        kw.update(w.demo_params)
        return kw

    def build(self, source, facing: Facing | None, region):  # noqa: ANN001, ANN201
        """The multi-view pipeline for the primary ``source`` (the side camera) and the
        second camera, or None with one camera (or when the second cannot be opened: the
        reason goes to the Cameras box and the banner, the side view runs alone)."""
        from app.capture.live import open_source
        from app.pose.multiview import MultiViewPipeline, ViewSource

        self.mv = None
        self._seq, self._ic_t = -1, None
        self._guides.clear()
        view2 = self.second_view
        if view2 is None:
            return None
        spec = self.second_spec()
        try:
            if source.kind == "demo" and spec.strip().lower() == "demo":
                from app.capture.demo_rig import DemoRig

                rig = DemoRig(**self.demo_kwargs())  # one runner, two cameras in step
                source, second = rig.camera(View.SIDE), rig.camera(view2)
            else:
                second = open_source(spec)
        except UserError as exc:
            self.problem = f"The {view2.value} camera cannot be used: {exc}"
            self.box.show_problem(self.problem)
            self.w.show_banner(self.problem)
            return None
        self.problem = ""
        self.mv = MultiViewPipeline([
            ViewSource(View.SIDE, source, facing, region, self.w.source_spec or ""),
            ViewSource(view2, second, None, None, self.w.settings.display.second_source)])
        return self.mv

    def stopped(self) -> None:
        self.mv = None
        if self.w.video_area.second is not None:
            self.w.video_area.second.clear()

    # ================================================================ timers (GUI thread)
    def display_tick(self) -> None:
        """The second video: newest result, overlay, contact flash."""
        from app.pose.overlay import build_overlay

        mv, video = self.mv, self.w.video_area.second
        view = self.second_view
        if mv is None or video is None or view is None or view not in mv.pipes:
            return
        res = mv.latest(view)
        if res is None or res.seq == self._seq:
            return
        mv.pipes[view].scaler.request = ((video.width(), video.height()), video.mirror)
        self._seq = res.seq
        ic = res.last_ic
        if ic is not None and ic.t_ns != self._ic_t:
            from app.ui.live.video_view import heel_at

            self._ic_t = ic.t_ns
            video.flash(heel_at([(res.frame.t_ns, res.landmarks)], ic.t_ns, ic.foot.value))
        if res.landmarks is None:
            video.message = "No runner in view — the whole body, head to feet, must be visible."
        elif video.message.startswith("No runner"):
            video.message = ""
        video.show_frame(res.frame.image, build_overlay(res.landmarks, res.view, 1.0, None,
                                                       res.stance_foot, res.roll_deg,
                                                       res.on_ground),
                         res.display)

    def snapshot(self):  # noqa: ANN201 - MetricSnapshot | None
        """Both views' metrics on the side view's steps (None with one camera)."""
        return self.mv.snapshot() if self.mv is not None else None

    def status_tick(self) -> str:
        """Status bar figures of the second view; returns a banner sentence for it ('' when
        it runs well)."""
        mv, view = self.mv, self.second_view
        if mv is None or view is None or view not in mv.pipes:
            if view is not None:
                self.st_views.setText(f"{view.value.capitalize()}: off")
            return self.problem
        st = mv.status()
        vs = st.view(view)
        off = st.offset
        off_text = "—" if off.offset_ms is None else f"{off.offset_ms:+.0f} ms"
        rate = " (half rate)" if vs.rate_divisor > 1 else ""
        self.st_views.setText(f"{view.value.capitalize()} {vs.pose_fps:4.1f} fps{rate} · "
                              f"offset {off_text}")
        self.st_views.setToolTip(
            f"{vs.source_name}: camera {vs.camera_fps:.1f}/{vs.nominal_fps:g} fps, pose "
            f"{vs.pose_fps:.1f} fps, dropped {vs.dropped}, gaps {vs.gaps} ({vs.gap_s:.1f} s)."
            f"\nCamera offset {view.value} − side: {off_text} from {off.n_pairs} contact pairs.")
        banners = [b for b in st.banners if not b.startswith(View.SIDE.value.capitalize())]
        return " ".join(banners)

    def framing_tick(self) -> None:
        """A framing check per camera for the Setup panel (only while it is shown)."""
        from app.protocol.framing import FramingGuide
        from app.ui.live.source_help import video_problem

        w = self.w
        if not w.setup_dock.isVisible():
            return
        views = self.views()
        pipes = [w.pipeline] if self.mv is None else [self.mv.pipes[v] for v in views if v in self.mv.pipes]
        for i, view in enumerate(views):
            pipe = pipes[i] if i < len(pipes) else None
            guide = self._guides.get(i)
            if guide is None or guide.view != view.value:
                guide = self._guides[i] = FramingGuide(view.value)
                self._framing_seq[i] = -1
            problem = ""
            if pipe is None:
                problem = self.problem or "This camera is not running."
            elif i == 0:
                problem = video_problem(w)
            else:
                st = pipe.status()
                if st.state in ("error", "ended", "reconnecting", "frozen"):
                    problem = st.message or f"{st.source_name} gives no video."
            res = pipe.latest() if pipe is not None else None
            if res is not None and res.seq != self._framing_seq[i] and not problem:
                self._framing_seq[i] = res.seq
                f = res.frame
                guide.update(res.landmarks, f.image, f.width, f.height)
            name = pipe.source.name if pipe is not None else ""
            title = f"{view.value.capitalize()} camera" + (f" — {name}" if name else "")
            self.box.set_framing(i, title, guide.report(), problem)

    def close(self) -> None:
        self.timer.stop()
