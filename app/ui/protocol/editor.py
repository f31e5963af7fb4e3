"""Tools → Session templates…: list the protocol templates, duplicate one, edit its blocks
in a table, validate with ``parse_template`` (every problem a sentence) and save it as
the user's own template (``<config dir>/protocols/templates/``) or with a runner (store).

GUI thread only; the store connection is this dialog's own. A shipped template is never
changed in place: saving one under its own name writes a user copy that replaces it.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.feedback.cue_library import FAULTS
from app.protocol.templates import (
    BLOCK_KINDS, METRONOME_MODES, VIEWS, Template, TemplateError, TemplateLibrary,
    parse_template, save_user_template,
)
from app.ui.shared.screen_fit import fit_to_screen

#: table columns: (key, heading, kind) — kind: text | combo:<choices> | check
COLUMNS = (
    ("kind", "Kind", "combo"), ("name", "Name", "text"), ("minutes", "Minutes", "text"),
    ("metronome", "Metronome", "combo"), ("cues", "Cues", "check"),
    ("schedule", "Cue schedule", "combo"), ("mirror", "Mirror", "check"),
    ("skeleton", "Skeleton", "check"), ("tiles", "Tiles", "check"),
    ("focus", "Focus", "text"), ("target", "Target", "text"),
    ("say", "Say at the start", "text"), ("show", "On screen", "text"),
)
CHOICES = {"kind": BLOCK_KINDS, "metronome": METRONOME_MODES,
           "schedule": ("continuous", "intermittent", "none")}
COL = {key: i for i, (key, _h, _k) in enumerate(COLUMNS)}
WIDTHS = {"kind": 110, "name": 120, "minutes": 64, "metronome": 100, "cues": 44,
          "schedule": 112, "mirror": 52, "skeleton": 64, "tiles": 44, "focus": 120,
          "target": 110, "say": 300}
TIPS = {"focus": "Fault cued in this block, e.g. overstride_pct_leg:high (blank = the template's)",
        "target": "none · baseline + 7.5% · 180 spm (blank = the template's rule)",
        "show": "Line shown on screen (blank = the say line)",
        "say": "Spoken (and shown) when the block starts",
        "minutes": "Block length in minutes, e.g. 4 or 1.5"}
VALIDATE_MS = 300


def _focus_choices() -> list[str]:
    return [f"{m}:{d}" for m, dirs in FAULTS.items() for d in dirs]


class TemplateEditor(QDialog):
    """See the module docstring. ``saved(name, where)`` after a save ('user' | 'runner')."""

    saved = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, *, runner_id: int | None = None,
                 store=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Session templates")
        fit_to_screen(self, 1400, 760)
        self._own_store = store is None
        if store is None:
            from app.session.store import open_store

            store = open_store()
        self.store = store
        self.current: Template | None = None
        self.problems: tuple[str, ...] = ()
        self._loading = False
        self._row = -1  # the list row whose template the fields show (-1: none)
        self.close_box: QMessageBox | None = None  # the unsaved-edits question, while open
        root = QHBoxLayout(self)

        left = QVBoxLayout()
        left.addWidget(QLabel("Templates"))
        self.list = QListWidget()
        self.list.setMinimumWidth(280)
        self.list.setMaximumWidth(340)
        self.list.currentRowChanged.connect(self._picked)
        left.addWidget(self.list, 1)
        self.b_duplicate = QPushButton("Duplicate")
        self.b_duplicate.setToolTip("Copy the selected template under a new name to edit it")
        self.b_duplicate.clicked.connect(self.duplicate)
        self.b_delete = QPushButton("Delete")
        self.b_delete.setToolTip("Delete your own template (shipped ones cannot be deleted)")
        self.b_delete.clicked.connect(self.delete)
        row = QHBoxLayout()
        row.addWidget(self.b_duplicate)
        row.addWidget(self.b_delete)
        left.addLayout(row)
        root.addLayout(left)

        right = QVBoxLayout()
        self.f_name = QLineEdit()
        self.f_name.setToolTip("Letters, digits, '_' or '-'; the same name as a shipped "
                               "template replaces it")
        self.f_title = QLineEdit()
        self.f_desc = QLineEdit()
        self.f_view = QComboBox()
        self.f_view.addItems(VIEWS)
        self.f_focus = QComboBox()
        for key in _focus_choices():
            self.f_focus.addItem(_focus_label(key), key)
        self.f_target = QLineEdit()
        self.f_target.setToolTip("none · baseline + 7.5% · 180 spm")
        self.f_fallback = QLineEdit()
        self.f_fallback.setToolTip("Target cadence when the baseline has too few steps (blank = none)")
        self.f_min_steps = QSpinBox()
        self.f_min_steps.setRange(2, 1000)
        top = QHBoxLayout()
        f1, f2 = QFormLayout(), QFormLayout()
        f1.addRow("Name", self.f_name)
        f1.addRow("Title", self.f_title)
        f1.addRow("Description", self.f_desc)
        f2.addRow("Camera view", self.f_view)
        f2.addRow("Focus fault", self.f_focus)
        f2.addRow("Target rule", self.f_target)
        f2.addRow("Fallback target (spm)", self.f_fallback)
        f2.addRow("Baseline steps needed", self.f_min_steps)
        top.addLayout(f1, 3)
        top.addLayout(f2, 2)
        right.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([h for _k, h, _t in COLUMNS])
        for key, width in WIDTHS.items():
            self.table.setColumnWidth(COL[key], width)
        for key, tip in TIPS.items():
            self.table.horizontalHeaderItem(COL[key]).setToolTip(tip)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        right.addWidget(self.table, 1)
        row = QHBoxLayout()
        for text, slot in (("Add block", self.add_block), ("Remove block", self.remove_block),
                           ("Move up", lambda: self.move_block(-1)),
                           ("Move down", lambda: self.move_block(1))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        self.duration = QLabel("")
        row.addWidget(self.duration)
        right.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setMinimumHeight(44)
        right.addWidget(self.status)
        row = QHBoxLayout()
        self.b_save_user = QPushButton("Save as my template")
        self.b_save_user.setToolTip("Into your templates folder, for every runner")
        self.b_save_user.clicked.connect(self.save_user)
        self.runner_combo = QComboBox()
        self.runner_combo.setMinimumWidth(180)
        self.b_save_runner = QPushButton("Save for this runner")
        self.b_save_runner.setToolTip("Kept with the runner in the session database; wins "
                                      "over a template of the same name")
        self.b_save_runner.clicked.connect(self.save_runner)
        self.b_close = QPushButton("Close")
        self.b_close.clicked.connect(self.reject)  # asks first when there are edits
        row.addWidget(self.b_save_user)
        row.addSpacing(20)
        row.addWidget(QLabel("Runner"))
        row.addWidget(self.runner_combo)
        row.addWidget(self.b_save_runner)
        row.addStretch(1)
        row.addWidget(self.b_close)
        right.addLayout(row)
        root.addLayout(right, 1)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_MS)
        self._validate_timer.timeout.connect(self.validate)
        for w in (self.f_name, self.f_title, self.f_desc, self.f_target, self.f_fallback):
            w.textEdited.connect(self._changed)
        for c in (self.f_view, self.f_focus):
            c.currentIndexChanged.connect(self._changed)
        self.f_min_steps.valueChanged.connect(self._changed)
        self.table.itemChanged.connect(self._changed)
        for r in self.store.list_runners():
            self.runner_combo.addItem(r.name, r.id)
        if runner_id is not None:
            self.runner_combo.setCurrentIndex(max(0, self.runner_combo.findData(runner_id)))
        self.b_save_runner.setEnabled(self.runner_combo.count() > 0)
        self.runner_combo.currentIndexChanged.connect(
            lambda _i: self.reload(select=self.current.name if self.current else None,
                                   keep_edits=True))
        self.reload()

    # ================================================================ list
    def reload(self, select: str | None = None, keep_edits: bool = False) -> None:
        """Fill the list: shipped + user templates, and the chosen runner's. The template
        ``select`` (else the first) is shown; with ``keep_edits`` unsaved edits stay in the
        fields (only the list is refreshed)."""
        lib = TemplateLibrary.load()
        rid = self.runner_combo.currentData()
        if rid is not None:
            lib = lib.with_runner(self.store.runner_templates(rid), self.runner_combo.currentText())
        self.library = lib
        self.templates = list(lib)
        keep = keep_edits and self.edited
        self.list.blockSignals(True)
        self.list.clear()
        for t in self.templates:
            tag = {"shipped": "shipped", "user": "yours", "runner": "runner's"}[t.source]
            self.list.addItem(QListWidgetItem(f"{t.title}  [{tag}]\n    {t.name} · {t.view_words} · "
                                              f"{t.duration_s / 60:g} min"))
        names = [t.name for t in self.templates]
        row = names.index(select) if select in names else (-1 if keep else 0)
        self.list.blockSignals(False)
        self._row = row
        self._show_row()
        if not keep and 0 <= row < len(self.templates):
            self.load_template(self.templates[row])
        if lib.problems:
            self.status.setText(" ".join(lib.problems))

    def select(self, name: str) -> None:
        for i, t in enumerate(self.templates):
            if t.name == name:
                self.list.setCurrentRow(i)
                return
        raise UserError(f"There is no template named {name!r}.")

    def _picked(self, row: int) -> None:
        """Another template picked in the list: shown at once, or — with unsaved edits —
        after asking (save, discard, or keep editing: the list goes back meanwhile)."""
        if not 0 <= row < len(self.templates) or row == self._row:
            return
        if not self.edited:
            self._row = row
            self.load_template(self.templates[row])
            return
        self._show_row()
        QTimer.singleShot(0, self.list, self._show_row)  # after the click's own selection
        name = self.templates[row].name

        def show_picked() -> None:  # the list may have been reloaded by the save
            names = [t.name for t in self.templates]
            if name in names:
                self._row = names.index(name)
                self._show_row()
                self.load_template(self.templates[self._row])

        self._ask_unsaved(f"Save them as your template, or discard them and open "
                          f"“{self.templates[row].title}”?", show_picked)

    def _show_row(self) -> None:
        """The list's current row back to the template the fields show (no signal)."""
        self.list.blockSignals(True)
        self.list.setCurrentRow(self._row)
        self.list.blockSignals(False)

    # ================================================================ fields <-> template
    def load_template(self, t: Template) -> None:
        """Show ``t`` in the fields and the table."""
        self._loading = True
        self.current = t
        self.f_name.setText(t.name)
        self.f_title.setText(t.title)
        self.f_desc.setText(t.description)
        self.f_view.setCurrentText(t.view)
        if self.f_focus.findData(t.focus.text()) < 0:
            self.f_focus.addItem(t.focus.text(), t.focus.text())
        self.f_focus.setCurrentIndex(self.f_focus.findData(t.focus.text()))
        self.f_target.setText(t.target.text())
        self.f_fallback.setText("" if t.fallback_target_spm is None else f"{t.fallback_target_spm:g}")
        self.f_min_steps.setValue(t.min_baseline_steps)
        self.table.setRowCount(0)
        for b in t.blocks:
            self._append_row(b.to_dict())
        self.b_delete.setEnabled(t.source in ("user", "runner"))
        self._loading = False
        self.validate()
        self._clean = self.data()  # what "no edits" looks like

    def _append_row(self, d: dict[str, Any]) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self._set_row(r, d)

    def _set_row(self, r: int, d: dict[str, Any]) -> None:
        was = self._loading
        self._loading = True
        for key, _h, kind in COLUMNS:
            c = COL[key]
            if kind == "combo":
                box = QComboBox()
                box.addItems(CHOICES[key])
                box.setCurrentText(str(d.get(key, CHOICES[key][0])))
                box.currentIndexChanged.connect(self._changed)
                self.table.setCellWidget(r, c, box)
            elif kind == "check":
                it = QTableWidgetItem("")
                it.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                            | Qt.ItemFlag.ItemIsSelectable)
                it.setCheckState(Qt.CheckState.Checked if d.get(key) else Qt.CheckState.Unchecked)
                self.table.setItem(r, c, it)
            else:
                if key == "minutes":
                    sec = d.get("duration_s", 60)
                    text = f"{float(sec) / 60:g}" if isinstance(sec, (int, float)) else str(sec)
                else:
                    text = str(d.get(key, "") or "")
                self.table.setItem(r, c, QTableWidgetItem(text))
        self._loading = was

    def row_dict(self, r: int) -> dict[str, Any]:
        """One table row as TOML block data (minutes → ``duration_s``)."""
        d: dict[str, Any] = {}
        for key, _h, kind in COLUMNS:
            c = COL[key]
            if kind == "combo":
                d[key] = self.table.cellWidget(r, c).currentText()
            elif kind == "check":
                d[key] = self.table.item(r, c).checkState() == Qt.CheckState.Checked
            else:
                it = self.table.item(r, c)
                text = it.text().strip() if it is not None else ""
                if key == "minutes":
                    d["duration_s"] = _minutes_to_s(text)
                elif text or key in ("say",):
                    d[key] = text
        return d

    def data(self) -> dict[str, Any]:
        """The edited template as TOML data."""
        fb = self.f_fallback.text().strip()
        try:
            fallback: Any = float(fb) if fb else ""
        except ValueError:
            fallback = fb
        return {"schema_version": 1, "name": self.f_name.text().strip(),
                "title": self.f_title.text().strip(), "description": self.f_desc.text().strip(),
                "view": self.f_view.currentText(), "focus": self.f_focus.currentData(),
                "target": self.f_target.text().strip() or "none",
                "fallback_target_spm": fallback, "min_baseline_steps": self.f_min_steps.value(),
                "block": [self.row_dict(r) for r in range(self.table.rowCount())]}

    # ================================================================ validation
    def _changed(self, *_args) -> None:
        if not self._loading:
            self._validate_timer.start()

    def validate(self) -> Template | None:
        """Parse the edited template; the problems (sentences) go under the table.
        Returns the template, or None when it has problems."""
        self._validate_timer.stop()
        data = self.data()
        problems = [f"Block {i + 1} has '{b['duration_s']}' as minutes; type a number of "
                    "minutes such as 4 or 1.5." for i, b in enumerate(data["block"])
                    if isinstance(b["duration_s"], str)]
        try:
            t = parse_template(data, "this template", source="user")
        except TemplateError as exc:
            problems += [p for p in exc.problems if not (problems and "duration_s" in p)]
            t = None
        if problems:
            t = None
        self.problems = tuple(problems)
        for b in (self.b_save_user, self.b_save_runner):
            b.setEnabled(t is not None and (b is not self.b_save_runner or self.runner_combo.count() > 0))
        if t is None:
            self.status.setStyleSheet("color:#b71c1c;")
            self.status.setText("\n".join(_sentence(p) for p in problems))
        else:
            self.status.setStyleSheet("color:#2e7d32;")
            self.status.setText(f"OK: {len(t.blocks)} blocks, {t.duration_s / 60:g} min.")
        total = sum(b["duration_s"] for b in data["block"] if isinstance(b["duration_s"], (int, float)))
        self.duration.setText(f"Total {total / 60:g} min")
        return t

    # ================================================================ edits
    def add_block(self) -> None:
        r = self.table.currentRow()
        d = self.row_dict(r) if r >= 0 else {"kind": "retraining", "name": "New block",
                                             "duration_s": 240, "metronome": "on", "cues": True,
                                             "schedule": "continuous", "mirror": True}
        d["name"] = f"{d.get('name', 'Block')} (copy)" if r >= 0 else d["name"]
        self._append_row(d)
        self.table.selectRow(self.table.rowCount() - 1)
        self._changed()

    def remove_block(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)
            self._changed()

    def move_block(self, delta: int) -> None:
        r = self.table.currentRow()
        j = r + delta
        if r < 0 or not 0 <= j < self.table.rowCount():
            return
        a, b = self.row_dict(r), self.row_dict(j)
        self._set_row(r, b)
        self._set_row(j, a)
        self.table.selectRow(j)
        self._changed()

    def duplicate(self) -> None:
        """A copy of the selected template under a new name (not saved yet)."""
        t = self.current
        if t is None:
            return
        names = set(self.library.names())
        base = f"{t.name}_copy"
        name, n = base, 2
        while name in names:
            name, n = f"{base}{n}", n + 1
        self.f_name.setText(name)
        self.f_title.setText(f"{t.title} (copy)")
        self.b_delete.setEnabled(False)
        self.validate()

    # ================================================================ save / delete
    def save_user(self) -> str | None:
        """Save into the user's templates folder; returns the path (or None)."""
        t = self.validate()
        if t is None:
            return None
        try:
            path = save_user_template(t)
        except (OSError, UserError) as exc:
            self.status.setStyleSheet("color:#b71c1c;")
            self.status.setText(f"The template could not be saved: {exc}")
            return None
        self.reload(select=t.name)
        self._clean = self.data()
        self.status.setStyleSheet("color:#2e7d32;")
        self.status.setText(f"Saved as your template: {path}")
        self.saved.emit(t.name, "user")
        return str(path)

    def save_runner(self) -> bool:
        """Save with the runner chosen beside the button (session database)."""
        t = self.validate()
        rid = self.runner_combo.currentData()
        if t is None or rid is None:
            return False
        try:
            self.store.save_runner_template(int(rid), t.name, t.to_toml())
        except UserError as exc:
            self.status.setText(str(exc))
            return False
        self.reload(select=t.name)
        self._clean = self.data()
        self.status.setStyleSheet("color:#2e7d32;")
        self.status.setText(f"Saved with {self.runner_combo.currentText()}.")
        self.saved.emit(t.name, "runner")
        return True

    def delete(self) -> None:
        t = self.current
        if t is None or t.source == "shipped":
            return
        if QMessageBox.question(self, "Delete template", f"Delete the template '{t.title}'?") \
                != QMessageBox.StandardButton.Yes:
            return
        self.delete_now(t)

    def delete_now(self, t: Template) -> None:
        if t.source == "user" and t.path is not None:
            t.path.unlink(missing_ok=True)
        elif t.source == "runner" and self.runner_combo.currentData() is not None:
            self.store.delete_runner_template(int(self.runner_combo.currentData()), t.name)
        self.reload()

    @property
    def edited(self) -> bool:
        """True when the fields or blocks differ from the template as loaded or saved."""
        return self.current is not None and self.data() != getattr(self, "_clean", None)

    def reject(self) -> None:  # noqa: D401 - Qt API (Close, Esc, the window's ✕)
        """Close; with unsaved edits, ask first (save, discard, or keep editing)."""
        if not self.edited or getattr(self, "_discard_ok", False):
            super().reject()
            return

        def close() -> None:
            self._discard_ok = True
            super(TemplateEditor, self).reject()

        self._ask_unsaved("Save them as your template, or discard them?", close)

    def _ask_unsaved(self, question: str, then) -> None:  # noqa: ANN001 - callable
        """Ask (a non-blocking box) what to do with unsaved edits; ``then()`` runs after
        *Discard changes*, or after *Save as my template* once the save succeeded."""
        name = self.f_title.text().strip() or self.f_name.text().strip() or "this template"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Your changes to “{name}” are not saved. {question}", parent=self)
        save = box.addButton("Save as my template", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_r: int) -> None:
            self.close_box = None
            clicked = box.clickedButton()
            if clicked is discard or (clicked is save and self.save_user() is not None):
                then()

        box.finished.connect(answered)
        self.close_box = box
        box.open()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.edited and not getattr(self, "_discard_ok", False):
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        self._validate_timer.stop()
        if self._own_store and self.store is not None:
            self.store.close()
            self.store = None
        super().done(r)


def _focus_label(key: str) -> str:
    from app.ui.feedback.panel import fault_label

    metric, _, direction = key.partition(":")
    return f"{fault_label(metric, direction)}  ({key})"


def _minutes_to_s(text: str) -> float | str:
    """'4' → 240.0, '1.5' or '1,5 min' → 90.0; anything else is kept as text (reported)."""
    t = text.strip().lower().removesuffix("min").strip()
    try:
        v = float(t.replace(",", "."))
    except ValueError:
        return text
    return round(v * 60.0, 3)


_DURATION_RE = re.compile(r"has duration_s '([^']*)'; use seconds from 1 to 10800\.")


def _sentence(p: str) -> str:
    """A parser sentence for the table: capitalised, durations in minutes (the parser
    speaks of ``duration_s``)."""
    def minutes(m: re.Match) -> str:
        try:
            return f"is {float(m[1]) / 60:g} minutes long; use 1 second to 180 minutes."
        except ValueError:
            return m[0]

    p = _DURATION_RE.sub(minutes, p)
    return p[:1].upper() + p[1:]
