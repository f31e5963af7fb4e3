"""What the session store reads from session folders and writes from them: the
thresholds in force, the blocks of a folder, and a folder zipped for export. No database
here (used by the store on both backends and by the export thread of the browser)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Callable

from app.atomic import atomic_path
from app.errors import UserError
from app.session.folder import BLOCK_KINDS, BLOCKS
from app.session.records import Block, number_or_none

#: Files kept uncompressed in an export zip (already compressed media).
_STORED_SUFFIXES = {".mp4", ".mkv", ".gz", ".png", ".jpg", ".wav", ".ts"}


def current_thresholds() -> dict[str, dict[str, list[float]]]:
    """The bands in force now (clinician settings, else metric defaults) as JSON data."""
    from app import config
    from app.gait.metrics import METRIC_SPECS

    settings = config.load()
    out = {}
    for name in sorted(set(METRIC_SPECS) | set(settings.thresholds)):
        band = settings.band_for(name)
        if band is not None:
            out[name] = {"green": list(band.green), "amber": list(band.amber)}
    return out


def read_blocks(folder: Path, summary: dict, duration_s: float | None) -> list[Block]:
    """The session's blocks: from the summary's ``blocks`` list (with their cadence and
    metric means as the block summary) when present, else from ``blocks.csv``
    (``t_start_s,kind,name``; each block ends where the next starts, the last at
    ``duration_s``). Unknown kinds become 'free'."""
    rows: list[tuple[float, str, str, float | None, dict]] = []
    listed = summary.get("blocks") if isinstance(summary, dict) else None
    if isinstance(listed, list) and listed:
        for b in listed:
            t0 = number_or_none(b.get("t_start_s")) if isinstance(b, dict) else None
            if t0 is not None:
                stats = {k: v for k, v in b.items() if k not in ("kind", "name", "t_start_s", "t_end_s")}
                rows.append((t0, str(b.get("kind") or "free"), str(b.get("name") or ""),
                             number_or_none(b.get("t_end_s")), stats))
    else:
        try:
            with open(Path(folder) / BLOCKS, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    t0 = number_or_none(_float_or_none(r.get("t_start_s")))
                    if t0 is not None:
                        rows.append((t0, (r.get("kind") or "free").strip(),
                                     (r.get("name") or "").strip(), None, {}))
        except (OSError, UnicodeDecodeError, csv.Error):
            return []
    rows.sort(key=lambda r: r[0])
    blocks = []
    for i, (t0, kind, name, t1, stats) in enumerate(rows):
        if t1 is None:
            t1 = rows[i + 1][0] if i + 1 < len(rows) else duration_s
        blocks.append(Block(i, kind if kind in BLOCK_KINDS else "free", name, t0, t1, stats))
    return blocks


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text or "")
    except ValueError:
        return None


def export_folder(folder: Path, out: Path,
                  progress: Callable[[int, int], bool | None] | None = None) -> Path:
    """Zip ``folder`` (as ``<folder name>/...``) into ``out`` via a temporary file and a
    rename, so ``out`` is complete or absent. ``progress(done_bytes, total_bytes)`` is
    called per chunk; returning False cancels (UserError). Safe on any thread."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise UserError(f"Cannot export: the session folder {folder} is missing.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {out}: the folder {parent} does not exist.")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in files)
    done = 0
    try:
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for path in files:
                info = zipfile.ZipInfo.from_file(
                    path, f"{folder.name}/{path.relative_to(folder).as_posix()}",
                    strict_timestamps=False)
                info.compress_type = (zipfile.ZIP_STORED if path.suffix.lower() in _STORED_SUFFIXES
                                      else zipfile.ZIP_DEFLATED)
                with open(path, "rb") as src, zf.open(info, "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                        done += len(chunk)
                        if progress is not None and progress(done, total) is False:
                            raise UserError("Export cancelled.")
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    return out
