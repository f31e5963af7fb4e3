"""scripts/find_python.sh and bootstrap.sh's choice of interpreter, with real interpreters
on a PATH made for each test: 3.12 before 3.11, a pyenv shim that does not run is passed over,
pyenv's versions folder is searched, and a machine with only Python 3.13 gets the way out.

Unsupported interpreters: the real python3.13 when this machine has one (pyenv), otherwise a
two-line stand-in that answers the version probe as 3.13 would."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIND = REPO / "scripts" / "find_python.sh"
BOOTSTRAP = REPO / "scripts" / "bootstrap.sh"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def _interpreter(minor: int) -> str | None:
    """A real python3.<minor> on this machine (its executable, not a shim), or None."""
    if sys.version_info[:2] == (3, minor):
        return sys.executable
    for cand in [shutil.which(f"python3.{minor}"), *sorted(glob.glob(f"{PYENV}/3.{minor}.*/bin/python3"))]:
        if not cand:
            continue
        r = subprocess.run([cand, "-c", f"import sys; assert sys.version_info[:2] == (3, {minor}); "
                                        "print(sys.executable)"], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.strip()
    return None


def _python313(tmp: Path) -> str:
    real = _interpreter(13)
    if real:
        return real
    fake = tmp / "fake313"
    fake.write_text('#!/bin/sh\nprintf "3.13\\t%s\\n" "$0"\n')
    fake.chmod(0o755)
    return str(fake)


def _bin(tmp: Path, **links: str) -> Path:
    """A folder for PATH holding the given names as links to interpreters (or shims)."""
    d = tmp / "bin"
    d.mkdir(exist_ok=True)
    for name, target in links.items():
        (d / name.replace("_", ".")).symlink_to(target)
    return d


def _run(script: Path, *args: str, path: Path, pyenv_root: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(script), *args], capture_output=True, text=True,
                          env={"PATH": str(path), "PYENV_ROOT": str(pyenv_root), "HOME": str(path.parent),
                               **env}, timeout=60)


def _pyenv_shim_that_fails(tmp: Path) -> str:
    """What pyenv's python3.12 shim does when 3.12 is installed but not selected."""
    shim = tmp / "shim312"
    shim.write_text("#!/bin/sh\necho \"pyenv: python3.12: command not found\" >&2\nexit 127\n")
    shim.chmod(0o755)
    return str(shim)


@pytest.fixture
def py311() -> str:
    return _interpreter(11) or pytest.skip("no Python 3.11 on this machine")


@pytest.fixture
def py312() -> str:
    return _interpreter(12) or pytest.skip("no Python 3.12 on this machine")


def test_prefers_312_then_311(tmp_path, py311, py312):
    path = _bin(tmp_path, python3_12=py312, python3_11=py311, python3=py311)
    r = _run(FIND, path=path, pyenv_root=tmp_path / "none")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("3.12\t")
    r = _run(FIND, "--except", "3.12", path=path, pyenv_root=tmp_path / "none")
    assert r.returncode == 0 and r.stdout.startswith("3.11\t")


def test_a_shim_that_does_not_run_is_passed_over(tmp_path, py311):
    path = _bin(tmp_path, python3_12=_pyenv_shim_that_fails(tmp_path), python3_11=py311)
    r = _run(FIND, path=path, pyenv_root=tmp_path / "none")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("3.11\t")
    # no second version on this PATH
    r = _run(FIND, "--except", "3.11", path=path, pyenv_root=tmp_path / "none")
    assert r.returncode == 1 and r.stdout == ""


def test_pyenv_versions_are_searched(tmp_path, py311, py312):
    path = _bin(tmp_path, python3=py311)
    root = tmp_path / "pyenv"
    (root / "versions" / "3.12.1" / "bin").mkdir(parents=True)
    (root / "versions" / "3.12.1" / "bin" / "python3").symlink_to(py312)
    r = _run(FIND, "--except", "3.11", path=path, pyenv_root=root)
    assert r.returncode == 0 and r.stdout.startswith("3.12\t"), r.stderr


def test_only_python_313_gets_the_way_out(tmp_path):
    path = _bin(tmp_path, python3=_python313(tmp_path), dirname=shutil.which("dirname"))
    venv = tmp_path / "venv"
    r = _run(BOOTSTRAP, "runtime", path=path, pyenv_root=tmp_path / "none", VENV=str(venv))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2, r.stderr
    assert "needs Python 3.11 or 3.12" in lines[0] and "found Python 3.13 (python3)" in lines[0]
    assert "uv python install 3.12" in lines[1] and 'PYTHON="$(uv python find 3.12)" make run' in lines[1]
    assert "GaitCoach bundle" in lines[1]
    assert not venv.exists()


def test_python_variable_is_obeyed_and_checked(tmp_path, py311, py312):
    path = _bin(tmp_path, python3=py312)
    r = _run(FIND, path=path, pyenv_root=tmp_path / "none", PYTHON=py311)
    assert r.returncode == 0 and r.stdout.startswith("3.11\t")
    r = _run(FIND, path=path, pyenv_root=tmp_path / "none", PYTHON=_python313(tmp_path))
    assert r.returncode == 1 and "found Python 3.13" in r.stderr
    r = _run(FIND, path=path, pyenv_root=tmp_path / "none", PYTHON=str(tmp_path / "missing"))
    assert r.returncode == 1 and "which does not run" in r.stderr
