"""End of a protocol session: stop the recording, write the protocol's figures into the
session, index it in the store with its blocks, compare baseline vs retention, export
the PDF report into the session folder.

:func:`finish_session` is a plain function that blocks for a few seconds (remux, pose
re-analysis of two block ranges, PDF): the GUI runs it on a worker thread (it opens its
own store connection there), the headless command on its main thread. ``progress(text)``
is called on that thread before each step.

What it writes:

- ``session.json``: ``template`` (name), ``summary["protocol"]`` (template, title, plan,
  plan session, status finished/aborted, time scale, baseline and target cadence, the
  event log as sentences) and, in each ``summary["blocks"]`` entry, the block's protocol
  figures (:meth:`BlockResult.summary`: planned/run seconds, skipped, metronome mode,
  target, ``sync_n``, ``sync_share_50ms``, ``sync_mean_ms``, cues) — the store copies them
  into ``blocks.summary_json``;
- ``report.pdf``: the before/after report (baseline block vs retention block, synced by
  gait events) with an extra table of every block;
- ``protocol.json``: the :class:`SessionOutcome` as JSON (figures per block, comparison
  rows), the same as ``protocol --json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from app.protocol.runner import BlockResult, ProtocolRunner

REPORT_NAME = "report.pdf"
OUTCOME_NAME = "protocol.json"


@dataclass(frozen=True)
class SessionOutcome:
    """What a finished protocol session produced. ``comparison`` is an
    ``app.compare.report.Comparison`` (None with a sentence in ``comparison_message``
    when it could not be built); ``report`` the PDF path or None; ``messages`` sentences
    for the user about anything that went wrong (empty when all is well)."""

    folder: Path | None
    session_id: str | None
    recording_state: str
    status: str
    template: str
    blocks: tuple[BlockResult, ...]
    baseline_spm: float | None
    target_spm: float | None
    comparison: Any = None
    comparison_message: str = ""
    report: Path | None = None
    stored: bool = False
    messages: tuple[str, ...] = ()
    block_summaries: tuple[dict, ...] = field(default=(), repr=False)
    #: two-view sessions: the other camera's baseline vs retention (its key frames)
    other_comparison: Any = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        rows = []
        if self.comparison is not None:
            for r in self.comparison.rows:
                rows.append({"metric": r.name, "label": r.label, "unit": r.unit,
                             "before": _r(r.before, 3), "after": _r(r.after, 3),
                             "change": _r(r.change, 3), "verdict": r.verdict})
        return {
            "folder": None if self.folder is None else str(self.folder),
            "session_id": self.session_id, "recording_state": self.recording_state,
            "status": self.status, "template": self.template,
            "baseline_spm": _r(self.baseline_spm, 2), "target_spm": _r(self.target_spm, 2),
            "blocks": [dict(b) for b in self.block_summaries],
            "comparison": {"before": "baseline", "after": "retention", "rows": rows,
                           "message": self.comparison_message},
            "report": None if self.report is None else str(self.report),
            "stored": self.stored, "messages": list(self.messages),
        }


def _r(v, nd: int):  # noqa: ANN001
    return None if v is None else round(float(v), nd)


def finish_session(runner: ProtocolRunner, recorder, *,  # noqa: ANN001
                   store_path: str | os.PathLike[str] | None = None,
                   runner_id: int | None = None, plan: str | None = None,
                   plan_session: int | None = None, make_report: bool = True,
                   progress: Callable[[str], None] | None = None) -> SessionOutcome:
    """Stop ``recorder`` (a ``SessionRecorder``; the pipeline may still run), store the
    session and build the comparison and report (see the module docstring). Never
    raises for a user-level problem: each becomes a sentence in ``messages``."""
    say = progress or (lambda text: None)
    messages: list[str] = []
    if not runner.finished:
        runner.abort()
    results = runner.block_results()
    say("Finishing the recording…")
    status = recorder.stop()
    if status.message:
        messages.append(status.message)
    folder = status.folder if status.state == "complete" else (
        status.folder if status.folder is not None and Path(status.folder).is_dir() else None)
    base = SessionOutcome(folder=folder, session_id=None if folder is None else folder.name,
                          recording_state=status.state, status=runner.status,
                          template=runner.template.name, blocks=tuple(results),
                          baseline_spm=runner.baseline_spm, target_spm=runner.state().target_spm,
                          messages=tuple(messages))
    if status.state != "complete" or folder is None:
        return base

    # ---- protocol figures into session.json
    from app.session import folder as sf

    manifest = sf.read_manifest(folder)
    summary = dict(manifest.get("summary") or {})
    listed = [dict(b) for b in summary.get("blocks") or []]
    for entry, res in zip(listed, results):
        entry.update(res.summary())
    if len(listed) != len(results):
        messages.append(f"The recording holds {len(listed)} blocks but the protocol ran "
                        f"{len(results)}; the block figures may be misaligned.")
    summary["blocks"] = listed
    summary["protocol"] = {
        "template": runner.template.name, "title": runner.template.title,
        "plan": plan, "plan_session": plan_session, "status": runner.status,
        "time_scale": runner.time_scale, "baseline_spm": _r(runner.baseline_spm, 2),
        "target_spm": _r(runner.state().target_spm, 2),
        "events": [e.message for e in runner.events if e.kind != "said"],
    }
    sf.update_manifest(folder, summary=summary, template=runner.template.name)

    # ---- store
    stored = False
    say("Saving the session…")
    try:
        from app.session.store import open_store

        with open_store(store_path) as st:
            st.index_folder(folder)
            if runner_id is not None:
                st.assign_runner(folder.name, runner_id)
            if not st.get_session(folder.name).name:  # a guided session is never nameless
                st.rename_session(folder.name, session_name(runner.template.title, plan_session))
            stored = True
    except Exception as exc:  # noqa: BLE001 - UserError or database error: reported, not raised
        from sqlalchemy.exc import SQLAlchemyError

        from app.errors import UserError

        if not isinstance(exc, (UserError, OSError, SQLAlchemyError)):
            raise
        messages.append(f"The session was recorded but not added to the session list: {exc}")

    # ---- comparison baseline vs retention, report
    cmp, cmp_msg, report, other = None, "", None, None
    if make_report:
        say("Comparing baseline and retention…")
        assessment = not any(b.kind == "retention" for b in runner.template.blocks)
        cmp, cmp_msg, other = _compare(folder, listed, assessment)
        if cmp is not None:
            say("Writing the report…")
            try:
                from app.compare.report import write_pdf
                from app.plan.printout import picture_intro

                report = write_pdf(cmp, folder / REPORT_NAME,
                                   title=f"{runner.template.title}: baseline vs retention",
                                   tables=(_blocks_table(listed),),
                                   intro=picture_intro(cmp.before.result, cmp.before.label,
                                                       "the baseline block, before any feedback"),
                                   other=other)
            except OSError as exc:
                messages.append(f"The report could not be written: {exc}.")
        if cmp_msg:
            messages.append(cmp_msg)
    out = SessionOutcome(
        folder=folder, session_id=folder.name, recording_state=status.state,
        status=runner.status, template=runner.template.name, blocks=tuple(results),
        baseline_spm=runner.baseline_spm, target_spm=runner.state().target_spm,
        comparison=cmp, comparison_message=cmp_msg, report=report, stored=stored,
        messages=tuple(messages), block_summaries=tuple(listed),
        other_comparison=other if make_report else None)
    try:
        sf.write_json_atomic(folder / OUTCOME_NAME, out.to_json())
    except OSError:
        pass
    return out


def session_name(title: str, plan_session: int | None = None) -> str:
    """The name a guided session gets in the session list: 'Cadence retraining (guided)',
    or 'Cadence retraining — plan session 3' for a plan's session."""
    if plan_session is not None:
        return f"{title} — plan session {plan_session}"
    return f"{title} (guided)"


def block_ranges(blocks: list[dict], kind: str) -> tuple[float, float] | None:
    """(start, end) seconds of the first ``baseline`` / last other-kind block in a
    summary's blocks list, or None."""
    found = [b for b in blocks if b.get("kind") == kind and b.get("t_end_s") is not None]
    if not found:
        return None
    b = found[0] if kind == "baseline" else found[-1]
    return float(b["t_start_s"]), float(b["t_end_s"])


def _compare(folder: Path, blocks: list[dict], assessment: bool = False):
    """Comparison of the baseline and retention blocks, or (None, sentence, None). A
    two-view session: the side view's comparison with the frontal metrics of the other
    view in its rows, and the other view's comparison (its key frames) third."""
    from app.compare.clip import load_clip
    from app.compare.report import Comparison
    from app.compare.sync import SyncError
    from app.compare.two_view import merged_rows, with_rows
    from app.compare.views import session_views
    from app.errors import UserError

    a = block_ranges(blocks, "baseline")
    b = block_ranges(blocks, "retention")
    if assessment:  # a template without a retention block
        return None, ("No before/after comparison: this template has no retention block (an "
                      "assessment); its metrics are in the session list and the clinical "
                      "picture (Plan)."), None
    if a is None or b is None:
        return None, "No comparison: the session has no complete baseline and retention block.", None
    try:
        before = load_clip(f"{folder}@{a[0]:.3f}-{a[1]:.3f}", label="Baseline")
        after = load_clip(f"{folder}@{b[0]:.3f}-{b[1]:.3f}", label="Retention")
        for role, c in (("baseline", before), ("retention", after)):
            if not c.result.has_gait:
                return None, f"No comparison: no running steps were found in the {role} block.", None
        cmp, other = Comparison.build(before, after), None
        views = session_views(folder)
        if len(views) > 1:  # both cameras: frontal metrics from the other one
            cam = views[1].view
            try:
                ob = load_clip(f"{folder}@{a[0]:.3f}-{a[1]:.3f}", label=f"Baseline ({cam.value})", camera=cam)
                oa = load_clip(f"{folder}@{b[0]:.3f}-{b[1]:.3f}", label=f"Retention ({cam.value})", camera=cam)
                cmp = with_rows(cmp, merged_rows(cmp.rows, (ob, oa)))
                other = Comparison.build(ob, oa)
            except (SyncError, UserError):
                other = None  # the side view's comparison stands alone
        return cmp, "", other
    except SyncError as exc:
        return None, f"No comparison: the blocks cannot be synced by gait events ({exc}).", None
    except UserError as exc:
        return None, f"No comparison: {exc}", None


def _blocks_table(blocks: list[dict]):
    from app.compare.report import ReportTable

    def f(v, fmt: str) -> str:  # noqa: ANN001
        return "—" if v is None else format(v, fmt)

    rows = []
    for b in blocks:
        share = b.get("sync_share_50ms")
        rows.append((
            f"{b.get('name') or b.get('kind')}" + (" (skipped)" if b.get("skipped") else ""),
            f"{(b.get('t_end_s') or 0) - (b.get('t_start_s') or 0):.0f} s",
            b.get("metronome", "—"), f(b.get("target_spm"), ".1f"),
            f(b.get("cadence_spm"), ".1f"), str(b.get("n_steps", "—")),
            "—" if share is None else f"{100 * share:.0f} %", f(b.get("sync_mean_ms"), "+.0f"),
            str(b.get("n_cues", 0))))
    return ReportTable(
        "Protocol blocks",
        ("Block", "Length", "Metronome", "Target", "Cadence", "Steps", "On beat",
         "Phase", "Cues"),
        tuple(rows),
        "Length in recorded seconds; target and cadence in steps/min. On beat: share of "
        "initial contacts within ±50 ms of a metronome beat (only while it played); phase: "
        "mean contact time minus beat time in ms (> 0 = foot after the beat).")
