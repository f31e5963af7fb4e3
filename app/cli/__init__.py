"""Command-line sub-commands, one module each (``add_arguments`` + ``run``)."""

from __future__ import annotations

#: sub-command name -> (module path, one-line help). Modules are imported only when run,
#: so ``python -m app --help`` stays fast and import-side-effect free.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("app.cli.analyze", "analyse a video or landmark file: gait events and metrics"),
    "bench": ("app.cli.bench", "measure analysis speed (frames/s) and engine cost per sample"),
}
