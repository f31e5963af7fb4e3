"""Desktop app entry: ``gaitcoach [--source [VIEW=]SPEC …] [--exit-after S]
[--screenshot PNG] [--layout clinic|home] [--wall]``.

``--exit-after S`` is the GUI smoke mode: the real window runs for S seconds, saves a
screenshot when asked, and the process exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

#: --exit-after: seconds to wait for a load that ended with neither clips nor a message
LOAD_GIVE_UP_S = 5.0


def load_outcome(shown: bool, modal, tasks_left: bool, waited_s: float) -> str:  # noqa: ANN001
    """What ``compare --exit-after`` does next after opening clips: 'shown' (the pair is on
    screen), 'failed' (a warning box says why), 'gave up' (no task, no pair and no box after
    ``LOAD_GIVE_UP_S``) or 'wait'. ``modal`` is the active modal widget. A finished task
    alone is no outcome: the worker marks it finished before the GUI thread has closed the
    progress dialog and shown the clips."""
    from PySide6.QtWidgets import QMessageBox

    if shown:
        return "shown"
    if isinstance(modal, QMessageBox):
        return "failed"
    if not tasks_left and modal is None and waited_s > LOAD_GIVE_UP_S:
        return "gave up"
    return "wait"


def add_window_arguments(p) -> None:  # noqa: ANN001 - a parser or an argument group
    """The live window's options (also listed by ``python -m app --help``)."""
    p.add_argument("--source", action="append", metavar="[VIEW=]SPEC",
                   help="demo, camera:N, rtsp://… or http://… (MJPEG), a video file (loop:FILE "
                        "plays it in a loop) or a landmark file; twice for two views: "
                        "--source side=… --source rear=… (default: the saved camera, or the "
                        "demo when no camera is found)")
    p.add_argument("--view", choices=["side", "rear", "front"], help="camera view for this run")
    p.add_argument("--layout", choices=["clinic", "home"], help="window layout for this run")
    p.add_argument("--wall", action="store_true", help="start in full-screen wall mode")
    p.add_argument("--exit-after", type=float, metavar="S", help="quit after S seconds (smoke test)")
    p.add_argument("--screenshot", metavar="PNG", help="with --exit-after: save the window here")
    p.add_argument("--no-save", action="store_true", help="do not write settings on exit")
    p.add_argument("--roi", metavar="X,Y,W,H",
                   help="runner region of --source in pixels (or drag it on the video)")
    p.add_argument("--capture-fps", type=float, metavar="N",
                   help="--source is a slow-motion video filmed at N fps (File → Capture speed)")


def window_sources(texts: list[str] | None, settings):  # noqa: ANN001, ANN201
    """``--source`` values → (the first camera's spec, settings with the second camera):
    one source (``[VIEW=]SPEC``) is the only camera; two are side + rear (or front), the
    side view first. None: the saved cameras. ``InputFileError`` for a bad spec."""
    from dataclasses import replace

    from app.capture.source_spec import parse_view_sources
    from app.types import View

    if not texts:
        return None, settings
    specs = parse_view_sources(texts, default_view=View(settings.runner.view))
    if len(specs) > 1 and View.SIDE not in {sp.view for sp in specs}:
        from app.errors import InputFileError

        raise InputFileError("With two sources one must be the side view: --source side=… "
                             "--source rear=….")
    specs.sort(key=lambda sp: sp.view is not View.SIDE)

    def body(sp) -> str:  # noqa: ANN001 - the spec without its view (a stream as typed)
        return sp.target if sp.kind == "stream" else replace(sp, view=None).text

    first = specs[0]
    second_view, second_source = "", settings.display.second_source
    if len(specs) > 1:
        second_view = specs[1].view.value
        second_source = body(specs[1])
        if specs[1].kind == "stream":
            from app.session.credentials import save_stream_url

            second_source = save_stream_url(specs[1].target)  # no password in the settings
    settings = replace(settings, runner=replace(settings.runner, view=first.view.value),
                       display=replace(settings.display, second_view=second_view,
                                       second_source=second_source))
    return body(first), settings


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gaitcoach", description="GaitCoach live session window.")
    add_window_arguments(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app import config
    from app.ui.live.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GaitCoach")
    from app.ui.shared.branding import set_app_icon

    set_app_icon(app)
    from app.ui.shared.gc_guard import MainThreadGC

    gc_guard = MainThreadGC()  # Qt objects are freed on the GUI thread only
    warnings: list[str] = []
    settings = config.load(warnings=warnings)
    save = not args.no_save and args.exit_after is None
    if args.view:
        settings = replace(settings, runner=replace(settings.runner, view=args.view))
    if args.layout:
        settings = replace(settings, display=replace(settings.display, layout=args.layout))
    from app.errors import UserError
    from app.pose.timebase import check_capture_fps

    from app.pose.runner_search import parse_roi

    try:
        capture_fps = check_capture_fps(args.capture_fps)
        roi = parse_roi(args.roi)
        source, settings = window_sources(args.source, settings)
    except UserError as exc:
        print(f"gaitcoach: {exc}", file=sys.stderr)
        return exc.exit_code
    win = MainWindow(settings, source=source, save_settings=save, capture_fps=capture_fps,
                     roi=roi)
    win.confirm_close = args.exit_after is None  # a smoke run quits without asking
    win.show()
    if warnings:
        win.show_banner("Some settings were reset: " + "; ".join(warnings))
    if args.wall:
        win.act_full.setChecked(True)
    if args.exit_after is not None:
        def finish() -> None:
            if args.screenshot:
                out = Path(args.screenshot)
                out.parent.mkdir(parents=True, exist_ok=True)
                win.grab().save(str(out))
            win.close()
            app.quit()

        QTimer.singleShot(int(args.exit_after * 1000), finish)
    rc = app.exec()
    gc_guard.close()
    return int(rc)


def command_window(args) -> int:  # noqa: ANN001 - argparse.Namespace of a sub-command
    """A sub-command's window: ``compare A B`` opens the comparison view on A and B.
    ``--exit-after S`` quits S seconds after the clips are shown (or after a load that
    failed: its sentence on stderr, exit 2), saving ``--screenshot`` first."""
    from app.errors import UserError

    if args.command != "compare":
        raise UserError(f"{args.command} has no window.")
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UserError("There is no display to open the comparison window on: add --headless "
                        "(or --export/--video/--csv) to compare in the terminal.")
    os.environ.setdefault("GLOG_minloglevel", "2")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.comparison.window import CompareView
    from app.ui.shared.gc_guard import MainThreadGC

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GaitCoach")
    gc_guard = MainThreadGC()
    view = CompareView()
    view.show()
    view.load(args.a, args.b)
    state = {"rc": 0, "shown_at": None}
    if args.exit_after is not None:
        import time

        started_at = time.monotonic()

        def poll() -> None:
            now = time.monotonic()
            if state["shown_at"] is None:
                box = QApplication.activeModalWidget()
                outcome = load_outcome(view.pair is not None, box, bool(view.tasks),
                                       now - started_at)
                if outcome != "wait":
                    state["shown_at"] = now
                if outcome == "failed":  # the load failed: say why
                    print(f"gaitcoach: {box.text()}", file=sys.stderr)
                    state["rc"] = 2
                    box.done(0)
                elif outcome == "gave up":
                    print("gaitcoach: The clips were not opened.", file=sys.stderr)
                    state["rc"] = 2
            if state["shown_at"] is not None and now - state["shown_at"] >= args.exit_after:
                timer.stop()
                if args.screenshot and view.pair is not None:
                    out = Path(args.screenshot)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    view.grab().save(str(out))
                view.close()
                app.quit()

        timer = QTimer()
        timer.timeout.connect(poll)
        timer.start(100)
    view.closed.connect(app.quit)
    app.exec()
    gc_guard.close()
    return state["rc"]
