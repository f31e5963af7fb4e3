"""``python -m build`` makes an sdist and a wheel; the wheel, installed into a new venv as
pipx would (no source tree on the path), has a working ``gaitcoach`` console script and
carries the cues, protocols and assets as package data."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


def test_wheel_installs_and_its_console_script_works(tmp_path, report_figure):
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = dist / f"gaitcoach-{version}-py3-none-any.whl"
    assert wheel.is_file() and (dist / f"gaitcoach-{version}.tar.gz").is_file()
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("app/_data/cues/en/cues.toml", "app/_data/protocols/templates/cadence.toml",
                    "app/_data/assets/icons/gaitcoach.svg", "app/_data/assets/selftest/selftest_run.mp4",
                    "app/_data/assets/linux/org.gaitcoach.GaitCoach.desktop"):
        assert shipped in names, shipped
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                        "-c", str(REPO / "constraints.txt"), str(wheel)],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    exe = venv / "bin" / "gaitcoach"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(GAITCOACH_CONFIG_DIR=str(tmp_path / "cfg"), GAITCOACH_DATA_DIR=str(tmp_path / "data"),
               QT_QPA_PLATFORM="offscreen")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300)

    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"gaitcoach {version}", r.stderr
    r = run("cues", "--paths")
    assert r.returncode == 0, r.stderr
    shipped = next(ln for ln in r.stdout.splitlines() if ln.startswith("shipped cues:"))
    assert str(venv) in shipped and "app/_data/cues" in shipped  # the wheel's copy, not the repo's
    assert "[no clip]" not in r.stdout
    r = run("selftest", "--no-audio")
    assert r.returncode == 0, r.stdout + r.stderr
    data_line = next(ln for ln in r.stdout.splitlines() if "shipped data" in ln)
    assert data_line.startswith("ok"), data_line
    report_figure(f"wheel {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB): "
                  f"console script ok; {r.stdout.strip().splitlines()[-1]}")
