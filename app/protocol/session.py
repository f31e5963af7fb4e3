"""A whole protocol run without a window: live pipeline + audio engine + feedback
controller + session recorder + :class:`ProtocolRunner`, then ``finish_session``.

:func:`run_protocol` runs on the calling thread (it ticks the runner every ``tick_s``
and sleeps in between); the pipeline, the recorder and the audio callback run on their
own threads as in the desktop app. The GUI does not use this function — it wires the
same parts to its own pipeline and timer — but it is the reference for that wiring:

    pipe.add_listener(controller.on_update); pipe.add_listener(runner.on_steps)
    recorder = start_recording(pipe, root, view=..., template=template.name)
    controller.on_cue = lambda ev: recorder.log_cue(ev.t_ns, ev.cue_id, ev.text, ev.trigger)
    runner.recorder = recorder; runner.start(); ... runner.tick() on a timer ...
    recorder.request_stop() when runner.finished; finish_session(runner, recorder) on a worker

A file source is looped (a protocol lasts minutes, clips seconds); the demo source
renders the synthetic runner in the template's view.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.errors import UserError
from app.protocol.finish import SessionOutcome, finish_session
from app.protocol.runner import ProtocolEvent, ProtocolRunner
from app.protocol.templates import Template

#: Longest wait for the first processed frame (model load, camera start), s.
START_TIMEOUT_S = 60.0
#: After the last block, the end line may play this long before the audio stops, s.
END_LINE_S = 3.0


@dataclass(frozen=True)
class ProtocolRun:
    """A headless run: the outcome plus live-pipeline figures and audio facts."""

    outcome: SessionOutcome
    events: tuple[ProtocolEvent, ...]
    audio: str                 # device name, or the sentence why there was no sound
    audio_ok: bool
    frames: int
    dropped: int
    wall_s: float
    voice_problems: tuple[str, ...]


def _open(source_spec: str, template: Template, demo_kwargs: dict | None):
    from app.capture.live import VideoFileLiveSource, open_source
    from app.types import View

    spec = source_spec.strip()
    if spec.lower() == "demo":
        kw = {"view": View(template.primary_view)}
        kw.update(demo_kwargs or {})
        return open_source("demo", **kw)
    if spec.lower().startswith("camera"):
        return open_source(spec)
    return VideoFileLiveSource(spec, loop=True)


def run_protocol(template: Template, source_spec: str = "demo",
                 record_root: str | os.PathLike[str] | None = None, *,
                 time_scale: float = 1.0, runner_id: int | None = None,
                 store_path: str | os.PathLike[str] | None = None, audio: bool = True,
                 audio_device: str | None = None, plan: str | None = None,
                 plan_session: int | None = None, make_report: bool = True,
                 on_event: Callable[[ProtocolEvent], None] | None = None,
                 progress: Callable[[str], None] | None = None, tick_s: float = 0.05,
                 demo_kwargs: dict | None = None) -> ProtocolRun:
    """Run ``template`` on a source and record it into a new folder under
    ``record_root`` (default: the sessions root); returns a :class:`ProtocolRun`.
    Raises ``UserError`` for a bad source or unwritable folder (before anything is
    recorded); Ctrl+C stops the protocol early and still saves the session."""
    from app import config
    from app.feedback.controller import FeedbackController
    from app.feedback.cue_library import CueLibrary
    from app.pose.worker import LivePipeline
    from app.protocol.voice import GuidanceVoice
    from app.session.recorder import start_recording
    from app.types import View

    t_wall = time.perf_counter()
    settings = config.load()
    source = _open(source_spec, template, demo_kwargs)
    view = View(template.primary_view)  # headless: one camera (a two-view template's side)
    library = CueLibrary.load("en")
    engine, audio_text, audio_ok = None, "sound off (--no-audio)", False
    voice = None
    if audio:
        from app.audio import AudioEngine

        engine = AudioEngine(audio_device if audio_device is not None
                             else (settings.feedback.audio_device or None))
        st = engine.start()
        if st.available and engine.wait_ready(15.0):
            audio_ok, audio_text = True, st.device_name
            engine.register_cues(library)
            voice = GuidanceVoice(engine)
            from app.protocol.runner import END_LINE, SHORT_BASELINE_LINE

            voice.prepare([b.say for b in template.blocks] + [END_LINE, SHORT_BASELINE_LINE])
        else:
            audio_text = st.reason or f"the audio device '{st.device_name}' did not start playing"
            engine.stop()
            engine = None
    controller = FeedbackController(
        library, engine, baseline_steps=settings.feedback.baseline_steps,
        saved_target_spm=None,  # no target carried over from another runner (issue 11)
        cadence_band_pct=settings.runner.cadence_band_pct,
        sync_offset_ms=settings.feedback.sync_offset_ms)
    runner = ProtocolRunner(template, controller, None, voice, time_scale=time_scale)
    if on_event is not None:
        runner.add_listener(on_event)
    pipe = LivePipeline(source, view)
    pipe.add_listener(controller.on_update)
    pipe.add_listener(runner.on_steps)
    rec = None
    try:
        rec = start_recording(pipe, record_root, source=source_spec, view=view,
                              template=template.name, runner_id=runner_id)
        controller.on_cue = lambda ev: rec.log_cue(ev.t_ns, ev.cue_id, ev.text, ev.trigger)
        rec.sync_lookup = controller.sync_for_ic
        runner.recorder = rec
        if progress is not None:
            progress(f"recording to {rec.folder}")
        pipe.start()
        _wait_first_frame(pipe)
        runner.start()
        try:
            while not runner.finished:
                runner.tick()
                st = pipe.status()
                if st.state == "error" or not pipe.running:
                    why = st.message or "the source stopped"
                    runner.abort()
                    if progress is not None:
                        progress(f"stopped early: {why}")
                    break
                time.sleep(tick_s)
        except KeyboardInterrupt:
            runner.abort()
        rec.request_stop()
        t_end = time.perf_counter()
        while voice is not None and time.perf_counter() - t_end < END_LINE_S:
            runner.tick()
            if engine is not None and not engine.voice_active and not voice._pending:
                break
            time.sleep(tick_s)
    except BaseException:
        pipe.stop()
        if rec is not None:
            rec.stop()
        if engine is not None:
            engine.stop()
        raise
    pipe.stop()
    if engine is not None:
        engine.stop()
    outcome = finish_session(runner, rec, store_path=store_path, runner_id=runner_id,
                             plan=plan, plan_session=plan_session, make_report=make_report,
                             progress=progress)
    return ProtocolRun(outcome, tuple(runner.events), audio_text, audio_ok,
                       pipe.capture.frames, pipe.dropped(), time.perf_counter() - t_wall,
                       tuple(voice.problems) if voice is not None else ())


def _wait_first_frame(pipe) -> None:  # noqa: ANN001
    """Wait until the pose worker has processed a frame (model loaded, source open)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        st = pipe.status()
        if st.state == "error":
            raise UserError(st.message)
        if st.frames_processed > 0:
            return
        if not pipe.running:
            raise UserError(st.message or f"{pipe.source.name} gave no frame.")
        time.sleep(0.02)
    raise UserError(f"{pipe.source.name} gave no frame within {START_TIMEOUT_S:.0f} s.")


def default_record_root() -> Path:
    from app.session.folder import sessions_root

    return sessions_root()
