"""``python -m app batch PATH… --out DIR``: analyse many videos, landmark files or session
folders on Dask (app/batch/run.py): one result folder per input, ``summary.csv`` across
all, a progress bar; inputs already done are skipped. Exit 0 when every input was
analysed, 1 when some failed (listed in the summary and here, one sentence each)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", metavar="PATH", nargs="+",
                   help="videos, landmark files, session folders, or folders holding them")
    p.add_argument("--out", metavar="DIR", required=True, help="result folder (made if missing)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="use a running Dask scheduler (its workers must see the same paths)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from app.batch.run import run_batch

    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be 1 or more.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder.")
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=0, desc="batch", unit="input", file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, total: int, row: dict) -> None:
        if bar is not None:
            bar.total = total
            bar.set_postfix_str(Path(row["input"]).name[:30], refresh=False)
            bar.update(done - bar.n)

    try:
        rep = run_batch(args.paths, out, workers=args.workers, scheduler=args.scheduler,
                        progress=progress)
    finally:
        if bar is not None:
            bar.close()
    resumed = sum(1 for r in rep.rows if r.get("resumed"))
    print(f"{_n(len(rep.rows), 'input')}: {rep.analysed} analysed"
          + (f", {resumed} already done" if resumed else "")
          + (f", {len(rep.failed)} failed" if rep.failed else "")
          + (f" in {rep.wall_s:.1f} s on {_n(rep.workers, 'worker')}" if rep.analysed else "")
          + f". Summary: {rep.summary}")
    for r in rep.failed:
        print(f"failed: {r['error']}", file=sys.stderr)
    return 1 if rep.failed else 0


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
