"""Render docs/screenshots/compare.png: the comparison view with the first and second half
of male_side.mp4, synced by gait events, paused at the same initial contact, with an
angle drawn on the before clip (everything in a temporary folder; never the user's).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_compare.py [OUT.png]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIP = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "male_side_run" / "male_side.mp4"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "screenshots" / "compare.png")
    tmp = Path(tempfile.mkdtemp(prefix="gaitcoach-shot-"))
    os.environ.setdefault("GAITCOACH_CACHE_DIR", str(tmp / "cache"))
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    sys.path.insert(0, str(REPO))
    link = tmp / "male_side.mp4"
    link.symlink_to(CLIP)

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.compare.annotations import Drawing
    from app.ui.comparison.window import CompareView

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)

    v = CompareView()  # sized to the screen (1366×768 for the README)
    v.show()
    v.load(f"{link}@0-6", f"{link}@6-12")
    while v.pair is None:
        pump(0.05)
    v.ui.notes.setPlainText("Cue: \"run quieter\", metronome at 172. Overstride and shank angle "
                            "at contact both down; keep the cue for two more weeks.")
    for _ in range(3):
        v.jump("IC", 1)
    # a hip angle (trunk to the stance thigh) and a note drawn by hand on the before clip
    import numpy as np

    from app.types import LM

    lm = v.pair.a.sample_at(v.frames[0]).landmarks

    def mid(*names: str) -> tuple[float, float]:
        x, y = np.mean([lm[LM[n], :2] for n in names], axis=0)
        return float(x), float(y)

    shoulder, hip, knee = mid("left_shoulder", "right_shoulder"), mid("left_hip", "right_hip"), mid("left_knee")
    v.add_drawing(0, Drawing("angle", (shoulder, hip, knee)))
    v.add_drawing(0, Drawing("text", ((hip[0] - 210, hip[1] + 40),), "hip angle at contact"))
    deadline = time.perf_counter() + 20.0
    while time.perf_counter() < deadline and not all(
            p.shown is not None and p.shown.frame == f and p.shown.spec == d._spec
            for p, f, d in zip(v.canvas.panes, v.frames, v.decoders)):
        pump(0.05)  # layout settles, then the decoders render the frames at the final size
    pump(0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    v.grab().save(str(out))
    print(f"wrote {out} (frames {v.frames})")
    v.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
