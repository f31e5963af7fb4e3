#!/usr/bin/env bash
# Make sure a PulseAudio server with a null sink "gaitcoach_null" is running (for tests and
# for machines with no sound card). Safe to call repeatedly.
set -u
command -v pulseaudio >/dev/null 2>&1 || { echo "start_pulse: pulseaudio not installed" >&2; exit 0; }
if ! pactl info >/dev/null 2>&1; then
  args="--exit-idle-time=-1 --daemonize=yes --disallow-exit --log-target=stderr"
  if [ "$(id -u)" = 0 ]; then
    pulseaudio --system=false $args 2>/dev/null || pulseaudio $args 2>/dev/null || true
  else
    pulseaudio $args 2>/dev/null || true
  fi
  for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
if pactl info >/dev/null 2>&1; then
  pactl list short sinks 2>/dev/null | grep -q gaitcoach_null || \
    pactl load-module module-null-sink sink_name=gaitcoach_null \
      sink_properties=device.description=GaitCoach_null >/dev/null
  pactl set-default-sink gaitcoach_null >/dev/null 2>&1 || true
else
  echo "start_pulse: could not start PulseAudio; audio tests will be skipped" >&2
fi
