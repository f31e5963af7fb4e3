"""The comparison window's menus, keys and buttons (GUI thread): one action per command,
its shortcut active wherever the focus is, the panel's buttons and check boxes tied to it."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from app.compare.sync import KEY_LABELS

SPEEDS = (0.1, 0.2, 0.25, 0.5, 0.75, 1.0)


def build_actions(v) -> None:  # noqa: ANN001 - CompareView
    """Menus, shortcuts (wherever the focus is) and the panel buttons, tied to the view's slots."""
    ui = v.ui
    m_file = v.menuBar().addMenu("&File")
    m_play = v.menuBar().addMenu("&Playback")
    m_draw = v.menuBar().addMenu("&Draw")

    def act(menu, text, keys, slot, checkable=False) -> QAction:
        a = QAction(text, v, checkable=checkable)
        if keys:
            a.setShortcuts([QKeySequence(k) for k in keys])
        a.triggered.connect(slot)
        menu.addAction(a)
        v.addAction(a)
        return a

    act(m_file, "Before: video file…", [], lambda: v._pick(0, "video"))
    act(m_file, "After: video file…", [], lambda: v._pick(1, "video"))
    act(m_file, "Before: session…", [], lambda: v._pick(0, "session"))
    act(m_file, "After: session…", [], lambda: v._pick(1, "session"))
    m_file.addSeparator()
    v.act_pdf = act(m_file, "Export PDF report…", [], lambda: v.export("pdf"))
    v.act_mp4 = act(m_file, "Export side-by-side video…", [], lambda: v.export("mp4"))
    v.act_csv = act(m_file, "Export steps CSV…", [], lambda: v.export("csv"))
    m_file.addSeparator()
    act(m_file, "Close", ["Ctrl+W"], v.close)

    v.act_play = act(m_play, "Play / pause", ["Space"], v.toggle_play)
    v.act_back = act(m_play, "Frame back", ["Left", ","], lambda: v.step(-1))
    v.act_fwd = act(m_play, "Frame forward", ["Right", "."], lambda: v.step(1))
    m_play.addSeparator()
    v.jump_actions = {}
    for kind, key in (("IC", "I"), ("MS", "M"), ("TO", "T")):
        nxt = act(m_play, f"Next {KEY_LABELS[kind]}", [key], lambda _=False, k=kind: v.jump(k, 1))
        prv = act(m_play, f"Previous {KEY_LABELS[kind]}", [f"Shift+{key}"],
                  lambda _=False, k=kind: v.jump(k, -1))
        v.jump_actions[kind] = (prv, nxt)
    m_play.addSeparator()
    v.act_loop = act(m_play, "Loop one stride", ["L"], v.set_loop, True)
    v.act_sync = act(m_play, "Sync by gait events", ["S"], v.set_sync, True)
    v.act_overlay = act(m_play, "Overlay the clips", ["O"],
                           lambda on: v.set_mode("overlay" if on else "side"), True)
    v.act_skel = act(m_play, "Skeleton and angles", ["K"], v._push_specs, True)
    v.act_skel.setChecked(True)
    v.act_faster = act(m_play, "Faster", ["Up"], lambda: v._speed_step(1))
    v.act_slower = act(m_play, "Slower", ["Down"], lambda: v._speed_step(-1))
    v.act_undo = act(m_draw, "Undo last drawing", ["Ctrl+Z"], v.undo_drawing)
    act(m_draw, "Clear drawings on these frames", [], v.clear_drawings)
    act(m_draw, "Stop drawing", ["Escape"], lambda: v.set_tool("none"))
    # buttons share the actions
    ui.b_play.clicked.connect(v.toggle_play)
    ui.b_back.clicked.connect(lambda: v.step(-1))
    ui.b_fwd.clicked.connect(lambda: v.step(1))
    for kind, (b_prev, b_next) in ui.b_jump.items():
        b_prev.clicked.connect(lambda _=False, k=kind: v.jump(k, -1))
        b_next.clicked.connect(lambda _=False, k=kind: v.jump(k, 1))
    ui.c_loop.toggled.connect(v.act_loop.setChecked)
    v.act_loop.toggled.connect(ui.c_loop.setChecked)
    v.act_loop.toggled.connect(v.set_loop)
    ui.c_sync.toggled.connect(v.act_sync.setChecked)
    v.act_sync.toggled.connect(ui.c_sync.setChecked)
    v.act_sync.toggled.connect(v.set_sync)
    ui.c_skel.toggled.connect(v.act_skel.setChecked)
    v.act_skel.toggled.connect(ui.c_skel.setChecked)
    v.act_skel.toggled.connect(v._push_specs)
    ui.c_zoom.toggled.connect(v._reset_crops)
    ui.mode.currentIndexChanged.connect(lambda i: v.set_mode("overlay" if i == 1 else "side"))
    v.act_overlay.toggled.connect(lambda on: ui.mode.setCurrentIndex(1 if on else 0))
    ui.opacity.valueChanged.connect(v._set_opacity)
    ui.speed.currentIndexChanged.connect(lambda i: v.set_speed(SPEEDS[i]))
    ui.slider.sliderMoved.connect(lambda v: v.seek(v / 1000.0))
    ui.slider.valueChanged.connect(v._slider_changed)
    ui.b_compare.clicked.connect(lambda: v.load(ui.spec_a.text(), ui.spec_b.text()))
    for i, (bv, bs) in enumerate(((ui.b_video_a, ui.b_session_a), (ui.b_video_b, ui.b_session_b))):
        bv.clicked.connect(lambda _=False, k=i: v._pick(k, "video"))
        bs.clicked.connect(lambda _=False, k=i: v._pick(k, "session"))
    for tool, b in ui.tool_buttons.items():
        b.clicked.connect(lambda _=False, t=tool: v.set_tool(t))
    ui.b_undo.clicked.connect(v.undo_drawing)
    ui.b_clear.clicked.connect(v.clear_drawings)
    ui.b_pdf.clicked.connect(lambda: v.export("pdf"))
    ui.b_mp4.clicked.connect(lambda: v.export("mp4"))
    ui.b_csv.clicked.connect(lambda: v.export("csv"))
    ui.speed.setCurrentIndex(SPEEDS.index(1.0))
