"""Self-test of an installed GaitCoach: ``gaitcoach selftest`` and Help → Self-test.

Checks, in order: the shipped data (cues, protocols, the self-test clip), the pose model
(MediaPipe BlazePose full on ``assets/selftest/selftest_run.mp4``, a clip rendered from the
demo runner with a known cadence), the gait engine's cadence and step count on that clip,
the audio output (a short silent stream on the default device, or "no sound device"),
text-to-speech (espeak-ng, optional), the session store (a new SQLite store in a temporary
folder, created and migrated by the shipped Alembic revisions), and that the data and config
folders are writable.
Each gives one :class:`Check`; a failed check makes the verdict "failed" (exit code 1).
No Qt here: the dialog (app/ui/shared/selftest_dialog.py) runs :func:`run_selftest` on a worker
thread.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable

from app.resources import asset_path

SELFTEST_CLIP = ("selftest", "selftest_run.mp4")
SELFTEST_TRUTH = ("selftest", "selftest_run.json")
#: The gait engine must measure the clip's cadence within this fraction of the true one.
CADENCE_TOLERANCE = 0.06
MIN_STEPS = 8
MIN_PERSON_FRACTION = 0.9
#: The checks of one run, in order (the dialog has one row for each).
CHECK_NAMES = ("version", "shipped data", "pose model", "gait engine", "audio output",
               "text-to-speech", "session store", "data folder", "config folder")


class Status(Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Check:
    """One self-test line: what was checked, its status and one sentence of detail."""

    name: str
    status: Status
    detail: str

    def line(self) -> str:
        return f"{self.status.value:<4}  {self.name:<15} {self.detail}"


def _version_check() -> Check:
    from app import __version__

    kind = "bundle" if getattr(sys, "frozen", False) else "Python environment"
    return Check("version", Status.OK,
                 f"GaitCoach {__version__}, Python {platform.python_version()} ({kind})")


def _shipped_data_check() -> Check:
    from app.feedback.cue_library import CueLibrary
    from app.protocol.templates import TemplateLibrary

    try:
        cues = CueLibrary.load("en", user_root=Path(tempfile.gettempdir()) / "gaitcoach-no-user-cues")
        templates = TemplateLibrary.load(user_dir=Path(tempfile.gettempdir()) / "gaitcoach-no-user")
    except (OSError, ValueError) as exc:
        return Check("shipped data", Status.FAIL, f"the shipped cues or protocols cannot be read ({exc})")
    clips = sum(1 for c in cues if c.clip_path is not None and Path(c.clip_path).is_file())
    missing = [p for p in (SELFTEST_CLIP, SELFTEST_TRUTH) if not asset_path(*p).is_file()]
    if missing or len(cues) == 0 or len(templates) == 0:
        what = ", ".join("/".join(p) for p in missing) or "cues or protocol templates"
        return Check("shipped data", Status.FAIL, f"missing: {what}")
    return Check("shipped data", Status.OK,
                 f"{len(cues)} cues ({clips} with voice clips), "
                 f"{len(templates)} protocol templates, self-test clip")


def _pose_and_gait_checks() -> list[Check]:
    """Run the pose model and the gait engine on the self-test clip: two checks."""
    from app.errors import UserError
    from app.gait.analysis import analyze_samples
    from app.pose.pipeline import iter_poses
    from app.types import Facing, View

    clip = asset_path(*SELFTEST_CLIP)
    try:
        truth = json.loads(asset_path(*SELFTEST_TRUTH).read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        meta, samples = iter_poses(clip)
        result = analyze_samples(samples, View(truth["view"]), Facing(truth["facing"]),
                                 meta.fps or None)
        elapsed_s = time.perf_counter() - t0
    except (UserError, OSError, RuntimeError, ValueError, KeyError) as exc:
        msg = f"the pose model did not run on {clip.name} ({exc})"
        return [Check("pose model", Status.FAIL, msg),
                Check("gait engine", Status.FAIL, "not checked: no pose")]
    n = max(result.n_samples, 1)
    ms_per_frame = 1000.0 * elapsed_s / n
    pose_ok = result.n_person_samples >= MIN_PERSON_FRACTION * n
    pose = Check("pose model", Status.OK if pose_ok else Status.FAIL,
                 f"BlazePose found the runner in {result.n_person_samples}/{result.n_samples} frames of "
                 f"{clip.name} in {elapsed_s:.1f} s ({ms_per_frame:.0f} ms/frame)")
    want = float(truth["cadence_spm"])
    got = result.cadence_spm
    if got is None:
        return [pose, Check("gait engine", Status.FAIL,
                            f"no cadence measured on {clip.name} (true {want:.0f} spm)")]
    ok = abs(got - want) <= CADENCE_TOLERANCE * want and result.n_steps >= MIN_STEPS
    return [pose, Check("gait engine", Status.OK if ok else Status.FAIL,
                        f"cadence {got:.1f} spm from {result.n_steps} steps "
                        f"(true {want:.0f} spm, within ±{CADENCE_TOLERANCE:.0%} needed)")]


def _audio_check(seconds: float = 0.3) -> Check:
    from app.audio.backend import load_sounddevice, resolve_output_device

    sd, reason = load_sounddevice()
    if sd is None:
        return Check("audio output", Status.WARN, f"no sound device: {reason}")
    dev, reason = resolve_output_device(None, sd)
    if dev is None:
        return Check("audio output", Status.WARN, f"no sound device: {reason}")
    blocks = [0]

    def callback(outdata, frames, time_info, status) -> None:  # PortAudio's thread
        outdata.fill(0)
        blocks[0] += 1

    try:
        with sd.OutputStream(device=dev.index, channels=1, samplerate=dev.default_samplerate_hz,
                             callback=callback):
            time.sleep(seconds)
    except (sd.PortAudioError, ValueError, OSError) as exc:
        return Check("audio output", Status.WARN, f"no sound device: {dev.name} did not open ({exc})")
    if blocks[0] == 0:
        return Check("audio output", Status.WARN, f"no sound device: {dev.name} opened but did not play")
    return Check("audio output", Status.OK,
                 f"{dev.name} ({dev.hostapi}) played {seconds:.1f} s of silence in {blocks[0]} blocks")


def _tts_check() -> Check:
    exe = shutil.which("espeak-ng")
    if exe:
        return Check("text-to-speech", Status.OK, f"espeak-ng at {exe}: cues you add are spoken")
    return Check("text-to-speech", Status.WARN,
                 "espeak-ng not found: the shipped cue clips play; cues you add are shown, "
                 "or spoken once you record them or install espeak-ng")


def _store_check() -> Check:
    """A new SQLite session store in a temporary folder, migrated to the newest schema."""
    from app.errors import UserError
    from app.session.migrations import schema_version
    from app.session.store import open_store

    with tempfile.TemporaryDirectory(prefix="gaitcoach-selftest-store-") as d:
        t0 = time.perf_counter()
        try:
            with open_store(Path(d) / "selftest.db") as st:
                st.add_runner("Self-test runner")
                n_runners = len(st.list_runners())
                with st.engine.connect() as conn:
                    version = schema_version(conn)
        except (UserError, OSError, ImportError, RuntimeError) as exc:
            return Check("session store", Status.FAIL, f"a new session database cannot be created ({exc})")
        elapsed_ms = 1000.0 * (time.perf_counter() - t0)
    if n_runners != 1:
        return Check("session store", Status.FAIL,
                     f"a runner written to a new session database read back as {n_runners}")
    return Check("session store", Status.OK,
                 f"a new SQLite session database was created at schema {version} and read back "
                 f"in {elapsed_ms:.0f} ms")


def _writable_check(name: str, folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".selftest-") as f:
            f.write(b"ok")
            f.flush()
    except OSError as exc:
        return Check(name, Status.FAIL, f"{folder} is not writable ({exc.strerror or exc})")
    return Check(name, Status.OK, f"{folder} is writable")


def run_selftest(on_check: Callable[[Check], None] | None = None,
                 audio: bool = True) -> list[Check]:
    """Run every check in order; ``on_check`` is called after each (on this thread)."""
    from app.config import config_dir
    from app.session.folder import data_dir

    steps: list[Callable[[], Check | list[Check]]] = [
        _version_check, _shipped_data_check, _pose_and_gait_checks,
        (_audio_check if audio else
         lambda: Check("audio output", Status.WARN, "not checked (skipped on request: --no-audio)")),
        _tts_check,
        _store_check,
        lambda: _writable_check("data folder", data_dir()),
        lambda: _writable_check("config folder", config_dir()),
    ]
    out: list[Check] = []
    for step in steps:
        got = step()
        for check in got if isinstance(got, list) else [got]:
            out.append(check)
            if on_check is not None:
                on_check(check)
    return out


def verdict(checks: list[Check]) -> tuple[bool, str]:
    """(passed, one sentence) for a finished run."""
    failed = [c.name for c in checks if c.status is Status.FAIL]
    warned = sum(c.status is Status.WARN for c in checks)
    if failed:
        return False, f"Self-test FAILED: {', '.join(failed)} ({len(checks)} checks)."
    tail = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
    return True, f"Self-test passed: {len(checks)} checks{tail}."
