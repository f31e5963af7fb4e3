"""Every person in a frame: MediaPipe's BlazePose person detector on its own.

The pose model (``mp.solutions.pose``) follows one person and runs its person detector
only when it has lost them; this runs the same detector (``PoseDetectionCpu``, the
``pose_detection.tflite`` shipped in the mediapipe wheel) on a whole frame and returns
all the people it finds, to look for a runner other than the one followed
(``app.pose.runner_search``). About 13 ms per frame on one core of the project machine.

Thread rule: create, use and close a :class:`PersonDetector` on one thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.pose.mediapipe_pose import _stderr_to_devnull as _quiet

_GRAPH = """
input_stream: "image"
output_stream: "detections"
node {
  calculator: "PoseDetectionCpu"
  input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:detections"
}
"""


@dataclass(frozen=True, slots=True)
class Person:
    """One detection: ``score`` 0..1, the hip midpoint ``hip`` (x, y) and ``radius`` of
    the circle around the whole body (the detector's alignment keypoints), image pixels."""

    score: float
    hip: tuple[float, float]
    radius: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the square around the body."""
        x, y = self.hip
        r = self.radius
        return (x - r, y - r, 2 * r, 2 * r)


class PersonDetector:
    """``detect(image) -> list[Person]`` (best score first) on RGB uint8 frames."""

    def __init__(self) -> None:
        from google.protobuf import text_format

        from app.pose.mediapipe_pose import _import_mediapipe, _prepare_logging_env

        _prepare_logging_env()
        with _quiet(True):
            _import_mediapipe()
            from mediapipe.framework import calculator_pb2
            from mediapipe.python.solution_base import SolutionBase

            cfg = text_format.Parse(_GRAPH, calculator_pb2.CalculatorGraphConfig())
            self._graph = SolutionBase(graph_config=cfg, outputs=["detections"])
        self._quiet_first = True  # TFLite logs on the first inference: keep it off stderr

    def detect(self, image: np.ndarray) -> list[Person]:
        """People in ``image`` (H, W, 3 RGB), best first; [] when none."""
        if not image.flags["C_CONTIGUOUS"]:
            image = np.ascontiguousarray(image)
        h, w = image.shape[:2]
        with _quiet(self._quiet_first):
            result = self._graph.process({"image": image})
        self._quiet_first = False
        out = []
        for d in result.detections or []:
            kp = d.location_data.relative_keypoints
            if len(kp) < 2:
                continue
            hx, hy = kp[0].x * w, kp[0].y * h
            r = float(np.hypot(kp[1].x * w - hx, kp[1].y * h - hy))
            if r > 1.0:
                out.append(Person(float(d.score[0]), (float(hx), float(hy)), r))
        out.sort(key=lambda p: -p.score)
        return out

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
            self._graph = None

    def __enter__(self) -> "PersonDetector":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
