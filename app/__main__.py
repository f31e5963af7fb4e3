"""Entry point: ``python -m app`` / ``gaitcoach``.

With no sub-command the desktop app starts; sub-commands are listed by ``--help``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from app import __version__
from app.cli import COMMANDS
from app.errors import UserError
from app.malloc_arenas import limit_malloc_arenas


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaitcoach",
        description="GaitCoach: real-time gait retraining (live video, running metrics, "
        "metronome and spoken cues). Without a sub-command the desktop app starts.",
    )
    parser.add_argument("--version", action="version", version=f"gaitcoach {__version__}")
    window = _window_arguments()
    if window is not None:
        window(parser.add_argument_group(
            "window options (without a sub-command: the live session window)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_path, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module_path)
        module = importlib.import_module(module_path)
        module.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    limit_malloc_arenas()  # before any capture/pose/recorder thread exists
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--") and argv[0] not in ("--help", "--version"):
        gui = _gui_main()
        if gui is not None:
            return gui(argv)
        if not argv:
            build_parser().print_help()
            return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    module = importlib.import_module(args._module)
    try:
        wants_window = getattr(module, "gui_requested", None)
        if wants_window is not None and wants_window(args):
            return int(_window_command(args))  # e.g. compare A B: the comparison window
        return int(module.run(args) or 0)
    except UserError as exc:
        print(f"gaitcoach: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("gaitcoach: interrupted.", file=sys.stderr)
        return 130


def _window_command(args) -> int:  # noqa: ANN001
    """A sub-command that opens a window (``app.ui.main.command_window``)."""
    from app.errors import UserError

    gui = _window_arguments()
    if gui is None:
        raise UserError("The desktop app is not installed here: add --headless.")
    return importlib.import_module("app.ui.main").command_window(args)


def _window_arguments():
    """``app.ui.main.add_window_arguments`` (no Qt import), or None without the GUI."""
    try:
        module = importlib.import_module("app.ui.main")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("app.ui"):
            return None
        raise
    return module.add_window_arguments


def _gui_main():
    """The desktop app's entry function, or None while the GUI is not installed."""
    try:
        module = importlib.import_module("app.ui.main")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("app.ui"):
            return None
        raise
    return module.main


if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    sys.exit(main())
