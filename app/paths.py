"""Where GaitCoach keeps its files, in one place (every stage asks here).

- **data** (sessions, the session database, the clinician's own cues):
  ``$GAITCOACH_DATA_DIR``, else ``platformdirs.user_data_dir("gaitcoach")``;
- **cache** (pose analyses of videos, rendered voice clips — safe to delete):
  ``$GAITCOACH_CACHE_DIR``, else ``<data dir>/cache`` when ``$GAITCOACH_DATA_DIR`` is set
  (so a data folder on a USB stick or in a test keeps its cache with it), else
  ``platformdirs.user_cache_dir("gaitcoach")``;
- **user cues**: ``$GAITCOACH_CUE_DIR``, else ``<data dir>/cues``.

Settings live elsewhere (``app.config.config_dir``: ``$GAITCOACH_CONFIG_DIR``). Nothing
here creates a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "gaitcoach"


def data_dir() -> Path:
    """``$GAITCOACH_DATA_DIR`` or the user data folder."""
    env = os.environ.get("GAITCOACH_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """``$GAITCOACH_CACHE_DIR``; else ``<data dir>/cache`` when ``$GAITCOACH_DATA_DIR``
    is set; else the user cache folder."""
    env = os.environ.get("GAITCOACH_CACHE_DIR")
    if env:
        return Path(env)
    if os.environ.get("GAITCOACH_DATA_DIR"):
        return data_dir() / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def user_cue_root() -> Path:
    """The clinician's cue folders (one per language): ``$GAITCOACH_CUE_DIR`` or
    ``<data dir>/cues``."""
    env = os.environ.get("GAITCOACH_CUE_DIR")
    if env:
        return Path(env)
    return data_dir() / "cues"
