"""Set-up of a Dask worker process for batch analysis (registered as a worker plugin, so
it also runs on workers that join a ``--scheduler`` cluster later).

Each worker keeps to one core (``app.cpu_limits``: one MediaPipe executor thread, one
decoder thread), and pays its start-up once, before the first input: the analysis code
and the pose libraries are imported and one pose graph is built, run on a blank frame
and closed, so the first input of every worker costs what the others cost.
"""

from __future__ import annotations

import os
import time

from distributed.diagnostics.plugin import WorkerPlugin


def prepare_worker() -> float:
    """Keep this process to one core and warm it up; returns the seconds it took."""
    t0 = time.perf_counter()
    from app.cpu_limits import use_one_core

    use_one_core()
    os.environ.setdefault("GLOG_minloglevel", "2")
    import numpy as np

    import app.cli.analyze  # noqa: F401 - the analysis code and what it imports
    import app.gait.analysis  # noqa: F401
    import app.pose.pipeline  # noqa: F401
    from app.pose.mediapipe_pose import MediaPipePose
    from app.types import Frame

    pose = MediaPipePose()
    try:
        pose.process(Frame(index=0, t_ns=0, image=np.zeros((256, 256, 3), np.uint8)))
    finally:
        pose.close()
    return time.perf_counter() - t0


class OneCoreWorker(WorkerPlugin):
    """Runs :func:`prepare_worker` in every worker of the cluster, present and future."""

    name = "gaitcoach-batch-worker"

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        worker.gaitcoach_setup_s = prepare_worker()
