"""Settings: defaults, TOML round trip, forgiving load."""

from __future__ import annotations

from dataclasses import replace

from app import config
from app.config import Band, Settings


def test_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path))
    s = Settings()
    s = replace(s, runner=replace(s.runner, view="rear", facing="left", treadmill_speed_kmh=11.5,
                                  height_cm=182.0, runner_id=3),
                camera=replace(s.camera, device=2, fps=60.0),
                display=replace(s.display, mirror_front=False, layout="home"))
    s = s.with_threshold("pelvic_drop_deg", Band((-3.0, 3.0), (-6.0, 6.0)))
    path = config.save(s)
    assert path == tmp_path / "settings.toml"
    w: list[str] = []
    back = config.load(warnings=w)
    assert back == s and not w
    assert back.band_for("pelvic_drop_deg").classify(4.0) == "amber"
    # the home layout has its own mirror (on); per view in the clinic layout
    assert back.display.mirror_for("front") is back.display.mirror_home is True
    clinic = replace(back.display, layout="clinic")
    assert clinic.mirror_for("front") is False and clinic.mirror_for("side") is False
    assert Settings().display.mirror_for("front") is True
    assert back.band_for("pelvic_drop_deg").classify(7.0) == "red"


def test_missing_file_gives_defaults(tmp_path):
    assert config.load(tmp_path / "nope.toml") == Settings()


def test_bad_values_fall_back(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text(
        'schema_version = 1\n[runner]\nview = "diagonal"\nheight_cm = "tall"\ntreadmill_speed_kmh = 9\n'
        '[camera]\nfps = true\n[thresholds.overstride_pct_leg]\ngreen = [1]\namber = [0, 2]\n'
        '[thresholds.trunk_lean_deg]\ngreen = [2, 10]\namber = [0, 14]\nextra = 1\n',
        encoding="utf-8")
    w: list[str] = []
    s = config.load(p, w)
    assert s.runner.view == "side" and s.runner.height_cm == 175.0
    assert s.runner.treadmill_speed_kmh == 9.0
    assert s.camera.fps == 30.0
    assert "overstride_pct_leg" not in s.thresholds
    assert s.thresholds["trunk_lean_deg"] == Band((2.0, 10.0), (0.0, 14.0))
    assert len(w) >= 4


def test_corrupt_file(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("this is = = not toml", encoding="utf-8")
    w: list[str] = []
    assert config.load(p, w) == Settings() and w


def test_default_band_from_metric_specs():
    from app.gait.metrics import METRIC_SPECS

    spec = METRIC_SPECS["overstride_pct_leg"]
    band = Settings().band_for("overstride_pct_leg")
    assert band.green == tuple(map(float, spec.default_green))
    assert Settings().band_for("no_such_metric") is None


def test_an_old_target_in_the_file_is_not_carried_over(tmp_path):
    """Issue 11 item 8: the target belongs to the runner, not to the settings file."""
    p = tmp_path / "settings.toml"
    p.write_text('schema_version = 1\n[runner]\ntarget_cadence_spm = 180.0\nheight_cm = 170.0\n',
                 encoding="utf-8")
    w: list[str] = []
    s = config.load(p, warnings=w)
    assert s.runner.height_cm == 170.0 and not hasattr(s.runner, "target_cadence_spm")
    assert "target_cadence_spm" not in config.to_dict(s)["runner"] and s.runner.runner_id == 0
