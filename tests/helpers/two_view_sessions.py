"""Real two-view sessions for tests: the demo runner filmed by a side and a rear camera
in step (``app.capture.demo_rig``), run live for a few seconds and recorded by the
two-view recorder, exactly as the window and ``session --source side=… --source rear=…``
do."""

from __future__ import annotations

import time
from pathlib import Path

from app.types import View


def record_two_view_demo(root: Path, seconds: float = 8.0, other: View = View.REAR,
                         **runner_kwargs) -> Path:
    """Record ``seconds`` of the demo runner (``runner_kwargs``: cadence_spm, overstride,
    pelvic_drop_deg, …) from the side and ``other``; returns the session folder."""
    from app.capture.demo_rig import DemoRig
    from app.pose.multiview import MultiViewPipeline, ViewSource
    from app.session.multiview_recorder import MultiViewRecorder

    rig = DemoRig(**runner_kwargs)
    mv = MultiViewPipeline([ViewSource(View.SIDE, rig.camera(View.SIDE), spec_text="side=demo"),
                            ViewSource(other, rig.camera(other), spec_text=f"{other.value}=demo")])
    rec = MultiViewRecorder(mv, root)
    folder = rec.start()
    mv.start()
    try:
        time.sleep(seconds)
    finally:
        mv.stop()
        st = rec.stop()
    assert st.state == "complete", st
    return folder
