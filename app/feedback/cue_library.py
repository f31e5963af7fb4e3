"""The verbal-cue library: data in ``cues/<lang>/cues.toml`` + one WAV clip per cue.

A clinician extends or overrides the shipped set in the user data folder
(``<data dir>/cues/<lang>/`` — ``$GAITCOACH_DATA_DIR`` or the user data folder — or
``$GAITCOACH_CUE_DIR/<lang>``):

- a ``cues.toml`` there adds cues, replaces shipped cues with the same ``id``, or hides one
  with ``enabled = false``;
- a WAV named ``<id>.wav`` there replaces that cue's clip (e.g. their own voice).

Bad user entries never stop the app: they are skipped and described in ``problems``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from app.resources import shipped_dir

SCHEMA_VERSION = 1
MAX_WORDS = 6
SHIPPED_DIR = shipped_dir("cues")

#: Faults a cue can answer: metric name (GAIT_METRICS.md) -> allowed directions.
FAULTS: dict[str, tuple[str, ...]] = {
    "cadence_spm": ("low", "high"),
    "overstride_pct_leg": ("high",),
    "pelvic_drop_deg": ("high",),
    "knee_valgus_fppa_deg": ("high",),
    "foot_strike": ("rearfoot", "forefoot"),
    "hip_extension_to_deg": ("low",),
    "trunk_lean_deg": ("high", "low"),
    "heel_whip_deg": ("high",),
    "arm_crossover": ("high",),
    "contact_ms": ("high",),
    "vertical_oscillation_pct_leg": ("high",),
    "lateral_trunk_lean_deg": ("high",),
    "step_width_pct_pelvis": ("low",),
    "shank_angle_ic_deg": ("high",),
}


class CueKind(str, Enum):
    CORRECTION = "correction"  # answers a fault
    PRAISE = "praise"          # positive reinforcement


@dataclass(frozen=True, slots=True)
class Cue:
    """One spoken cue. ``metric``/``direction`` name the fault it answers ("" for general
    praise); ``clip_path`` is the WAV to play (None if missing: the cue is text-only)."""

    id: str
    text: str
    kind: CueKind
    metric: str
    direction: str
    language: str
    clip_path: Path | None
    source: str  # "shipped" or "user"

    @property
    def n_words(self) -> int:
        return len(self.text.split())


def user_cue_root() -> Path:
    """Folder holding the clinician's cue folders (one per language):
    ``$GAITCOACH_CUE_DIR`` or ``<data dir>/cues`` (``app.paths.user_cue_root``)."""
    from app.paths import user_cue_root as _root

    return _root()


class CueLibrary:
    """All cues of one language: shipped set merged with the user's folder."""

    def __init__(self, cues: dict[str, Cue], language: str, problems: list[str]) -> None:
        self._cues = cues
        self.language = language
        self.problems: tuple[str, ...] = tuple(problems)

    @classmethod
    def load(cls, language: str = "en", shipped_root: Path | None = None,
             user_root: Path | None = None) -> "CueLibrary":
        """Read the shipped set (errors there raise ``ValueError``: they are bugs) and merge
        the user's folder (errors there become ``problems``)."""
        shipped_root = SHIPPED_DIR if shipped_root is None else shipped_root
        user_root = user_cue_root() if user_root is None else user_root
        problems: list[str] = []
        cues: dict[str, Cue] = {}
        shipped_dir = shipped_root / language
        for cue, err in _read_cue_file(shipped_dir / "cues.toml", language, "shipped"):
            if err:
                raise ValueError(err)
            cues[cue.id] = cue  # type: ignore[union-attr]
        user_dir = user_root / language
        if user_dir.is_dir():
            toml_path = user_dir / "cues.toml"
            if toml_path.is_file():
                for cue, err in _read_cue_file(toml_path, language, "user"):
                    if err:
                        problems.append(err)
                    if cue is not None and cue.clip_path is None and cue.id in cues:
                        # text changed but no clip given: keep the shipped clip only if the
                        # words are unchanged, otherwise it would say something else
                        old = cues[cue.id]
                        keep = old.clip_path if old.text == cue.text else None
                        cues[cue.id] = _replace_clip(cue, keep)
                    elif cue is not None:
                        cues[cue.id] = cue
                for cue_id in _disabled_ids(toml_path):
                    cues.pop(cue_id, None)
            for wav in sorted(user_dir.glob("*.wav")):
                cue_id = wav.stem
                if cue_id in cues:
                    cues[cue_id] = _replace_clip(cues[cue_id], wav, source="user")
        return cls(cues, language, problems)

    def __len__(self) -> int:
        return len(self._cues)

    def __iter__(self):
        return iter(sorted(self._cues.values(), key=lambda c: (c.kind.value, c.metric, c.id)))

    def __contains__(self, cue_id: object) -> bool:
        return cue_id in self._cues

    def get(self, cue_id: str) -> Cue:
        """The cue with this id (KeyError if unknown)."""
        return self._cues[cue_id]

    def for_fault(self, metric: str, direction: str) -> tuple[Cue, ...]:
        """Correction cues answering ``metric`` in ``direction``, sorted by id."""
        return tuple(sorted((c for c in self._cues.values() if c.kind is CueKind.CORRECTION
                             and c.metric == metric and c.direction == direction),
                            key=lambda c: c.id))

    def praise(self, metric: str = "") -> tuple[Cue, ...]:
        """Praise cues for ``metric`` if any exist, else the general ones."""
        specific = [c for c in self._cues.values() if c.kind is CueKind.PRAISE and c.metric == metric and metric]
        pool = specific or [c for c in self._cues.values() if c.kind is CueKind.PRAISE and not c.metric]
        return tuple(sorted(pool, key=lambda c: c.id))


def _replace_clip(cue: Cue, clip: Path | None, source: str | None = None) -> Cue:
    return Cue(cue.id, cue.text, cue.kind, cue.metric, cue.direction, cue.language, clip,
               source or cue.source)


def _disabled_ids(path: Path) -> list[str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    return [str(e.get("id")) for e in data.get("cue", []) if isinstance(e, dict)
            and e.get("enabled") is False]


def _read_cue_file(path: Path, language: str, source: str):
    """Yield (Cue | None, error sentence) for each entry of a cues.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        yield None, f"The cue file {path} is missing."
        return
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        yield None, f"The cue file {path} could not be read ({exc})."
        return
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        yield None, f"The cue file {path} has schema_version {version}; this app reads {SCHEMA_VERSION}."
        return
    entries = data.get("cue", [])
    if not isinstance(entries, list):
        yield None, f"The cue file {path} must contain [[cue]] tables."
        return
    for n, e in enumerate(entries, 1):
        if not isinstance(e, dict):
            yield None, f"Entry {n} in {path} is not a table."
            continue
        if e.get("enabled") is False:
            continue
        cue, err = _parse_entry(e, path, language, source, n)
        yield cue, err


def _parse_entry(e: dict, path: Path, language: str, source: str, n: int) -> tuple[Cue | None, str]:
    cue_id = str(e.get("id", "")).strip()
    text = str(e.get("text", "")).strip()
    where = f"cue '{cue_id}'" if cue_id else f"entry {n}"
    if not cue_id or not cue_id.replace("_", "").replace("-", "").isalnum():
        return None, f"The {where} in {path} needs an id of letters, digits, '_' or '-'."
    if not text:
        return None, f"The {where} in {path} has no text."
    if len(text.split()) > MAX_WORDS:
        return None, f"The {where} in {path} has more than {MAX_WORDS} words."
    try:
        kind = CueKind(str(e.get("kind", "correction")))
    except ValueError:
        return None, f"The {where} in {path} has kind '{e.get('kind')}'; use 'correction' or 'praise'."
    metric = str(e.get("metric", "")).strip()
    direction = str(e.get("direction", "")).strip()
    if kind is CueKind.CORRECTION:
        if metric not in FAULTS:
            return None, f"The {where} in {path} names an unknown metric '{metric}'."
        if direction not in FAULTS[metric]:
            allowed = " or ".join(FAULTS[metric])
            return None, f"The {where} in {path} needs direction {allowed} for {metric}."
    elif metric and metric not in FAULTS:
        return None, f"The {where} in {path} names an unknown metric '{metric}'."
    lang = str(e.get("language", language))
    clip_name = e.get("clip")
    clip: Path | None = None
    if clip_name:
        clip = (path.parent / str(clip_name)).resolve()
        if not clip.is_file():
            if source == "shipped":
                return None, f"The clip {clip} of {where} is missing; run scripts/render_cues.py."
            cue = Cue(cue_id, text, kind, metric, direction, lang, None, source)
            return cue, f"The clip {clip} of {where} is missing; the cue will be shown, not spoken."
    return Cue(cue_id, text, kind, metric, direction, lang, clip, source), ""
