"""Landmark files, format v1 (see shared/docs/LANDMARK_FILES.md).

A landmark file is a UTF-8 CSV (``.csv``; ``.csv.gz`` too) holding one BlazePose pose per
video frame::

    # gaitcoach-landmarks v1
    # width=720
    # height=1280
    # fps=30.0
    # capture_fps=120.0               <- optional: slow motion filmed at 120 fps (t_s = frame / 120)
    # view=side
    # facing=left
    frame,t_s,nose_x,nose_y,nose_z,nose_v,left_eye_inner_x,...
    0,0.000000000,363.120,201.554,-310.002,0.9981,...
    1,0.033333333,,,,,...            <- no person in this frame: landmark cells empty

``x``/``y`` are image pixels (origin top-left, y down), ``z`` the estimator's relative
depth (pixels of image width; may be empty = NaN), ``v`` visibility 0..1, ``t_s`` seconds
from the start of the clip, strictly increasing. Values are written with 3 decimals for
pixels, 4 for visibility and 9 for ``t_s`` (so ``t_ns`` survives a round trip exactly).

Readers raise ``InputFileError`` with one sentence naming the problem and the line number.
Writers raise ``ValueError`` for programming errors (non-increasing times, bad shapes).
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

import numpy as np

from app.atomic import atomic_path
from app.errors import InputFileError
from app.types import LANDMARK_NAMES, N_LANDMARKS, Facing, PoseSample, View

MAGIC = "# gaitcoach-landmarks v1"
_MAGIC_PREFIX = "# gaitcoach-landmarks"
_AXES = ("x", "y", "z", "v")
#: Landmark column names in file order (132 of them).
LANDMARK_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_{axis}" for name in LANDMARK_NAMES for axis in _AXES
)
HEADER_COLUMNS: tuple[str, ...] = ("frame", "t_s") + LANDMARK_COLUMNS

_ROW_FORMAT = "%d,%s," + ",".join(["%.3f,%.3f,%.3f,%.4f"] * N_LANDMARKS)
_EMPTY_LANDMARKS = "," * (len(LANDMARK_COLUMNS) - 1)


@dataclass(frozen=True, slots=True)
class LandmarkMeta:
    """The ``# key=value`` lines of a landmark file.

    ``width``/``height`` image size in pixels, ``fps`` nominal frames per second (of the
    video as stored), ``view``/``facing`` the camera view and (side view) the image
    direction the runner faces, ``source`` the video file name, ``subject_height_cm`` the
    runner's height in cm. ``capture_fps`` (``# capture_fps=``, optional): the camera's real
    frame rate of a slow-motion video stored at ``fps``; ``t_s`` is then real time,
    frame / capture_fps. Files without it are on the ``fps`` time base.
    """

    width: int
    height: int
    fps: float
    view: View | None = None
    facing: Facing | None = None
    source: str | None = None
    subject_height_cm: float | None = None
    capture_fps: float | None = None

    @property
    def time_fps(self) -> float:
        """Frames per second of the time base of ``t_s`` (capture rate, else ``fps``)."""
        return float(self.capture_fps or self.fps)


# ---------------------------------------------------------------------------------------
# detection


def _is_gz_name(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def is_landmark_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` looks like a landmark file: a ``.csv``/``.csv.gz`` name, or a
    file (any name) whose first line is the format's magic line. Never raises."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return True
    try:
        with open(p, "rb") as fh:
            head = fh.read(64)
            if head[:2] == b"\x1f\x8b":
                fh.seek(0)
                with gzip.open(fh, "rb") as gz:
                    head = gz.read(64)
    except (OSError, EOFError, zlib.error):
        return False
    return head.startswith(_MAGIC_PREFIX.encode("ascii"))


# ---------------------------------------------------------------------------------------
# reading


def _read_text(path: Path) -> str:
    """Whole file as text; missing/empty/undecodable files raise InputFileError."""
    if not path.exists():
        raise InputFileError(f"The landmark file {path} does not exist.")
    if path.is_dir():
        raise InputFileError(f"{path} is a folder, not a landmark file.")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b" or _is_gz_name(path):
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputFileError(
                    f"{path.name} is not a readable gzip file (it may be truncated)."
                ) from exc
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be read ({exc.strerror}).") from exc
    if not raw.strip():
        raise InputFileError(f"The landmark file {path.name} is empty.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not raw.startswith(_MAGIC_PREFIX.encode("ascii")):
            raise _bad(path, 1, f"the first line must be '{MAGIC}', so this is not a GaitCoach landmark file") from None
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"{path.name} line {line}: the file is not UTF-8 text, so not a landmark file."
        ) from exc


def _bad(path: Path, line: int, what: str) -> InputFileError:
    return InputFileError(f"{path.name} line {line}: {what}.")


def _parse_meta(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Check the magic line and collect ``# key=value`` lines.

    Returns ({key: (value, line_no)}, index of the first non-comment line)."""
    first = lines[0].strip()
    if first != MAGIC:
        if first.startswith(_MAGIC_PREFIX):
            raise _bad(path, 1, f"unsupported landmark file version '{first[len(_MAGIC_PREFIX):].strip()}' (this program reads v1)")
        raise _bad(path, 1, f"the first line must be '{MAGIC}', so this is not a GaitCoach landmark file")
    meta: dict[str, tuple[str, int]] = {}
    i = 1
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        text = lines[i].lstrip("#").strip()
        if "=" in text:
            key, _, value = text.partition("=")
            meta[key.strip()] = (value.strip(), i + 1)
        i += 1
    return meta, i


def _meta_number(path: Path, meta: dict[str, tuple[str, int]], key: str, kind: type) -> float | int | None:
    if key not in meta:
        return None
    value, line = meta[key]
    try:
        number = float(value)
    except ValueError:
        raise _bad(path, line, f"{key} must be a number, not '{value}'") from None
    if kind is int:
        if not number.is_integer():
            raise _bad(path, line, f"{key} must be a whole number of pixels, not '{value}'")
        number = int(number)
    if not math.isfinite(number) or number <= 0:
        raise _bad(path, line, f"{key} must be a positive number, not '{value}'")
    return number


def _meta_enum(path: Path, meta: dict[str, tuple[str, int]], key: str, enum: type) -> object | None:
    if key not in meta or meta[key][0] == "":
        return None
    value, line = meta[key]
    try:
        return enum(value.lower())
    except ValueError:
        allowed = " or ".join(e.value for e in enum)  # type: ignore[attr-defined]
        raise _bad(path, line, f"{key} must be {allowed}, not '{value}'") from None


def _locate_bad_cell(
    path: Path, row_lines: list[str], line_nos: list[int], names: list[str], used: list[int]
) -> InputFileError:
    """Slow path: find the first used cell that is not a number (only run on failure)."""
    for text, line_no in zip(row_lines, line_nos):
        cells = text.split(",")
        for col in used:
            cell = cells[col].strip()
            if cell == "":
                continue
            try:
                float(cell)
            except ValueError:
                return _bad(path, line_no, f"'{cell}' in column '{names[col]}' is not a number")
    return _bad(path, line_nos[0] if line_nos else 1, "the rows could not be read as numbers")


def read_landmark_file(path: str | os.PathLike[str]) -> tuple[LandmarkMeta, list[PoseSample]]:
    """Read a v1 landmark file (``.csv`` or ``.csv.gz``).

    Returns the metadata and one ``PoseSample`` per row: ``t_ns = round(t_s * 1e9)``,
    landmarks float32 (33, 4) read-only (x, y px; z with NaN where empty; v), or ``None``
    when the row's landmark cells are all empty. Columns are matched by header name
    (extra columns are ignored). ``fps`` missing from the header is estimated from the
    median time step. Raises ``InputFileError`` naming the problem and the line.
    """
    p = Path(path)
    text = _read_text(p)
    lines = text.splitlines()
    meta_lines, i = _parse_meta(p, lines)

    if i >= len(lines):
        raise _bad(p, len(lines) + 1, "the header row (frame,t_s,...) is missing")
    header_no = i + 1
    names = [c.strip() for c in lines[i].split(",")]
    if names[:2] != ["frame", "t_s"]:
        raise _bad(p, header_no, "the header row must start with 'frame,t_s'")
    col_of = {name: k for k, name in enumerate(names)}
    missing = [c for c in LANDMARK_COLUMNS if c not in col_of]
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise _bad(p, header_no, f"the header row lacks the column(s) {shown}")
    ncols = len(names)

    width = _meta_number(p, meta_lines, "width", int)
    height = _meta_number(p, meta_lines, "height", int)
    for key, val in (("width", width), ("height", height)):
        if val is None:
            raise _bad(p, header_no, f"the '# {key}=<pixels>' line is missing before the header row")
    fps = _meta_number(p, meta_lines, "fps", float)
    capture_fps = _meta_number(p, meta_lines, "capture_fps", float)
    height_cm = _meta_number(p, meta_lines, "subject_height_cm", float)
    view = _meta_enum(p, meta_lines, "view", View)
    facing = _meta_enum(p, meta_lines, "facing", Facing)
    source = meta_lines["source"][0] if "source" in meta_lines else None

    # Data rows (blank lines are skipped).
    row_lines: list[str] = []
    line_nos: list[int] = []
    for k in range(i + 1, len(lines)):
        s = lines[k]
        if not s.strip():
            continue
        if s.count(",") != ncols - 1:
            raise _bad(p, k + 1, f"expected {ncols} columns like the header row, found {s.count(',') + 1}")
        row_lines.append(s)
        line_nos.append(k + 1)

    # Only frame, t_s and the landmark columns are parsed (in file-format order); any
    # extra columns another tool added are ignored.
    used = [0, 1] + [col_of[c] for c in LANDMARK_COLUMNS]
    n = len(row_lines)
    if n:
        # Fast path: empty cells -> 'nan', then one C-level parse of the whole table.
        fixed = []
        for s in row_lines:
            s = s.replace(",,", ",nan,").replace(",,", ",nan,")
            if s.endswith(","):
                s += "nan"
            if s.startswith(","):
                s = "nan" + s
            fixed.append(s)
        try:
            table = np.loadtxt(
                fixed, delimiter=",", dtype=np.float64, ndmin=2, comments=None, usecols=used
            )
        except ValueError:
            raise _locate_bad_cell(p, row_lines, line_nos, names, used) from None
    else:
        table = np.zeros((0, len(used)))

    frame_col = table[:, 0]
    t_col = table[:, 1]
    bad = ~np.isfinite(frame_col) | (frame_col != np.round(frame_col)) | (frame_col < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise _bad(p, line_nos[k], "the frame cell must be a whole number of 0 or more")
    bad = ~np.isfinite(t_col)
    if bad.any():
        k = int(np.argmax(bad))
        raise _bad(p, line_nos[k], "the t_s cell is empty or not a number")
    if n > 1:
        steps = np.diff(t_col)
        bad = steps <= 0
        if bad.any():
            k = int(np.argmax(bad)) + 1
            raise _bad(p, line_nos[k], f"t_s {row_lines[k].split(',')[1].strip()} is not after the previous row's time (times must strictly increase)")
    t_ns = np.rint(t_col * 1e9).astype(np.int64)
    if n > 1 and (np.diff(t_ns) <= 0).any():
        k = int(np.argmax(np.diff(t_ns) <= 0)) + 1
        raise _bad(p, line_nos[k], "t_s is less than a nanosecond after the previous row's time")

    lm = table[:, 2:].reshape(n, N_LANDMARKS, 4).astype(np.float32)
    xyv = lm[:, :, [0, 1, 3]]
    finite = np.isfinite(xyv)
    empty_row = ~finite.any(axis=(1, 2))
    partial = ~finite.all(axis=(1, 2)) & ~empty_row
    if partial.any():
        k = int(np.argmax(partial))
        j = int(np.argmax(~finite[k].all(axis=1)))
        raise _bad(p, line_nos[k], f"landmark {LANDMARK_NAMES[j]} has an empty or non-finite x, y or v cell while other landmarks are present")
    if np.isinf(lm[:, :, 2]).any():
        k = int(np.argmax(np.isinf(lm[:, :, 2]).any(axis=1)))
        raise _bad(p, line_nos[k], "a z cell is infinite")
    lm.setflags(write=False)

    if fps is None:
        if n < 2:
            raise _bad(p, header_no, "the '# fps=<frames per second>' line is missing")
        fps = float(1.0 / np.median(np.diff(t_col)))

    meta = LandmarkMeta(
        width=int(width),  # type: ignore[arg-type]
        height=int(height),  # type: ignore[arg-type]
        fps=float(fps),
        view=view,  # type: ignore[arg-type]
        facing=facing,  # type: ignore[arg-type]
        source=source,
        subject_height_cm=None if height_cm is None else float(height_cm),
        capture_fps=None if capture_fps is None else float(capture_fps),
    )
    w, h = meta.width, meta.height
    frames = frame_col.astype(np.int64).tolist()
    times = t_ns.tolist()
    empties = empty_row.tolist()
    samples = [
        PoseSample(
            frame_index=frames[k],
            t_ns=times[k],
            landmarks=None if empties[k] else lm[k],
            width=w,
            height=h,
        )
        for k in range(n)
    ]
    return meta, samples


def iter_landmark_samples(path: str | os.PathLike[str]) -> tuple[LandmarkMeta, Iterator[PoseSample]]:
    """Replay a landmark file through the same path as video: (meta, samples in order).

    The file is read and checked at once (``InputFileError`` is raised here, not during
    iteration)."""
    meta, samples = read_landmark_file(path)
    return meta, iter(samples)


# ---------------------------------------------------------------------------------------
# writing


def _header_text(meta: LandmarkMeta) -> str:
    if int(meta.width) <= 0 or int(meta.height) <= 0:
        raise ValueError(f"image size must be positive, got {meta.width}x{meta.height}")
    if not (math.isfinite(meta.fps) and meta.fps > 0):
        raise ValueError(f"fps must be positive, got {meta.fps}")
    out = [MAGIC, f"# width={int(meta.width)}", f"# height={int(meta.height)}", f"# fps={float(meta.fps)!r}"]
    if meta.capture_fps is not None:
        if not (math.isfinite(meta.capture_fps) and meta.capture_fps > 0):
            raise ValueError(f"capture_fps must be positive, got {meta.capture_fps}")
        out.append(f"# capture_fps={float(meta.capture_fps)!r}")
    if meta.view is not None:
        out.append(f"# view={View(meta.view).value}")
    if meta.facing is not None:
        out.append(f"# facing={Facing(meta.facing).value}")
    if meta.source is not None:
        src = " ".join(str(meta.source).split())  # no newlines in a header line
        out.append(f"# source={src}")
    if meta.subject_height_cm is not None:
        out.append(f"# subject_height_cm={float(meta.subject_height_cm)!r}")
    out.append(",".join(HEADER_COLUMNS))
    return "\n".join(out) + "\n"


def _t_text(t_ns: int) -> str:
    """Exact decimal seconds with 9 decimals (no float rounding)."""
    sign = "-" if t_ns < 0 else ""
    sec, ns = divmod(abs(int(t_ns)), 1_000_000_000)
    return f"{sign}{sec}.{ns:09d}"


def format_row(sample: PoseSample) -> str:
    """One CSV row (no newline) for ``sample``; NaN z is written as an empty cell."""
    lm = sample.landmarks
    if lm is None:
        return f"{int(sample.frame_index)},{_t_text(sample.t_ns)},{_EMPTY_LANDMARKS}"
    arr = np.asarray(lm, dtype=np.float64)
    if arr.shape != (N_LANDMARKS, 4):
        raise ValueError(f"landmarks must have shape (33, 4), got {arr.shape}")
    if not np.isfinite(arr[:, [0, 1, 3]]).all():
        raise ValueError("landmark x, y and v must be finite (use landmarks=None for no person)")
    row = _ROW_FORMAT % (int(sample.frame_index), _t_text(sample.t_ns), *arr.ravel().tolist())
    if np.isnan(arr[:, 2]).any():
        row = ",".join("" if c == "nan" else c for c in row.split(","))
    return row


class LandmarkWriter:
    """Streaming writer: the header is written at open, each ``write`` appends one row
    and flushes it to the OS, so a crash loses at most the row being written.

    ``compress`` (default: the path ends in ``.gz``) gzips the output; gzip rows are
    flushed too, at some cost in size. Times must strictly increase (``ValueError``
    otherwise). Use as a context manager or call ``close()``. Not thread-safe: write from
    one thread (the recorder's).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        meta: LandmarkMeta,
        *,
        flush_each: bool = True,
        compress: bool | None = None,
    ) -> None:
        self.path = Path(path)
        self.meta = meta
        header = _header_text(meta)  # validate before creating the file
        if compress is None:
            compress = _is_gz_name(self.path)
        if compress:
            self._fh: IO[str] | None = io.TextIOWrapper(
                gzip.open(self.path, "wb"), encoding="utf-8", newline="\n"
            )
        else:
            self._fh = open(self.path, "w", encoding="utf-8", newline="\n")
        self._flush_each = flush_each
        self._last_t: int | None = None
        self.rows_written = 0
        self._fh.write(header)
        self._fh.flush()

    def write(self, sample: PoseSample) -> None:
        """Append one row for ``sample`` and flush it."""
        if self._fh is None:
            raise ValueError("LandmarkWriter is closed")
        if self._last_t is not None and sample.t_ns <= self._last_t:
            raise ValueError(f"t_ns must strictly increase ({sample.t_ns} after {self._last_t})")
        self._fh.write(format_row(sample) + "\n")
        if self._flush_each:
            self._fh.flush()
        self._last_t = sample.t_ns
        self.rows_written += 1

    def close(self) -> None:
        """Flush and close; safe to call twice."""
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()

    def __enter__(self) -> "LandmarkWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_landmark_file(
    path: str | os.PathLike[str], meta: LandmarkMeta, samples: Iterable[PoseSample]
) -> Path:
    """Write a whole landmark file atomically (gzip when ``path`` ends in ``.gz``).

    Rows go to a temporary file in the same folder, which replaces ``path`` only when all
    rows were written; on any error the temporary file is removed and ``path`` is left as
    it was. Returns ``path``.
    """
    dest = Path(path)
    with atomic_path(dest) as tmp:
        with LandmarkWriter(tmp, meta, flush_each=False, compress=_is_gz_name(dest)) as w:
            for s in samples:
                w.write(s)
    return dest
