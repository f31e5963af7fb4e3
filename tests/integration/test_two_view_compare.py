"""Issue 12: two-view sessions compared before/after — per view or both views together
(the side clips synced by gait events, the rear clips on the same session clocks), the
metric table with sagittal metrics from the side and frontal ones from the rear, and the
PDF report with key frames of both views. One-view inputs are unchanged."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.compare.two_view import BOTH, choices, load_views, merged_rows, spec_views
from app.compare.views import session_views, views_label
from app.errors import InputFileError
from app.types import View
from tests.helpers.two_view_sessions import record_two_view_demo


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions")
    before = record_two_view_demo(root, 9.0, cadence_spm=160.0, overstride=0.15, pelvic_drop_deg=8.0)
    after = record_two_view_demo(root, 9.0, cadence_spm=175.0, overstride=0.03, pelvic_drop_deg=1.0)
    return before, after


def test_views_of_a_session(sessions):
    before, _ = sessions
    views = session_views(before)
    assert [v.view for v in views] == [View.SIDE, View.REAR] and views_label(views) == "side + rear"
    assert all(not v.problem for v in views)
    assert views[1].video.parent.name == "rear" and views[1].fps == 30.0
    assert spec_views(str(before)) == [View.SIDE, View.REAR]
    assert spec_views(str(before) + "@2-6") == [View.SIDE, View.REAR]
    assert choices([View.SIDE, View.REAR], [View.SIDE, View.REAR]) == ["side", "rear", BOTH]
    assert choices([View.SIDE, View.REAR], [View.SIDE]) == ["side"]
    assert choices([], []) == ["side"]


def test_both_views_compared_together(sessions):
    before, after = sessions
    lv = load_views(str(before), str(after))
    assert lv.choice == BOTH and lv.choices == ("side", "rear", BOTH)
    assert lv.a.view is View.SIDE and lv.others[0].view is View.REAR
    ra, rb = lv.others
    assert ra.video_path.parent.name == "rear" and ra.session_dir == before
    assert "(rear)" in ra.label and "(side)" in lv.a.label
    # the rear clip is on the session clock: its contacts fall among the side's
    assert abs(ra.t_start_s - lv.a.t_start_s) < 1.0
    from app.compare.report import Comparison

    cmp = Comparison.build(lv.a, lv.b)
    rows = {r.name: r for r in merged_rows(cmp.rows, lv.others)}
    # sagittal from the side, frontal from the rear camera, on both sessions
    assert rows["overstride_pct_leg"].before > rows["overstride_pct_leg"].after
    assert rows["overstride_pct_leg"].verdict == "better"
    assert rows["pelvic_drop_deg"].before is not None and rows["pelvic_drop_deg"].after is not None
    assert rows["pelvic_drop_deg"].before > rows["pelvic_drop_deg"].after + 3
    assert rows["pelvic_drop_deg"].verdict == "better"
    assert rows["cadence_spm"].after > rows["cadence_spm"].before


def test_one_view_of_two_and_a_bad_choice(sessions, tmp_path):
    before, after = sessions
    lv = load_views(str(before), str(after), "rear")
    assert lv.others is None and lv.a.view is View.REAR and lv.b.view is View.REAR
    assert lv.a.result.metrics.get("pelvic_drop_deg") is not None
    # a one-view session against a two-view one: the side view, and a sentence for 'rear'
    one = tmp_path / "one"
    shutil.copytree(before, one)
    shutil.rmtree(one / "rear")
    import json

    m = json.loads((one / "session.json").read_text())
    m.pop("views")
    (one / "session.json").write_text(json.dumps(m))
    lv1 = load_views(str(one), str(after))
    assert lv1.choice == "side" and lv1.choices == ("side",) and lv1.others is None
    with pytest.raises(InputFileError, match="cannot be compared as 'Rear view'"):
        load_views(str(one), str(after), "rear")


def test_pdf_report_has_both_views(sessions, tmp_path):
    from app.compare.report import Comparison, write_pdf
    from app.compare.two_view import with_rows

    before, after = sessions
    lv = load_views(str(before), str(after))
    cmp = Comparison.build(lv.a, lv.b)
    cmp = with_rows(cmp, merged_rows(cmp.rows, lv.others))
    other = Comparison.build(*lv.others)
    out = write_pdf(cmp, tmp_path / "two.pdf", other=other)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "side + rear (two cameras" in text
    assert "Side view — sagittal and timing" in text and "Rear view — frontal" in text
    assert "Pelvic drop" in text and "Overstride" in text
    assert "The same moments of the stride: side view" in text
    assert "The same moments of the stride: rear view" in text
    imgs = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert len([ln for ln in imgs.splitlines()[2:] if "jpeg" in ln]) >= 12  # 6 key frames per view
