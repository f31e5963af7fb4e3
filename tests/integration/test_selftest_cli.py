"""``gaitcoach selftest`` from a terminal: one line per check, the verdict, exit 0/1; a
folder that cannot be written fails the run with one plain line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.selftest import CHECK_NAMES

REPO = Path(__file__).resolve().parents[2]


def _selftest(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    e = dict(os.environ, PYTHONPATH=str(REPO), GAITCOACH_CONFIG_DIR=str(tmp_path / "cfg"),
             GAITCOACH_DATA_DIR=str(tmp_path / "data"))
    e.update(env)
    return subprocess.run([sys.executable, "-m", "app", "selftest", *args], capture_output=True,
                          text=True, env=e, timeout=300, cwd=tmp_path)


def test_selftest_passes_with_one_line_per_check(tmp_path, report_figure):
    out = tmp_path / "st.json"
    r = _selftest(tmp_path, "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "GaitCoach self-test"
    assert lines[-1].startswith("Self-test passed: 9 checks")
    doc = json.loads(out.read_text())
    assert doc["passed"] is True and len(doc["checks"]) == 9 == len(lines) - 2
    by_name = {c["name"]: c for c in doc["checks"]}
    assert by_name["pose model"]["status"] == "ok"
    assert by_name["gait engine"]["status"] == "ok" and "cadence" in by_name["gait engine"]["detail"]
    assert str(tmp_path / "data") in by_name["data folder"]["detail"]
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    assert by_name["session store"]["status"] == "ok"
    assert "schema" in by_name["session store"]["detail"]
    for line in lines[1:-1]:
        report_figure(f"selftest (venv, Python {sys.version.split()[0]}): {line}")


def test_unwritable_data_folder_fails_the_selftest(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be\n")
    r = _selftest(tmp_path, "--no-audio", GAITCOACH_DATA_DIR=str(blocker / "data"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    fail = [ln for ln in r.stdout.splitlines() if ln.startswith("FAIL")]
    assert len(fail) == 1 and "data folder" in fail[0] and "not writable" in fail[0]
    assert r.stdout.strip().splitlines()[-1] == "Self-test FAILED: data folder (9 checks)."


def test_version_option_prints_pyprojects_version():
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    r = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"gaitcoach {version}"
