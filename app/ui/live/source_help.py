"""No camera is never silent: when there is no live video (no camera found, the camera
cannot be opened or was lost, the video ended), say what is wrong and offer the ways
out — pick a camera, open a video, use the demo runner — where the user is: in the live
window's banner, in the guided session's camera check, and when R is pressed.

:class:`SourceChoices` is the row of three buttons; :func:`video_problem` the sentence for
the window's pipeline ('' when live video flows); :class:`NoVideoHelp` keeps the banner
and its buttons in step with the pipeline (4 Hz timer). GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QToolButton, QWidget

WAY_OUT = ("Choose a camera, open a video (Ctrl+O) or use the demo runner.")
NO_CAMERA_BANNER = ("No camera found — showing the built-in demo runner. Connect a camera and "
                    "choose it under File → Camera, or open a video with File → Open video (Ctrl+O).")
CHECK_MS = 250


def startup_source(window) -> str:  # noqa: ANN001 - MainWindow
    """The source a window starts with: the saved camera (or the first one found), else
    the demo runner with a banner saying how to get a camera or a video."""
    from app.capture.camera import list_cameras

    cams = list_cameras()
    if not cams:
        window.show_banner(NO_CAMERA_BANNER, sticky=True)
        return "demo"
    dev = window.settings.camera.device
    idx = dev if any(c.index == dev for c in cams) else cams[0].index
    return f"camera:{idx}"


def ask_for_video(window) -> None:  # noqa: ANN001 - MainWindow
    """File → Open video: a file dialog in the last video folder; the chosen video plays."""
    from dataclasses import replace
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    start = window.settings.display.last_video_dir or str(Path.home())
    path, _ = QFileDialog.getOpenFileName(window, "Open video", start,
                                          "Videos (*.mp4 *.mov *.avi *.mkv *.webm);;All files (*)")
    if path:
        window.settings = replace(window.settings, display=replace(
            window.settings.display, last_video_dir=str(Path(path).parent)))
        window.save_settings_now()
        window.set_source(path)


def fill_camera_menu(menu: QMenu, on_pick) -> None:  # noqa: ANN001 - callable(int)
    """The cameras found, as actions of ``menu`` (``on_pick(index)``), or a disabled
    'No camera found' line."""
    from app.capture.camera import list_cameras

    menu.clear()
    cams = list_cameras()
    if not cams:
        a = menu.addAction("No camera found — connect one and try again")
        a.setEnabled(False)
    for cam in cams:
        a = menu.addAction(cam.label)
        a.triggered.connect(lambda _=False, i=cam.index: on_pick(i))


def video_problem(window) -> str:  # noqa: ANN001 - MainWindow
    """One sentence when the window has no live video (what is wrong), '' when it has."""
    pipe = window.pipeline
    if pipe is None:
        return "The video is stopped."
    st = pipe.status()
    if st.state in ("error", "ended", "reconnecting", "frozen") or not pipe.running:
        return st.message or f"{st.source_name} gives no video."
    return ""


class SourceChoices(QWidget):
    """Three ways to get live video. Signals: ``camera_chosen(int)``, ``open_video()``,
    ``demo()``."""

    camera_chosen = Signal(int)
    open_video = Signal()
    demo = Signal()

    def __init__(self, parent: QWidget | None = None, dark: bool = False) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.b_camera = QToolButton()
        self.b_camera.setText("Choose a camera ▾")
        self.b_camera.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.b_camera)
        self.menu.aboutToShow.connect(self.fill_cameras)
        self.b_camera.setMenu(self.menu)
        self.b_video = QPushButton("Open a video…")
        self.b_demo = QPushButton("Use the demo runner")
        for b in (self.b_camera, self.b_video, self.b_demo):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lay.addWidget(b)
        self.b_video.clicked.connect(self.open_video)
        self.b_demo.clicked.connect(self.demo)
        self.fill_cameras()

    def fill_cameras(self) -> None:
        fill_camera_menu(self.menu, self.camera_chosen.emit)

    def connect_window(self, window) -> None:  # noqa: ANN001 - MainWindow
        self.camera_chosen.connect(lambda i: window.set_source(f"camera:{i}"))
        self.open_video.connect(window.open_video_dialog)
        self.demo.connect(lambda: window.set_source("demo"))


class NoVideoHelp(QObject):
    """The live window's banner says why there is no video and shows the ways out."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        super().__init__(window)
        self.w = window
        self.choices = SourceChoices()
        self.choices.connect_window(window)
        self.choices.hide()
        window.banner_box.layout().insertWidget(1, self.choices)
        self.text = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_MS)

    def check(self) -> None:
        w = self.w
        # stopped with Space / Stop, or a video that ended: the window says so itself
        problem = video_problem(w) if w.pipeline is not None else ""
        if problem:
            self.text = f"{problem} {WAY_OUT}"
            if problem not in w.banner.text() or not w.banner_box.isVisible():
                w.show_banner(self.text)
        self.choices.setVisible(bool(problem) and w.banner_box.isVisible())

    def nothing_to_record(self) -> str:
        """The sentence for R without live video."""
        problem = video_problem(self.w)
        return f"Nothing to record: {problem} {WAY_OUT}"

    def close(self) -> None:
        self.timer.stop()
