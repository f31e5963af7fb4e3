"""PyInstaller runtime hook: sounddevice finds the PortAudio library carried in the bundle.

sounddevice looks PortAudio up with ``ctypes.util.find_library("portaudio")``, which searches
the system only; the bundle's copy (collected by the sounddevice hook) would be ignored and
a machine without PortAudio would have no sound.
"""

import ctypes.util
import glob
import os
import sys

_system_find_library = ctypes.util.find_library


def _find_library(name):
    if name == "portaudio":
        here = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
        patterns = ("libportaudio*.so*", "libportaudio*.dylib", "*portaudio*.dll")
        for where in (here, os.path.join(here, "**")):  # the top folder first, then below it
            for pattern in patterns:
                found = sorted(glob.glob(os.path.join(where, pattern), recursive=True))
                if found:
                    return found[0]
    return _system_find_library(name)


ctypes.util.find_library = _find_library
