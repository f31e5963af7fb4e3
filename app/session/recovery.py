"""Recover sessions left in ``recording`` by a crash (docs/SESSION_FORMAT.md).

A crashed folder holds video.mkv (readable up to the last flushed cluster) and CSV files
flushed line by line, possibly with half a line at the end. Recovery cuts those half
lines, remuxes the readable video to video.mp4 (no re-encode), takes the duration from the
landmark file, recomputes the summary from steps.csv and marks the folder ``recovered``.
Runs on the caller's thread (GUI: a few seconds for a long session; the CLI: directly).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import InputFileError, UserError
from app.session import folder as sf


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    """``duration_s`` from the landmark file (else the video); ``video_s`` what the
    recovered video holds (None when no video could be recovered); ``sentence`` for the
    user, e.g. "recovered after a crash: 4 min 12 s"."""

    folder: Path
    duration_s: float
    frames: int
    video_s: float | None
    sentence: str


def format_duration(seconds: float) -> str:
    """``4 min 12 s``, ``12 s``, ``1 h 3 min 5 s`` (rounded to the second)."""
    s = int(round(max(0.0, seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h} h {m} min {sec} s"
    if m:
        return f"{m} min {sec} s"
    return f"{sec} s"


def trim_partial_line(path: Path) -> int:
    """Cut a half-written last line (no final newline) off ``path``; returns the bytes
    removed (0 when the file ends cleanly or does not exist)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size == 0:
        return 0
    with open(path, "rb+") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        back = min(size, 1 << 20)
        fh.seek(size - back)
        tail = fh.read(back)
        cut = tail.rfind(b"\n")
        keep = 0 if cut < 0 else size - back + cut + 1
        fh.truncate(keep)
        return size - keep


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        return []


def _landmark_duration(folder: Path, fps: float) -> tuple[float | None, int]:
    """(duration s, rows) from landmarks.csv; (None, 0) when it has no readable row."""
    from app.pose.landmark_file import read_landmark_file

    path = folder / sf.LANDMARKS
    if not path.exists():
        return None, 0
    try:
        meta, samples = read_landmark_file(path)
    except InputFileError:
        return None, 0
    if not samples:
        return None, 0
    fps = fps or meta.fps
    return (samples[-1].t_ns - samples[0].t_ns) / 1e9 + 1.0 / fps, len(samples)


def _recover_other_views(d: Path, views: Any) -> list[dict] | None:
    """Two-view sessions: trim and remux every other view's files in its sub-folder;
    the manifest's ``views`` entries updated (``video`` None when none was readable)."""
    if not isinstance(views, list):
        return None
    out = []
    for entry in views:
        e = dict(entry) if isinstance(entry, dict) else {}
        sub = e.get("dir")
        if sub:
            vd = d / str(sub)
            for name in (sf.LANDMARKS, sf.EVENTS):
                trim_partial_line(vd / name)
            mkv, mp4 = vd / sf.VIDEO_MKV, vd / sf.VIDEO_MP4
            if mkv.exists():
                import av

                from app.session.video import remux_to_mp4

                try:
                    res = remux_to_mp4(mkv, mp4)
                except (ValueError, av.error.FFmpegError):  # no readable frame: video lost
                    e.update(video=None, state="recovered")
                else:
                    e.update(video=f"{sub}/{sf.VIDEO_MP4}", frames=res.frames, state="recovered")
                    mkv.unlink()
            elif mp4.exists():
                e.update(video=f"{sub}/{sf.VIDEO_MP4}", state="recovered")
        out.append(e)
    return out


def recover_session(folder: str | os.PathLike[str]) -> RecoveryResult:
    """Recover one crashed session folder in place and mark it ``recovered``.

    Raises ``UserError`` when the folder is not an incomplete session (complete already,
    being recorded by a running program, no manifest) or cannot be written."""
    from app.session.summary import session_summary
    from app.session.video import remux_to_mp4

    d = Path(folder)
    info = sf.session_folder(d)
    if info.manifest is None:
        raise InputFileError(info.error or f"{d} is not a session folder.")
    if info.live:
        raise UserError(f"The session {info.id} is being recorded right now; it cannot be recovered.")
    if info.state != sf.STATE_RECORDING:
        raise UserError(f"The session {info.id} is {info.state}, not an interrupted recording.")
    m = dict(info.manifest)
    fps = float(m.get("fps") or 30.0)
    try:
        for name in (sf.LANDMARKS, sf.EVENTS, sf.STEPS, sf.CUES, sf.BLOCKS, sf.GAPS):
            trim_partial_line(d / name)
        lm_duration, rows = _landmark_duration(d, fps)

        video_s: float | None = None
        frames = 0
        mkv, mp4 = d / sf.VIDEO_MKV, d / sf.VIDEO_MP4
        if mkv.exists():
            import av

            try:
                res = remux_to_mp4(mkv, mp4)
                video_s, frames = res.duration_s, res.frames
            except (ValueError, av.error.FFmpegError):
                video_s = None
        elif mp4.exists():  # crashed after the remux of a clean stop
            from app.capture.video_file import probe_video

            try:
                p = probe_video(mp4)
                video_s, frames = p.duration_s or 0.0, p.n_frames_estimate or 0
            except UserError:
                video_s = None

        views = _recover_other_views(d, m.get("views"))
        duration = lm_duration if lm_duration is not None else (video_s or 0.0)
        summary = session_summary(_read_csv(d / sf.STEPS), _read_csv(d / sf.BLOCKS), duration)
        m.update(state=sf.STATE_RECOVERED, duration_s=round(duration, 3),
                 frames=frames if video_s is not None else 0,
                 video=sf.VIDEO_MP4 if video_s is not None else None,
                 landmark_rows=rows, recovered_utc=sf.utc_now_iso(), summary=summary,
                 **({"views": views} if views else {}))
        sf.write_manifest(d, m)
    except OSError as exc:
        raise sf.disk_error(exc, f"the session {info.id} could not be recovered") from None
    if video_s is not None and mkv.exists():
        try:
            mkv.unlink()
        except OSError:
            pass
    try:
        (d / sf.LOCK).unlink()
    except OSError:
        pass
    sentence = f"recovered after a crash: {format_duration(duration)}"
    if video_s is None:
        sentence += " (the video could not be recovered; landmarks and metrics were)"
    elif duration - video_s > 1.5:
        sentence += f" (video: {format_duration(video_s)})"
    return RecoveryResult(d, float(duration), frames, video_s, sentence)


def incomplete_sessions(root: str | os.PathLike[str] | None = None) -> list[sf.SessionFolder]:
    """Folders under ``root`` (default: the sessions root) left by a crash."""
    return sf.incomplete_sessions(root)
