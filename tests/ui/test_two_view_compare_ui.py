"""Issue 12: the comparison window on two two-view sessions (recorded live from the demo
runner filmed side and rear): both views at once (four panes: side above, rear below,
the rear following the side's synced playhead), per view from the Camera chooser, the
table's frontal metrics from the rear, the PDF with both views' key frames."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt

from app.types import View
from tests.helpers.two_view_sessions import record_two_view_demo


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions")
    return (record_two_view_demo(root, 8.0, cadence_spm=160.0, overstride=0.15, pelvic_drop_deg=8.0),
            record_two_view_demo(root, 8.0, cadence_spm=175.0, overstride=0.03, pelvic_drop_deg=1.0))


def shown_all(v) -> bool:  # noqa: ANN001 - CompareView
    return all(p.shown is not None and p.shown.frame == f
               for p, f in zip(v.canvas.panes, v.frames))


def test_two_view_sessions_in_the_comparison_window(qtbot, sessions, tmp_path, no_thread_leak):
    from app.ui.comparison.window import CompareView

    before, after = sessions
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(1366, 740)
    v.show()
    v.load(str(before), str(after))
    qtbot.waitUntil(lambda: v.pair is not None, timeout=60000)
    pair = v.pair
    assert pair.choice == "both" and len(pair.clips) == 4 and len(v.canvas.panes) == 4
    assert [c.view for c in pair.clips] == [View.SIDE, View.SIDE, View.REAR, View.REAR]
    qtbot.waitUntil(lambda: shown_all(v), timeout=20000)
    # side above, rear below; before left, after right
    p = v.canvas.panes
    assert p[0].rect.bottom() < p[2].rect.top() and p[0].rect.left() < p[1].rect.left()
    assert p[2].caption.startswith("Before") and "(rear)" in p[2].caption
    # the camera chooser offers each view and both
    cam = v.ui.camera
    assert cam.isEnabled() and [cam.itemData(i) for i in range(cam.count())] == ["side", "rear", "both"]
    # the table: sagittal rows, then frontal rows from the rear camera
    labels = [v.ui.table.item(r, 0).text() for r in range(v.ui.table.rowCount())]
    assert any(t.startswith("Overstride") for t in labels)
    assert any(t.startswith("Pelvic drop") and t.endswith("· rear") for t in labels)
    # playing moves all four panes; the rear frames follow the side's playhead
    f0 = v.frames
    v.seek(v.pair.a.t_start_s + 2.0)
    qtbot.waitUntil(lambda: shown_all(v), timeout=20000)
    assert all(a != b for a, b in zip(f0, v.frames))
    ra = v.pair.clips[2]
    assert abs(ra.time_of(v.frames[2]) - (v.t_a + (ra.camera_offset_ms or 0) / 1000)) < 0.05
    # I: the next initial contact, all panes follow
    qtbot.keyClick(v.canvas, Qt.Key.Key_I)
    qtbot.waitUntil(lambda: shown_all(v), timeout=20000)
    # the PDF report: both views
    run = v.export_to("pdf", str(tmp_path / "two.pdf"))
    qtbot.waitUntil(lambda: run.task.finished, timeout=120000)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "two.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Rear view — frontal" in text and "The same moments of the stride: rear view" in text
    # the rear view alone, from the chooser: two panes, synced by the rear's own contacts
    cam.setCurrentIndex(cam.findData("rear"))
    cam.activated.emit(cam.currentIndex())
    qtbot.waitUntil(lambda: v.pair is not pair and v.pair is not None, timeout=60000)
    assert v.pair.choice == "rear" and len(v.canvas.panes) == 2
    assert v.pair.a.view is View.REAR and v.synced
    qtbot.waitUntil(lambda: shown_all(v), timeout=20000)
    v.close()
    assert all(not d.alive for d in v.decoders) and not v.tasks
