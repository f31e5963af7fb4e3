"""One core per process: the thread pools of the libraries a batch worker uses.

A batch runs one worker process per core (``app.batch``). Left at their defaults, the
libraries inside each worker spread over every core: MediaPipe's graph executor starts
one thread per CPU and FFmpeg's frame-threaded H.264 decoder CPUs + 1 threads, so two
workers run a dozen busy threads on two cores. After :func:`use_one_core` the pose
graphs and video decoders this process creates are single-threaded, and video files are
decoded on the thread that asks for the frames (no reader thread beside the model).
NumPy's BLAS and OpenMP pools follow the
environment Dask's nanny sets before it starts a worker (``OMP_NUM_THREADS=1`` …;
:data:`ENV` for other launchers). Results are unchanged: MediaPipe's calculators and
FFmpeg's decoder give the same output whatever their thread count.
"""

from __future__ import annotations

import os

#: Environment for a process that keeps to one core (set before the libraries load).
ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_one_core = False


def use_one_core() -> None:
    """From now on, pose graphs and video decoders made in this process use one thread
    each (a batch worker); also sets :data:`ENV` for libraries not loaded yet."""
    global _one_core
    _one_core = True
    for key, value in ENV.items():
        os.environ.setdefault(key, value)


def one_core() -> bool:
    """True after :func:`use_one_core` (this process is a batch worker)."""
    return _one_core
