"""Fewer glibc malloc arenas, so a long live session's memory stays flat.

A live session allocates and frees several 1.4–2.7 MB buffers per frame per camera (the
decoded RGB frame, MediaPipe's copy, the recorder's YUV frame) on about 25 threads. glibc
gives each new thread its own arena, up to 8 per core, and a freed block goes back to the
arena it came from, so free blocks pile up in arenas that other threads cannot use. With
two cameras recording, resident memory crept up ~2 MB a minute (632 → 787 MB in 39
minutes, ±60 MB swings) while the memory in use stayed at ~260 MB. Capped at two arenas
it grew +42 MB in an hour (~0.85 MB a minute of free memory still held by malloc; the
memory in use flat), for the same frame cost within the measurement's spread (25.8 → 26.6
CPU-ms per frame, two views).

:func:`limit_malloc_arenas` must run before the threads start (the app's entry point
calls it first thing). It does nothing off glibc (macOS, Windows, musl) or when the user
set ``MALLOC_ARENA_MAX`` themselves.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

#: ``M_ARENA_MAX`` in glibc's ``<malloc.h>``
_M_ARENA_MAX = -8
#: arenas a GaitCoach process keeps (1 and 2 cost the same CPU here; 2 leaves room for a
#: second thread allocating at the same time on machines with more cores)
ARENAS = 2


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library this process runs on (the main program's symbols include it)."""
    return ctypes.CDLL(None)


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas``; True when the cap was set. Call before the
    capture, pose and recorder threads start."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = _libc()
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl has no arena cap)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(_M_ARENA_MAX, int(arenas)) == 1


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_mb() -> tuple[float, float] | None:
    """glibc's heaps now, in MB: (in use, held = in use + free in the arenas, mmapped blocks
    included in both); None off glibc 2.33+."""
    try:
        mallinfo2 = _libc().mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    mi = mallinfo2()
    return ((mi.uordblks + mi.hblkhd) / 2**20, (mi.arena + mi.hblkhd) / 2**20)
