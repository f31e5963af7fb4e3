"""The store on a session written by the real recorder (demo runner through the live
pipeline): live recording → 'being recorded', clean stop → complete with blocks and
their means, the zip export holds a playable video."""

from __future__ import annotations

import time
import zipfile

from app.types import Facing, View


def test_store_indexes_a_real_recording(tmp_path, monkeypatch, no_thread_leak):
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path / "config"))
    import av

    from app.capture.live import open_source
    from app.pose.worker import LivePipeline
    from app.session.recorder import SessionRecorder
    from app.session.store import open_store

    pipe = LivePipeline(open_source("demo", view=View.SIDE, facing=Facing.LEFT), View.SIDE, Facing.LEFT)
    rec = SessionRecorder(source="demo", view=View.SIDE, facing=Facing.LEFT, fps=30.0)
    pipe.start()
    try:
        deadline = time.monotonic() + 30
        while not pipe.worker.ready.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        folder = rec.start(pipe)
        rec.mark_block("baseline", "Baseline")
        with open_store() as store:
            store.sync()
            assert store.health(folder.name).kind == "recording"
            time.sleep(3.0)
            rec.mark_block("retraining", "Cues on")
            time.sleep(3.0)
            status = rec.stop()
            assert status.state == "complete", status

            report = store.sync()
            assert report.updated == (folder.name,)
            info = store.get_session(folder.name)
            print(f"recorded {info.duration_s} s, cadence {info.cadence_spm} spm, {status.frames} frames")
            assert info.state == "complete" and info.video == "video.mp4"
            assert store.health(info.id).kind == "ok"
            assert 5.0 < info.duration_s < 8.0
            assert 160 < info.cadence_spm < 180  # the demo runs at 170 spm
            blocks = store.blocks(info.id)
            assert [b.kind for b in blocks] == ["baseline", "retraining"]
            assert blocks[0].end_s == blocks[1].start_s
            assert all(160 < b.summary["cadence_spm"] < 180 for b in blocks)

            ann = store.add_runner("Ann")
            store.assign_runner(info.id, ann.id)
            hist = store.runner_history(ann.id, ["cadence_spm", "contact_ms"])
            assert hist.values["cadence_spm"] == (info.cadence_spm,)
            assert hist.values["contact_ms"][0] is not None

            out = store.export_session(info.id, tmp_path / "s.zip")
    finally:
        pipe.stop()
    with zipfile.ZipFile(out) as zf:
        zf.extractall(tmp_path / "x")
    with av.open(str(tmp_path / "x" / folder.name / "video.mp4")) as c:
        n = sum(1 for _ in c.decode(video=0))
    assert abs(n - status.frames) <= 1
