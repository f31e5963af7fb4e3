"""How the live window is put together (GUI thread): its widgets, menus and toolbar.

Functions of the :class:`~app.ui.live.main_window.MainWindow` being built (``w``); they
set the attributes the window and its links use (``w.video``, ``w.act_run``, ...).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget, QHBoxLayout, QLabel, QMenu, QPushButton, QScrollArea, QSplitter,
    QStackedWidget, QToolBar, QVBoxLayout, QWidget,
)

from app.ui.live.dual_video import VideoArea
from app.ui.live.home_view import HomeView
from app.ui.live.plots import LivePlots
from app.ui.live.setup_panel import SetupPanel
from app.ui.live.source_help import fill_camera_menu
from app.ui.live.tiles import TilesPanel
from app.ui.live.video_view import VideoView
from app.ui.shared.selftest_dialog import add_selftest_action


def build_widgets(w) -> None:  # noqa: ANN001 - MainWindow
    """The window's widgets: video, tiles, plots, home view, banner, Setup dock, status bar."""
    w.video = VideoView()
    w.tiles = TilesPanel()
    w.plots = LivePlots()
    w.home = HomeView()  # driven by app.ui.live.home_practice.HomePractice

    w.banner = QLabel()
    w.banner.setWordWrap(True)
    w.banner.setStyleSheet("background:#ffca28; color:#000; padding:8px; font-size:15px;")
    w.banner_close = QPushButton("✕")
    w.banner_close.setFixedWidth(32)
    w.banner_close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    w.banner_close.clicked.connect(w._dismiss_banner)
    w.banner_box = QWidget()
    bl = QHBoxLayout(w.banner_box)
    bl.setContentsMargins(0, 0, 0, 0)
    bl.addWidget(w.banner, 1)
    bl.addWidget(w.banner_close)
    w.banner_box.hide()

    tiles_scroll = QScrollArea()
    tiles_scroll.setWidget(w.tiles)
    tiles_scroll.setWidgetResizable(True)
    tiles_scroll.setMinimumWidth(230)  # one column of tiles when narrow
    tiles_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    w.video_area = VideoArea(w.video)  # the second camera's video joins it (two_view)
    w.top_split = QSplitter(Qt.Orientation.Horizontal)
    w.top_split.addWidget(w.video_area)
    w.top_split.addWidget(tiles_scroll)
    w.top_split.setStretchFactor(0, 3)
    w.top_split.setStretchFactor(1, 1)
    w.side_panel = tiles_scroll
    w.main_split = QSplitter(Qt.Orientation.Vertical)
    w.main_split.addWidget(w.top_split)
    w.main_split.addWidget(w.plots)
    w.main_split.setStretchFactor(0, 3)
    w.main_split.setStretchFactor(1, 1)
    w.main_split.setSizes([700, 260])
    w.top_split.setSizes([1100, 440])

    w.stack = QStackedWidget()
    w.stack.addWidget(w.main_split)
    w.stack.addWidget(w.home)
    central = QWidget()
    cl = QVBoxLayout(central)
    cl.setContentsMargins(0, 0, 0, 0)
    cl.setSpacing(0)
    cl.addWidget(w.banner_box)
    cl.addWidget(w.stack, 1)
    w.setCentralWidget(central)

    w.setup = SetupPanel(w.settings)
    w.setup.settings_changed.connect(w._on_settings_changed)
    w.setup.demo_changed.connect(w._on_demo_changed)
    scroll = QScrollArea()
    scroll.setWidget(w.setup)
    scroll.setWidgetResizable(True)
    w.setup_dock = QDockWidget("Setup", w)
    w.setup_dock.setObjectName("setup")
    w.setup_dock.setWidget(scroll)
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.setup_dock)
    w.setup_dock.hide()

    sb = w.statusBar()
    w.st_source = QLabel()
    w.st_cam = QLabel()
    w.st_pose = QLabel()
    w.st_drop = QLabel()
    w.st_lat = QLabel()
    w.st_gui = QLabel()
    w.st_audio = QLabel("Audio: off")
    w.st_roll = QLabel()  # a rear/front camera's roll, while one is corrected for
    w.st_roll.setToolTip("The camera is not level: the side-to-side angles are corrected for "
                         "the turn found, less precisely than with a level camera.")
    w.st_roll.hide()
    for label in (w.st_source, w.st_cam, w.st_pose, w.st_drop, w.st_lat, w.st_gui, w.st_roll,
                  w.st_audio):
        sb.addPermanentWidget(label)


def build_menus(w) -> None:  # noqa: ANN001 - MainWindow
    """File, View and Help menus, the toolbar and the window's shortcuts."""
    mb = w.menuBar()
    m_file = mb.addMenu("&File")
    w.act_open = QAction("Open video…", w, shortcut=QKeySequence.StandardKey.Open)
    w.act_open.triggered.connect(w.open_video_dialog)
    w.act_demo = QAction("Demo runner", w)
    w.act_demo.triggered.connect(lambda: w.set_source("demo"))
    w.m_camera = m_file.addMenu("Camera")
    w.m_camera.aboutToShow.connect(
        lambda: fill_camera_menu(w.m_camera, lambda i: w.set_source(f"camera:{i}")))
    m_file.addAction(w.act_open)
    m_file.addAction(w.source_prefs.act_capture)
    m_file.addAction(w.act_demo)
    w.act_sessions = QAction("Sessions…", w, shortcut=QKeySequence("Ctrl+B"))
    w.act_sessions.triggered.connect(w.show_sessions)
    m_file.addAction(w.act_sessions)
    w.act_compare = QAction("Compare…", w, shortcut=QKeySequence("Ctrl+Shift+C"))
    w.act_compare.triggered.connect(lambda: w.show_compare())
    m_file.addAction(w.act_compare)
    m_file.addSeparator()
    w.act_quit = QAction("Quit", w, shortcut=QKeySequence("Ctrl+Q"))  # every platform
    w.act_quit.triggered.connect(w.close)
    m_file.addAction(w.act_quit)

    m_view = mb.addMenu("&View")
    w.act_run = QAction("Start / stop", w, shortcut=QKeySequence(Qt.Key.Key_Space))
    w.act_run.triggered.connect(w.toggle_running)
    w.act_mirror = QAction("Mirror", w, checkable=True, shortcut=QKeySequence("M"))
    w.act_mirror.toggled.connect(w._set_mirror)
    w.act_skel = QAction("Skeleton overlay", w, checkable=True, shortcut=QKeySequence("K"))
    w.act_skel.toggled.connect(w._set_skeleton)
    w.act_metro = QAction("Metronome", w, checkable=True, shortcut=QKeySequence("T"))
    w.act_metro.toggled.connect(w.set_metronome)
    w.act_full = QAction("Full screen (wall)", w, checkable=True, shortcut=QKeySequence("F"))
    w.act_full.toggled.connect(w.set_wall_mode)
    w.act_exit_full = QAction("Leave full screen", w, shortcut=QKeySequence(Qt.Key.Key_Escape))
    w.act_exit_full.triggered.connect(lambda: w.act_full.setChecked(False))
    grp = QActionGroup(w)
    w.act_clinic = QAction("Clinic layout", w, checkable=True)
    w.act_home = QAction("Home practice layout", w, checkable=True, shortcut=QKeySequence("H"))
    for a in (w.act_clinic, w.act_home):
        grp.addAction(a)
    w.act_clinic.triggered.connect(lambda: w.set_layout("clinic"))
    w.act_home.triggered.connect(lambda: w.set_layout("home"))
    w.act_setup = w.setup_dock.toggleViewAction()
    w.act_setup.setText("Setup panel")
    w.act_setup.setShortcut(QKeySequence("Ctrl+,"))
    for a in (w.act_run, w.act_mirror, w.act_skel, w.act_metro, w.act_full,
              w.act_exit_full, w.region_link.act_auto):
        m_view.addAction(a)
    m_view.addSeparator()
    m_view.addAction(w.act_clinic)
    m_view.addAction(w.act_home)
    m_view.addAction(w.act_setup)
    for a in (w.act_run, w.act_mirror, w.act_skel, w.act_metro, w.act_full,
              w.act_exit_full, w.act_home, w.act_quit):
        w.addAction(a)  # shortcuts work while menus are hidden (wall mode)

    m_help = mb.addMenu("&Help")
    w.act_about = QAction("About GaitCoach", w)
    w.act_about.triggered.connect(w.show_about)
    m_help.addAction(w.act_about)
    w.act_selftest = add_selftest_action(w, m_help)

    tb = QToolBar("Session")
    tb.setObjectName("session_toolbar")
    tb.setMovable(False)
    for a in (w.act_run, w.act_open, w.act_demo, w.act_mirror, w.act_skel,
              w.act_metro, w.act_full, w.act_setup):
        tb.addAction(a)
    w.toolbar = tb
    w.addToolBar(tb)


def build_feedback_menus(w) -> None:  # noqa: ANN001 - MainWindow
    """The Feedback panel toggle (View) and the Tools menu, after the feedback link exists."""
    act = w.fb.dock.toggleViewAction()
    act.setText("Feedback panel")
    act.setShortcut(QKeySequence("Ctrl+."))
    w.menuBar().actions()[1].menu().addAction(act)  # View
    w.act_feedback = act
    m_tools = QMenu("&Tools", w)
    w.menuBar().insertMenu(w.menuBar().actions()[-1], m_tools)  # before Help
    w.act_cues = QAction("Cues…", w)
    w.act_cues.triggered.connect(w.fb.open_cue_editor)
    m_tools.addAction(w.act_cues)
    w.toolbar.addAction(act)
