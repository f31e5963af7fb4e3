#!/usr/bin/env bash
# make test, second part: GaitCoach supports Python 3.11 and 3.12. The whole suite runs in .venv
# (whichever of the two it has); this runs the unit tests, the audio tests and the tests marked
# second_python (analyze male_side.mp4 compared number for number with .venv's interpreter,
# the GUI smoke run, the live window, a headless session) in .venv-py3.X made with the other
# version. Under CI (CI=true) a missing second version is a failure; on a developer machine it
# is reported and skipped. PYTHON_OTHER=/path/to/python picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find_python.sh

main="$(gc_probe_python .venv/bin/python)" || { echo "test_second_python: no .venv (run make setup-dev)" >&2; exit 1; }
main_ver="${main%%$'\t'*}"
if ! other="$(gc_find_python "$main_ver")"; then
  if [ "${CI:-}" = true ]; then
    echo "make test: CI tests Python 3.11 and 3.12, but only $main_ver was found (PYTHON_OTHER=... to name the other)." >&2
    exit 1
  fi
  echo "make test: SKIPPED the second Python version: only Python $main_ver is on this machine (CI runs both; PYTHON_OTHER=... to name one)." >&2
  exit 0
fi
ver="${other%%$'\t'*}"
VENV=".venv-py$ver" PYTHON="${other#*$'\t'}" bash scripts/bootstrap.sh dev
echo "make test: second Python version $ver (.venv-py$ver; the whole suite ran on $main_ver)"
GAITCOACH_OTHER_PYTHON="$PWD/.venv/bin/python" QT_QPA_PLATFORM=offscreen \
  ".venv-py$ver/bin/python" -m pytest -ra -m "unit or audio or second_python" "$@"
