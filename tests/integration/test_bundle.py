"""The PyInstaller bundle as a clinic gets it: built once per set of inputs by
packaging/build.py (cached by their hash), then started from its own folder in a clean
environment — ``env -i`` with only HOME, a temp folder and DISPLAY or QT_QPA_PLATFORM, no
venv, no PATH — for the self-test, ``analyze`` on male_side.mp4 (the same numbers as this
venv), a 10 s window under Xvfb with a screenshot, and a headless session with --record."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="session")
def bundle() -> Path:
    r = subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--print-dir"],
                       capture_output=True, text=True, timeout=1800, cwd=REPO)
    assert r.returncode == 0, r.stderr[-3000:]
    path = Path(r.stdout.strip().splitlines()[-1])
    assert (path / "gaitcoach").is_file()
    return path


@pytest.fixture
def clean(tmp_path):
    """``clean(args, **env)`` runs the bundle under ``env -i`` with HOME and TMPDIR in
    tmp_path (plus ``env``); returns the CompletedProcess."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()

    def run(exe: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
        assigns = [f"HOME={home}", f"TMPDIR={tmp}", *(f"{k}={v}" for k, v in env.items())]
        return subprocess.run(["/usr/bin/env", "-i", *assigns, str(exe), *args], capture_output=True,
                              text=True, timeout=timeout, cwd=tmp)

    run.home = home
    return run


def test_bundle_version_is_pyprojects(bundle, clean):
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    r = clean(bundle / "gaitcoach", "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"gaitcoach {version}"


def test_bundle_selftest_in_a_clean_environment(bundle, clean, report_figure):
    r = clean(bundle / "gaitcoach", "selftest", QT_QPA_PLATFORM="offscreen")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stdout.strip().splitlines()
    status = {ln[6:21].strip(): ln[:4].strip() for ln in lines[1:-1]}
    assert status["pose model"] == status["gait engine"] == status["shipped data"] == "ok"
    assert status["data folder"] == status["config folder"] == "ok"
    assert str(clean.home) in r.stdout  # the folders are the clean HOME's, not the developer's
    audio = next(ln for ln in lines if "audio output" in ln)
    assert "PortAudio library could not be loaded" not in audio  # the bundle carries PortAudio
    assert "(bundle)" in lines[1]
    for ln in lines[1:]:
        report_figure(f"bundle selftest: {ln}")


def test_bundle_plays_sound_when_the_sound_server_is_named(bundle, clean):
    """env -i hides the PulseAudio server; named, the bundled PortAudio plays through it."""
    if not shutil.which("pactl"):
        pytest.skip("no PulseAudio client tools")
    info = subprocess.run(["pactl", "info"], capture_output=True, text=True)
    server = next((ln.split(":", 1)[1].strip() for ln in info.stdout.splitlines()
                   if ln.startswith("Server String:")), None)
    if info.returncode != 0 or not server:
        pytest.skip("no PulseAudio server running")
    r = clean(bundle / "gaitcoach", "selftest", QT_QPA_PLATFORM="offscreen",
              PULSE_SERVER=f"unix:{server}" if server.startswith("/") else server)
    audio = next(ln for ln in r.stdout.splitlines() if "audio output" in ln)
    assert audio.startswith("ok"), audio


def test_bundle_analyze_gives_the_venvs_numbers(bundle, clean, shared_data, tmp_path, report_figure):
    video = shared_data / "male_side_run" / "male_side.mp4"
    r = clean(bundle / "gaitcoach", "analyze", str(video), "--quiet", "--json",
              str(tmp_path / "bundle.json"))
    assert r.returncode == 0, r.stderr
    env = dict(os.environ, PYTHONPATH=str(REPO))
    v = subprocess.run([sys.executable, "-m", "app", "analyze", str(video), "--quiet", "--json",
                        str(tmp_path / "venv.json")], capture_output=True, text=True, env=env,
                       timeout=300)
    assert v.returncode == 0, v.stderr
    doc_b = json.loads((tmp_path / "bundle.json").read_text())
    doc_v = json.loads((tmp_path / "venv.json").read_text())
    assert doc_b == doc_v
    assert r.stdout == v.stdout
    by_foot = doc_b["metrics"]["contact_ms"]
    report_figure(f"bundle analyze male_side.mp4: cadence {doc_b['cadence_spm']:.1f} spm, "
                  f"contact L/R {by_foot['left_mean']:.0f}/{by_foot['right_mean']:.0f} ms "
                  "(identical to the venv)")


@pytest.fixture
def xvfb():
    """A virtual X server on a free display; yields DISPLAY."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.fail("Xvfb is not installed (make setup-dev installs xvfb)")
    rfd, wfd = os.pipe()
    proc = subprocess.Popen([exe, "-displayfd", str(wfd), "-screen", "0", "1366x768x24",
                             "-nolisten", "tcp"], pass_fds=(wfd,), stderr=subprocess.DEVNULL)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        display = f.readline().strip()
    try:
        yield f":{display}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bundle_window_under_xvfb(bundle, clean, xvfb, shared_data, tmp_path, report_figure):
    png = tmp_path / "bundle_window.png"
    video = shared_data / "male_side_run" / "male_side.mp4"
    r = clean(bundle / "gaitcoach", "--source", str(video), "--exit-after", "10", "--screenshot",
              str(png), "--no-save", DISPLAY=xvfb)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    assert "Could not load the Qt platform plugin" not in r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB888)
    assert not img.isNull() and img.width() >= 640 and img.height() >= 400
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3)
    n_colours = len(np.unique(rgb.reshape(-1, 3)[::7], axis=0))
    assert n_colours > 200, n_colours
    report_figure(f"bundle window (Xvfb, xcb, male_side.mp4, 10 s): {img.width()}x{img.height()}, "
                  f"{n_colours} colours, screenshot {png}")


def test_bundle_headless_session_records(bundle, clean, tmp_path):
    rec = tmp_path / "rec"
    out = tmp_path / "session.json"
    r = clean(bundle / "gaitcoach", "session", "--source", "demo", "--seconds", "5", "--headless",
              "--record", str(rec), "--json", str(out), QT_QPA_PLATFORM="offscreen")
    assert r.returncode == 0, r.stderr[-3000:]
    fig = json.loads(out.read_text())
    assert fig["frames"] >= 100
    sessions = [p for p in rec.iterdir() if p.is_dir()]
    assert len(sessions) == 1
    files = {p.name for p in sessions[0].iterdir()}
    assert {"session.json", "landmarks.csv", "steps.csv"} <= files, files
    video = next(p for p in sessions[0].iterdir() if p.name.startswith("video"))
    import av

    with av.open(str(video)) as c:
        n = sum(1 for _ in c.decode(video=0))
    assert n >= 100


def test_bundle_compare_writes_a_pdf_report_with_its_fonts(bundle, clean, shared_data, tmp_path):
    video = shared_data / "male_side_run" / "male_side.mp4"
    pdf = tmp_path / "report.pdf"
    r = clean(bundle / "gaitcoach", "compare", f"{video}@0-6", f"{video}@6-12", "--export", str(pdf),
              QT_QPA_PLATFORM="offscreen", timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "DejaVu" in fonts, fonts


@pytest.mark.postgres
def test_bundle_publishes_a_recorded_session_to_a_clinic_postgresql(bundle, clean, pg_server, tmp_path):
    """The clinic option from the bundle: SQLAlchemy's psycopg driver, the Alembic revisions
    shipped as files (local SQLite store and the server's schema) and the shared media folder."""
    if not pg_server.running:
        pg_server.start()
    url = pg_server.create_database()
    media = tmp_path / "share"
    media.mkdir()
    clinic = {"GAITCOACH_DB_URL": url, "GAITCOACH_MEDIA_DIR": str(media),
              "GAITCOACH_STATION": "bundle-station", "QT_QPA_PLATFORM": "offscreen"}
    sessions = clean.home / ".local" / "share" / "gaitcoach" / "sessions"
    r = clean(bundle / "gaitcoach", "session", "--source", "demo", "--seconds", "3", "--headless",
              "--record", str(sessions), **clinic)
    assert r.returncode == 0, r.stderr[-3000:]
    sid = next(p.name for p in sessions.iterdir() if p.is_dir())
    r = clean(bundle / "gaitcoach", "sessions", "publish", **clinic)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert "Published 1 session" in r.stdout
    assert "Traceback" not in r.stderr
    from app.session.store import open_store

    with open_store(url) as st:
        rows = [s for s in st.list_sessions() if s.id == sid]
    assert len(rows) == 1 and rows[0].station == "bundle-station"
    assert (media / sid / "steps.csv").is_file()
