#!/usr/bin/env bash
# Find a Python interpreter GaitCoach supports (3.11 or 3.12: mediapipe 0.10.21 has wheels
# for those only). Uses bash built-ins only, so it also works with a bare PATH.
#
#   scripts/find_python.sh              print the first supported interpreter
#   scripts/find_python.sh --except 3.11  print a supported one of another version (for the
#                                        second-version test run); exit 1 when there is none
#
# Order: $PYTHON if set ($PYTHON_OTHER with --except); then python3.12, python3.11, python3 on PATH; then pyenv's
# installed versions under ${PYENV_ROOT:-~/.pyenv}/versions (newest first). A candidate counts
# only if it runs (a pyenv shim for a version that is not selected does not) and reports a
# supported version. Prints "VERSION<TAB>PATH" (PATH = the interpreter's sys.executable).
# Sourced by bootstrap.sh for gc_find_python / gc_python_way_out.

GC_SUPPORTED="3.11 3.12"

# Print "X.Y<TAB>sys.executable" of interpreter $1, or fail if it does not run.
gc_probe_python() {
  "$1" -c 'import sys; print("%d.%d\t%s" % (sys.version_info[0], sys.version_info[1], sys.executable))' 2>/dev/null
}

gc_is_supported() {
  local v
  for v in $GC_SUPPORTED; do [ "$v" = "$1" ] && return 0; done
  return 1
}

# gc_find_python [EXCLUDED_VERSION]: print "X.Y<TAB>PATH" of the first supported interpreter.
gc_find_python() {
  local exclude="${1:-}" cand out ver root dir
  local -a cands=()
  if [ -n "${PYTHON:-}" ] && [ -z "$exclude" ]; then
    cands=("$PYTHON")
  elif [ -n "${PYTHON_OTHER:-}" ] && [ -n "$exclude" ]; then
    cands=("$PYTHON_OTHER")
  else
    cands=(python3.12 python3.11 python3)
    root="${PYENV_ROOT:-${HOME:-/nonexistent}/.pyenv}"
    for dir in "$root"/versions/3.12* "$root"/versions/3.11*; do
      [ -d "$dir" ] || continue
      cands+=("$dir/bin/python3")
    done
  fi
  for cand in "${cands[@]}"; do
    out="$(gc_probe_python "$cand")" || continue
    ver="${out%%$'\t'*}"
    gc_is_supported "$ver" || continue
    [ "$ver" = "$exclude" ] && continue
    printf '%s\n' "$out"
    return 0
  done
  return 1
}

# What to tell a user whose machine has no supported Python (e.g. only 3.13).
gc_python_way_out() {
  local found="" cand out
  local -a cands=(python3 python3.13 python3.14)
  [ -n "${PYTHON:-}" ] && cands=("$PYTHON")
  for cand in "${cands[@]}"; do
    out="$(gc_probe_python "$cand")" && { found="Python ${out%%$'\t'*} ($cand)"; break; }
  done
  [ -n "${PYTHON:-}" ] && [ -z "$found" ] && found="PYTHON=$PYTHON, which does not run"
  echo "bootstrap: GaitCoach needs Python 3.11 or 3.12 (mediapipe 0.10.21 has no wheels for other versions); found ${found:-no Python}." >&2
  echo "  Run the GaitCoach bundle instead (GaitCoach-*-linux-*.tar.zst carries its own Python: README, Install), or get Python 3.12 with uv (https://docs.astral.sh/uv/) and run the same command with it: uv python install 3.12 && PYTHON=\"\$(uv python find 3.12)\" make run" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    --except) gc_find_python "${2:?--except needs a version, e.g. 3.11}" ;;
    "") gc_find_python || { gc_python_way_out; exit 1; } ;;
    *) echo "usage: $0 [--except X.Y]" >&2; exit 2 ;;
  esac
fi
