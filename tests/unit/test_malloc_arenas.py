"""The malloc arena cap (app.malloc_arenas): counted in glibc's own report, in a fresh
process whose threads all allocate at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

CHILD = r"""
import ctypes, sys, tempfile, threading
from app.malloc_arenas import heap_mb, limit_malloc_arenas
if sys.argv[1] == "entry":  # the app's entry point sets the cap itself
    from app.__main__ import main
    try:
        main(["--version"])
    except SystemExit:
        pass
capped = limit_malloc_arenas(2) if sys.argv[1] == "cap" else False
ready = threading.Barrier(7)
keep = []
def work():
    keep.append([bytearray(4096) for _ in range(200)])  # malloc'd on this thread
    ready.wait()
    ready.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
ready.wait()  # all six threads alive and allocated
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as fh:
    fp = libc.fopen(fh.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(fp))
    libc.fclose(ctypes.c_void_p(fp))
    heaps = open(fh.name).read().count("<heap nr=")
ready.wait()
for t in threads:
    t.join()
in_use, held = heap_mb()
print(capped, heaps, in_use <= held, held > 0)
"""


def _run(mode: str, **env_extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    env.update(env_extra, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.split()[-4:]  # the last line (--version prints one before it)


def test_capped_process_keeps_two_arenas_for_six_threads():
    capped, heaps, sane, held = _run("cap")
    assert capped == "True"
    assert int(heaps) <= 2
    assert sane == "True" and held == "True"


def test_without_the_cap_glibc_gives_threads_their_own_arenas():
    # the control: the same six threads get arenas of their own when nothing caps them
    capped, heaps, _, _ = _run("none")
    assert capped == "False"
    assert int(heaps) >= 4


def test_a_users_malloc_arena_max_is_left_alone():
    capped, heaps, _, _ = _run("cap", MALLOC_ARENA_MAX="3")
    assert capped == "False"
    assert int(heaps) <= 3


def test_the_app_entry_point_caps_the_arenas():
    _, heaps, _, _ = _run("entry")
    assert int(heaps) <= 2
