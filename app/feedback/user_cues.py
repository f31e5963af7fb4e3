"""Edit the clinician's cue folder (``cue_library.user_cue_root()/<lang>/``) as data:
add or change cues in its ``cues.toml``, hide shipped cues, and put a clip (imported WAV
or a microphone recording) beside it as ``<id>.wav``. The library reads the result with
``CueLibrary.load``; nothing here touches the shipped set.

Every function writes atomically (temp file + rename) and raises ``UserError`` with one
sentence for bad input.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.atomic import atomic_path
from app.errors import UserError
from app.feedback.cue_library import FAULTS, MAX_WORDS, SCHEMA_VERSION, CueKind, user_cue_root


def user_dir(language: str = "en", root: Path | None = None) -> Path:
    """The user's cue folder for ``language`` (not created here)."""
    return (user_cue_root() if root is None else Path(root)) / language


def read_entries(language: str = "en", root: Path | None = None) -> list[dict]:
    """The ``[[cue]]`` tables of the user's cues.toml ([] when there is none or it is
    unreadable — the library reports why)."""
    path = user_dir(language, root) / "cues.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    entries = data.get("cue", [])
    return [dict(e) for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def disabled_ids(language: str = "en", root: Path | None = None) -> list[str]:
    """Ids the user has hidden (``enabled = false``)."""
    return [str(e.get("id")) for e in read_entries(language, root) if e.get("enabled") is False]


def _write_entries(entries: list[dict], language: str, root: Path | None) -> Path:
    import tomli_w

    folder = user_dir(language, root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cues.toml"
    text = ("# Your own cues (GaitCoach → Tools → Cues…). Entries here add cues, replace "
            "shipped cues with the same id,\n# or hide one with enabled = false. "
            "A WAV named <id>.wav in this folder is that cue's clip.\n")
    text += tomli_w.dumps({"schema_version": SCHEMA_VERSION, "language": language, "cue": entries})
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def check_cue(cue_id: str, text: str, kind: str, metric: str, direction: str) -> None:
    """Raise UserError with one sentence when a cue would be rejected by the library."""
    if not cue_id or not cue_id.replace("_", "").replace("-", "").isalnum():
        raise UserError("A cue id may only contain letters, digits, '_' and '-'.")
    if not text.strip():
        raise UserError("A cue needs its words.")
    if len(text.split()) > MAX_WORDS:
        raise UserError(f"A cue has at most {MAX_WORDS} words ('{text}' has {len(text.split())}).")
    try:
        k = CueKind(kind)
    except ValueError:
        raise UserError(f"A cue is a correction or praise, not '{kind}'.") from None
    if k is CueKind.CORRECTION:
        if metric not in FAULTS:
            raise UserError(f"'{metric}' is not a fault a cue can answer.")
        if direction not in FAULTS[metric]:
            raise UserError(f"For {metric} the direction is {' or '.join(FAULTS[metric])}.")
    elif metric and metric not in FAULTS:
        raise UserError(f"'{metric}' is not a fault a cue can answer.")


def save_cue(cue_id: str, text: str, kind: str = "correction", metric: str = "",
             direction: str = "", language: str = "en", root: Path | None = None) -> Path:
    """Add a cue, or replace the user's entry with this id (a shipped cue with this id is
    overridden). Returns the cues.toml path."""
    cue_id, text = cue_id.strip(), " ".join(text.split())
    check_cue(cue_id, text, kind, metric, direction)
    entry: dict = {"id": cue_id, "text": text, "kind": kind}
    if metric:
        entry["metric"] = metric
    if direction:
        entry["direction"] = direction
    entries = [e for e in read_entries(language, root) if e.get("id") != cue_id]
    entries.append(entry)
    return _write_entries(entries, language, root)


def set_enabled(cue_id: str, enabled: bool, language: str = "en", root: Path | None = None) -> Path:
    """Hide (``enabled=False``) or show again a shipped or user cue."""
    entries = read_entries(language, root)
    out: list[dict] = []
    found = False
    for e in entries:
        if e.get("id") != cue_id:
            out.append(e)
            continue
        found = True
        e = dict(e)
        if enabled:
            e.pop("enabled", None)
            if set(e) == {"id"}:
                continue  # it only hid a shipped cue: drop the entry
        else:
            e["enabled"] = False
        out.append(e)
    if not found and not enabled:
        out.append({"id": cue_id, "enabled": False})
    return _write_entries(out, language, root)


def remove_cue(cue_id: str, language: str = "en", root: Path | None = None) -> None:
    """Remove the user's entry and clip for ``cue_id`` (a shipped cue comes back as shipped)."""
    entries = read_entries(language, root)
    kept = [e for e in entries if e.get("id") != cue_id]
    if len(kept) != len(entries):
        _write_entries(kept, language, root)
    clip = user_dir(language, root) / f"{cue_id}.wav"
    clip.unlink(missing_ok=True)


def import_clip(cue_id: str, wav: Path, language: str = "en", root: Path | None = None) -> Path:
    """Copy a WAV (any rate, mono or stereo, 8/16/24/32-bit or float) into the user folder
    as ``<id>.wav`` (16-bit mono). Raises InputFileError (a UserError) when unreadable."""
    from app.audio.clips import read_wav_mono, write_wav_mono

    x, rate = read_wav_mono(Path(wav))
    dest = user_dir(language, root) / f"{cue_id}.wav"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        write_wav_mono(tmp, x, rate)
    return dest


def record_clip(cue_id: str, seconds: float, device: str | int | None = None,
                language: str = "en", root: Path | None = None) -> Path:
    """Record the microphone for ``seconds`` (blocking: a worker thread, never the GUI
    thread) into ``<id>.wav``, silence trimmed. Raises DeviceError without a microphone."""
    from app.audio.record import record_clip as _record

    dest = user_dir(language, root) / f"{cue_id}.wav"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        _record(tmp, seconds, device=device)
    return dest
