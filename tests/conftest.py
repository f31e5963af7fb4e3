"""Shared test fixtures: paths to the real data in ../shared/data."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data"))


UNIT_DIR = Path(__file__).resolve().parent / "unit"
_FIGURES: list[str] = []


def pytest_collection_modifyitems(items):
    """Mark every test under tests/unit as ``unit`` (selected by the second-Python run)."""
    for item in items:
        if UNIT_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.unit)


def pytest_terminal_summary(terminalreporter):
    """Figures that tests reported with the ``report_figure`` fixture, at the end of the run."""
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def report_figure():
    """``report_figure("text")`` prints the line in the run's closing "figures" section."""
    return _FIGURES.append


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def no_thread_leak():
    """Fail the test if it leaves a non-daemon or daemon worker thread running."""
    before = set(threading.enumerate())
    yield
    import time

    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra:
            return
        time.sleep(0.05)
    pytest.fail(f"threads left running: {[t.name for t in extra]}")


@pytest.fixture
def own_sink(monkeypatch):
    """A PulseAudio null sink of this test's own, made the default for audio opened in this
    process and its children (PULSE_SINK): other programs on the machine (another test run,
    a developer's app) may play into the shared ``gaitcoach_null`` sink at the same time,
    and their clicks would land in our recording. Yields the sink name; record
    ``<name>.monitor``."""
    import subprocess

    name = f"gaitcoach_test_{os.getpid()}_{threading.get_ident() % 10000}"
    r = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}",
                        f"sink_properties=device.description={name}"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot create a PulseAudio null sink: {r.stderr.strip()}")
    monkeypatch.setenv("PULSE_SINK", name)
    try:
        yield name
    finally:
        subprocess.run(["pactl", "unload-module", r.stdout.strip()], capture_output=True)


# ---------------------------------------------------------------- session store backends
@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for this test run (tests/helpers/pg_server.py), started
    once and stopped at the end. Fails with the install line when PostgreSQL is missing."""
    from tests.helpers.pg_server import INSTALL_HINT, PgServer, find_bindir

    if find_bindir() is None:
        pytest.fail(INSTALL_HINT)
    server = PgServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of a new, empty session store on each backend: an SQLite file in the
    test's folder, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("pg_server")
    if not server.running:  # a fault test may have stopped it
        server.start()
    return server.create_database()
