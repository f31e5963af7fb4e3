"""Entry script of the PyInstaller bundle: the same ``main`` as ``python -m app``.

Runs first in the bundle, before anything imports matplotlib (mediapipe.solutions imports
pyplot): matplotlib's font cache goes to the user's cache folder instead of the fresh
temporary folder PyInstaller's own runtime hook points it at (that rebuilt the cache on
every start). Child processes (espeak-ng) get the system's library path back; worker processes of
``batch`` (multiprocessing, spawned) start through ``freeze_support``.
"""

import os
import sys


def _prepare_frozen_environment() -> None:
    if not getattr(sys, "frozen", False):
        return
    import platformdirs

    os.environ["MPLCONFIGDIR"] = os.path.join(
        platformdirs.user_cache_dir("gaitcoach", appauthor=False), "matplotlib")
    # The bootloader puts the bundle first on the library path; external programs must not
    # load the bundle's copies of system libraries.
    for var in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"):
        orig = os.environ.pop(var + "_ORIG", None)
        if orig is not None:
            os.environ[var] = orig
        else:
            os.environ.pop(var, None)
    os.environ.setdefault("GLOG_minloglevel", "2")


if __name__ == "__main__":
    # `batch` starts Dask worker processes: in the bundle they re-run this executable.
    import multiprocessing

    multiprocessing.freeze_support()
    _prepare_frozen_environment()
    from app.__main__ import main

    sys.exit(main())
