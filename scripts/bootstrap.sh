#!/usr/bin/env bash
# Set up everything GaitCoach needs on a Debian/Ubuntu machine, idempotently:
#   1. Debian packages (PortAudio, Qt xcb/EGL libs, PulseAudio, Xvfb, espeak-ng, sox, poppler)
#      installed when running as root, otherwise the exact apt-get line is printed.
#   2. .venv with the pinned Python packages (constraints.txt), app installed editable, made
#      with the first supported interpreter found (scripts/find_python.sh: $PYTHON, python3.12,
#      python3.11, python3, pyenv's versions); a machine with none gets the way out in two lines.
# Usage: [PYTHON=python3.X] [VENV=.venv] scripts/bootstrap.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-dev}"
VENV="${VENV:-.venv}"
# shellcheck source=find_python.sh
. scripts/find_python.sh

# An existing venv is kept while its Python is supported (and matches $PYTHON when given).
if [ -x "$VENV/bin/python" ]; then
  have="$(gc_probe_python "$VENV/bin/python")" || have=""
  want=""
  [ -n "${PYTHON:-}" ] && { want="$(gc_probe_python "$PYTHON")" || want=""; }
  if ! gc_is_supported "${have%%$'\t'*}" || { [ -n "$want" ] && [ "${want%%$'\t'*}" != "${have%%$'\t'*}" ]; }; then
    echo "bootstrap: $VENV has Python ${have%%$'\t'*}; making it again"
    rm -rf "$VENV"
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  found="$(gc_find_python)" || { gc_python_way_out; exit 1; }
  PY="${found#*$'\t'}"
fi

DEB_RUNTIME="libportaudio2 libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 \
libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 \
libegl1 libgl1 libdbus-1-3 libfontconfig1 pulseaudio pulseaudio-utils espeak-ng"
DEB_DEV="xvfb xauth sox poppler-utils postgresql ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good desktop-file-utils appstream zstd"
PKGS="$DEB_RUNTIME"
[ "$MODE" = dev ] && PKGS="$PKGS $DEB_DEV"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "bootstrap: missing system packages. Run this once, then try again:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

STAMP=$VENV/.bootstrap-$MODE
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV with Python ${found%%$'\t'*} ($PY)"
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ constraints.txt -nt "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "bootstrap: installing Python packages (pinned by constraints.txt)"
  "$VENV/bin/python" -m pip install -q --upgrade "pip>=24" >/dev/null
  extra=""
  [ "$MODE" = dev ] && extra="[dev]"
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".$extra"
  touch "$STAMP"
fi
