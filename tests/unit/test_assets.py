"""assets/: the icon in every size, the desktop entry and AppStream metainfo (validated with
desktop-file-validate and appstreamcli, which make setup-dev installs), the self-test clip's
truth, and that they agree with each other and with pyproject.toml."""

from __future__ import annotations

import configparser
import json
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.resources import asset_path, shipped_dir

REPO = Path(__file__).resolve().parents[2]
APP_ID = "org.gaitcoach.GaitCoach"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_shipped_folders_are_found_in_the_checkout():
    for name in ("cues", "protocols", "assets"):
        assert shipped_dir(name) == REPO / name
    with pytest.raises(ValueError):
        shipped_dir("tests")


def test_icon_master_and_every_png_size():
    from app.ui.shared.branding import ICON_SIZES

    svg = ET.parse(asset_path("icons", "gaitcoach.svg")).getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"
    for n in ICON_SIZES:
        assert _png_size(asset_path("icons", f"gaitcoach-{n}.png")) == (n, n)


def test_desktop_entry_is_valid_and_matches_the_package():
    path = asset_path("linux", f"{APP_ID}.desktop")
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert r.returncode == 0 and "error" not in r.stdout.lower(), r.stdout
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    d = entry["Desktop Entry"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert d["Exec"].split()[0] in scripts
    assert d["Icon"] == APP_ID and d["Type"] == "Application" and d["Terminal"] == "false"


def test_appstream_metainfo_is_valid_and_names_the_entry():
    path = asset_path("linux", f"{APP_ID}.metainfo.xml")
    if shutil.which("appstreamcli"):
        r = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    root = ET.parse(path).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "MIT"
    assert root.find("provides/binary").text == "gaitcoach"


def test_selftest_clip_and_its_truth():
    truth = json.loads(asset_path("selftest", "selftest_run.json").read_text())
    clip = asset_path("selftest", truth["clip"])
    assert clip.is_file() and clip.stat().st_size < 500_000
    assert truth["view"] == "side" and 150 <= truth["cadence_spm"] <= 190
    ics = [e["t_s"] for e in truth["events"] if e["kind"] == "IC"]
    # the events are the demo runner's: one initial contact per step at the stated cadence
    assert len(ics) >= 16
    step_s = (ics[-1] - ics[0]) / (len(ics) - 1)
    assert abs(60.0 / step_s - truth["cadence_spm"]) < 1.0
    assert "MIT" in truth["licence"] and "render_selftest_clip.py" in truth["made_by"]
