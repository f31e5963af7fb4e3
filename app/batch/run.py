"""A batch of inputs analysed on Dask: a ``LocalCluster`` (one worker process per core,
one thread each, so every worker has its own pose model) or a running scheduler
(``tcp://host:8786``, whose workers must see the same paths).

Inputs already done (``done.json`` matching the input) are skipped; the rest are
submitted as one task each (:func:`app.batch.jobs.analyze_one`), and ``summary.csv`` is
rewritten (atomically) as results arrive, so an interrupted batch keeps what it did.
"""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.atomic import atomic_path
from app.batch.jobs import STATUS_FAILED, already_done, analyze_one, expand, result_names
from app.errors import UserError

SUMMARY = "summary.csv"
COLUMNS = ("input", "output", "status", "cadence_spm", "n_steps", "duration_s", "view",
           "seconds", "cpu_s", "worker", "resumed", "error")


@dataclass(frozen=True)
class BatchReport:
    rows: tuple[dict, ...]
    wall_s: float          # from the first task submitted to the last result
    workers: int
    summary: Path

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == STATUS_FAILED]

    @property
    def analysed(self) -> int:
        return sum(1 for r in self.rows if not r.get("resumed") and r["status"] != STATUS_FAILED)


def start_cluster(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: on ``scheduler`` (tcp://host:8786), else on a new LocalCluster with
    ``workers`` processes (default: one per core), one thread each. Every worker, also
    one joining later, keeps to one core and is warmed up (``app.batch.worker``)."""
    from dask.distributed import Client, LocalCluster

    from app.batch.worker import OneCoreWorker

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            why = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
            raise UserError(f"The Dask scheduler {scheduler} cannot be reached ({why}).", 1) from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise UserError(f"The Dask scheduler {scheduler} has no workers.", 1) from None
    else:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0, silence_logs=40)
        client = Client(cluster)
    client.register_plugin(OneCoreWorker())
    return client


def run_batch(paths: list[str], out: Path, *, workers: int | None = None,
              scheduler: str | None = None, client=None,  # noqa: ANN001 - dask Client
              progress: Callable[[int, int, dict], None] | None = None) -> BatchReport:
    """Analyse every input of ``paths`` into ``out``; ``progress(done, total, row)``
    after each input (skipped ones first)."""
    from dask.distributed import as_completed

    inputs = expand(paths)
    if not inputs:
        raise UserError("No videos, landmark files or session folders to analyse in "
                        + ", ".join(paths) + ".")
    out.mkdir(parents=True, exist_ok=True)
    names = result_names(inputs)
    rows: dict[Path, dict] = {}
    todo = []
    for p in inputs:
        if not p.exists():
            rows[p] = {"input": str(p), "output": "", "status": STATUS_FAILED,
                       "error": f"{p} does not exist."}
        elif (done := already_done(p, out / names[p])) is not None:
            rows[p] = {**done, "resumed": "yes"}
        else:
            todo.append(p)
            continue
        if progress:
            progress(len(rows), len(inputs), rows[p])
    own = client is None and todo
    if own:
        client = start_cluster(workers, scheduler)
    n_workers = len(client.scheduler_info().get("workers", {})) if client is not None else 0
    t0 = time.perf_counter()
    try:
        if todo:
            futures = {client.submit(analyze_one, str(p), str(out), names[p], pure=False,
                                     key=f"analyze-{names[p]}-{time.time_ns()}"): p for p in todo}
            for fut in as_completed(futures):
                p = futures[fut]
                try:
                    rows[p] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker died: report, go on
                    rows[p] = {"input": str(p), "output": str(out / names[p]), "status": STATUS_FAILED,
                               "error": f"{p.name}: the worker analysing it failed ({exc})."}
                write_summary(out, [rows[q] for q in inputs if q in rows])
                if progress:
                    progress(len(rows), len(inputs), rows[p])
        wall = time.perf_counter() - t0
    finally:
        if own:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    ordered = [rows[p] for p in inputs]
    summary = write_summary(out, ordered)
    return BatchReport(tuple(ordered), wall, n_workers, summary)


def write_summary(out: Path, rows: list[dict]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    path = out / SUMMARY
    with atomic_path(path) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    return path
