"""Session store on both backends — a real SQLite file and a real PostgreSQL server
(started by the test run, tests/helpers/pg_server.py) — with real session folders (video
via PyAV, landmarks via the app's writer). Old SQLite files (schema 1–4) are built by the
old migration code (tests/helpers/legacy_store.py) and migrated by Alembic."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from app.errors import UserError
from app.session import migrations
from app.session.store import Block, EditConflict, open_store, sessions_root
from tests.helpers.legacy_store import make_legacy_db
from tests.helpers.session_folders import make_session_folder

A = "20261101-100000-aaaaaa"
B = "20261115-093000-bbbbbb"
C = "20261129-170500-cccccc"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data"


@pytest.fixture
def store(data_dir, store_url):
    """The store on each backend (SQLite file, PostgreSQL database)."""
    s = open_store(store_url)
    yield s
    s.close()


def _three_sessions() -> None:
    root = sessions_root()
    make_session_folder(root, A, started_utc="2026-11-01T10:00:00Z", cadence_spm=162.0,
                        overstride=12.0, blocks=[(0.0, "baseline", "before"),
                                                 (0.3, "retraining", "cue on")])
    make_session_folder(root, B, started_utc="2026-11-15T09:30:00Z", cadence_spm=168.5,
                        overstride=None)
    make_session_folder(root, C, started_utc="2026-11-29T17:05:00Z", cadence_spm=174.0,
                        overstride=6.5)


# ----------------------------------------------------------------------- migrations
def test_migrations_from_empty_file(data_dir):
    with open_store() as s:
        assert s.path == data_dir / "gaitcoach.db" and s.backend == "sqlite"
    db = sqlite3.connect(data_dir / "gaitcoach.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION >= 6
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrations.HEAD
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runners", "sessions", "blocks", "runner_templates", "programmes", "load_log",
            "runner_targets", "outbox"} <= tables
    cols = {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
    assert {"id", "runner_id", "name", "notes", "state", "started_utc", "duration_s", "view",
            "facing", "template", "thresholds_json", "summary_json", "folder", "video",
            "missing_since_utc", "station", "version"} <= cols
    db.close()
    with open_store() as s:  # reopening a current file is a no-op
        assert s.list_sessions() == []


def test_migrations_on_postgresql(store_url):
    """A fresh database on each backend ends at the same revision with the same tables."""
    import sqlalchemy as sa

    with open_store(store_url) as s:
        with s.engine.connect() as c:
            assert migrations.current_revision(c) == migrations.HEAD
            assert migrations.schema_version(c) == migrations.LATEST_VERSION
            names = set(sa.inspect(c).get_table_names())
        assert {"runners", "sessions", "blocks", "runner_templates", "programmes",
                "programme_items", "practice_log", "load_log", "runner_targets", "outbox",
                "alembic_version"} <= names
    with open_store(store_url) as s:  # a second open finds nothing to do
        assert s.list_runners() == []


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_legacy_sqlite_file_migrates_keeping_everything(tmp_path, version):
    """A schema 1–5 file written by the old code keeps every row, then takes schema 6."""
    path = tmp_path / f"v{version}.db"
    db = make_legacy_db(path, version)
    db.execute("INSERT INTO runners (id, name, notes, created_utc) VALUES (7, 'Ann', 'knee', '2026-01-01T00:00:00Z')")
    cols = "id, runner_id, name, notes, state, started_utc, duration_s, folder, summary_json"
    vals = "?, 7, 'first', 'ok', 'complete', '2026-11-01T10:00:00Z', 61.5, '/nowhere', ?"
    if version >= 2:
        cols, vals = cols + ", video, missing_since_utc", vals + ", 'video.mp4', '2026-11-02T00:00:00Z'"
    db.execute(f"INSERT INTO sessions ({cols}) VALUES ({vals})", (A, json.dumps({"cadence_spm": 163.0})))
    db.execute("INSERT INTO blocks (session_id, idx, kind, name, start_s, end_s, summary_json) "
               "VALUES (?, 0, 'baseline', 'b', 0, 30, '{\"cadence_spm\": 160.0}')", (A,))
    if version >= 3:
        db.execute("INSERT INTO runner_templates VALUES (7, 'mine', 'title = \"x\"', '2026-01-02T00:00:00Z')")
    if version >= 4:
        db.execute("INSERT INTO programmes (id, runner_id, created_utc, updated_utc, baseline_date, "
                   "reassess_due, primary_fault, picture_json) VALUES (3, 7, '2026-11-01T00:00:00Z', "
                   "'2026-11-01T00:00:00Z', '2026-11-01', '2026-12-13', 'overstride', '{}')")
        db.execute("INSERT INTO programme_items VALUES (3, 0, 'calf_raise', 3, 12, NULL, 1, 4, 'slow')")
        db.execute("INSERT INTO practice_log (programme_id, exercise_id, day, created_utc) "
                   "VALUES (3, 'calf_raise', '2026-11-03', '2026-11-03T00:00:00Z')")
        db.execute("INSERT INTO load_log VALUES (7, '2026-11-02', 25.0, 'km', 2, 'fine', '2026-11-08T00:00:00Z')")
    if version >= 5:
        db.execute("INSERT INTO runner_targets VALUES (7, 178.5, 'typed in Setup', '2026-11-09T00:00:00Z')")
    db.close()

    with open_store(path) as s:
        with s.engine.connect() as c:
            assert migrations.schema_version(c) == migrations.LATEST_VERSION
        info = s.get_session(A)
        assert (info.runner_name, info.name, info.notes, info.duration_s) == ("Ann", "first", "ok", 61.5)
        assert info.cadence_spm == 163.0 and (info.station, info.version) == ("", 1)
        assert (info.video, info.missing_since_utc) == (
            ("video.mp4", "2026-11-02T00:00:00Z") if version >= 2 else (None, None))
        assert [(b.kind, b.end_s, b.summary) for b in s.blocks(A)] == [("baseline", 30.0, {"cadence_spm": 160.0})]
        ann = s.get_runner(7)
        assert (ann.notes, ann.version) == ("knee", 1) and len(ann.uid) == 32
        with pytest.raises(UserError, match="already exists"):
            s.add_runner("ann")  # the unique name index is in force (added by schema 2)
        if version >= 3:
            assert s.runner_templates(7) == {"mine": 'title = "x"'}
        if version >= 4:
            from app.plan.store import PlanStore

            ps = PlanStore(s)
            prog = ps.active_programme(7)
            assert prog.primary == "overstride" and prog.exercise_ids == ("calf_raise",)
            assert prog.items[0].dose.reps == 12 and prog.items[0].note == "slow"
            assert [(w.volume, w.pain, w.notes) for w in ps.load_log(7)] == [(25.0, 2, "fine")]
            assert len(ps.ticks(3)) == 1
        if version >= 5:
            assert (s.runner_target(7).target_spm, s.runner_target(7).origin) == (178.5, "typed in Setup")
        s.add_runner("Bo")  # and it is writable
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    # an old GaitCoach (reads up to schema 5) now refuses the file with its sentence
    from tests.helpers import legacy_store

    with pytest.raises(RuntimeError, match="newer GaitCoach"):
        legacy_store.migrate(db)
    db.close()


def test_newer_schema_is_one_sentence(tmp_path):
    path = tmp_path / "new.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 9")
    db.close()
    with pytest.raises(UserError, match="newer GaitCoach"):
        open_store(path)
    with open_store(tmp_path / "alembic.db"):
        pass
    db = sqlite3.connect(tmp_path / "alembic.db")
    db.execute("UPDATE alembic_version SET version_num = '0099_future'")
    db.commit()
    db.close()
    with pytest.raises(UserError, match="newer GaitCoach"):
        open_store(tmp_path / "alembic.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="damaged or not a database"):
        open_store(tmp_path / "junk.db")


def test_unreachable_server_is_one_sentence_without_password():
    with pytest.raises(UserError) as err:
        open_store("postgresql://clinic:s3cret-pw@127.0.0.1:1/gaitcoach")
    msg = str(err.value)
    assert "cannot be reached" in msg and "s3cret-pw" not in msg and "***" in msg
    assert msg.count("\n") == 0


def test_store_works_from_several_threads(store):
    """Each call takes its own pooled connection: two threads write at once."""
    errors: list = []

    def add(prefix):
        try:
            for i in range(10):
                store.add_runner(f"{prefix} {i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(p,)) for p in ("left", "right")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(store.list_runners()) == 20


# ----------------------------------------------------------------------- sync
def test_sync_indexes_folders_and_updates_state(store):
    _three_sessions()
    (sessions_root() / "not-a-session").mkdir()
    broken = sessions_root() / "20261130-000000-dddddd"
    broken.mkdir()
    (broken / "session.json").write_text("{ broken", encoding="utf-8")

    rep = store.sync()
    assert sorted(rep.added) == [A, B, C]
    assert len(rep.skipped) == 1 and "cannot be read" in rep.skipped[0]
    assert [s.id for s in store.list_sessions()] == [C, B, A]  # newest first
    a = store.get_session(A)
    assert (a.state, a.view, a.facing, a.video, a.cadence_spm) == ("complete", "side", "left", "video.mp4", 162.0)
    assert a.folder == (sessions_root() / A).resolve()
    assert "cadence_spm" in a.thresholds and set(a.thresholds["cadence_spm"]) == {"green", "amber"}
    assert [(b.kind, b.name, b.start_s, b.end_s) for b in store.blocks(A)] == [
        ("baseline", "before", 0.0, 0.3), ("retraining", "cue on", 0.3, 0.5)]
    assert store.sync().added == ()  # nothing new the second time

    # the recorder finishes a session: state, duration and summary are refreshed
    doc = json.loads((sessions_root() / B / "session.json").read_text())
    doc.update(state="recovered", duration_s=252.0, summary={"cadence_spm": 169.0},
               thresholds={"cadence_spm": {"green": [1, 2], "amber": [0, 3]}})
    (sessions_root() / B / "session.json").write_text(json.dumps(doc))
    store.rename_session(B, "week 2")
    assert store.sync().updated == (B,)
    b = store.get_session(B)
    assert (b.state, b.duration_s, b.cadence_spm, b.name) == ("recovered", 252.0, 169.0, "week 2")
    assert b.thresholds == {"cadence_spm": {"green": [1, 2], "amber": [0, 3]}}


def test_thresholds_come_from_settings_when_session_has_none(data_dir, store):
    from app import config
    from app.config import Band

    config.save(config.Settings().with_threshold("cadence_spm", Band((170.0, 180.0), (165.0, 185.0))))
    _three_sessions()
    store.sync()
    assert store.get_session(A).thresholds["cadence_spm"] == {"green": [170.0, 180.0], "amber": [165.0, 185.0]}


def test_missing_folder_and_deleted_video_are_sentences(store):
    _three_sessions()
    store.sync()
    assert store.health(A).kind == "ok" and store.health(A).message == ""
    (sessions_root() / B / "video.mp4").unlink()
    shutil.rmtree(sessions_root() / C)
    rep = store.sync()
    assert rep.missing == (C,)
    hb, hc = store.health(B), store.health(C)
    assert hb.kind == "video_missing" and not hb.ok
    assert "video (video.mp4)" in hb.message and "15 Nov 2026" in hb.message and hb.message.endswith(".")
    assert hc.kind == "folder_missing" and "moved or deleted" in hc.message
    assert store.get_session(C).missing_since_utc is not None
    # a missing folder is still listed, can be renamed and deleted, not exported
    assert C in [s.id for s in store.list_sessions()]
    store.rename_session(C, "gone")
    with pytest.raises(UserError, match="folder .* is missing"):
        store.export_session(C, sessions_root().parent / "c.zip")
    store.delete_session(C)
    assert C not in [s.id for s in store.list_sessions()]


def test_recovered_session_without_video(store):
    make_session_folder(sessions_root(), A, started_utc="2026-11-01T10:00:00Z", state="recovered",
                        video=False, extra={"video": None, "recovered_utc": "2026-11-01T11:00:00Z"})
    store.sync()
    h = store.health(A)
    assert h.kind == "video_missing" and "has no video" in h.message


def test_incomplete_session_health(store):
    make_session_folder(sessions_root(), A, started_utc="2026-11-01T10:00:00Z",
                        state="recording", duration_s=None)
    store.sync()
    h = store.health(A)
    assert h.kind == "incomplete" and "did not end cleanly" in h.message and not h.ok
    from app.session.folder import RecordingLock

    lock = RecordingLock(sessions_root() / A)  # a recorder holds the folder right now
    lock.acquire()
    try:
        h = store.health(A)
        assert h.kind == "recording" and h.ok and "being recorded now" in h.message
    finally:
        lock.release()
    assert store.health(A).kind == "incomplete"


# ----------------------------------------------------------------------- edits
def test_rename_notes_runner_delete(store, store_url):
    _three_sessions()
    store.sync()
    assert store.rename_session(A, "  baseline week 0 ").name == "baseline week 0"
    assert store.set_notes(A, "left knee sore\nsecond line").notes == "left knee sore\nsecond line"
    ann = store.add_runner("Ann Smith", birth_year=1990, height_cm=168.0)
    bob = store.add_runner("Bob")
    store.assign_runner(A, ann.id)
    store.assign_runner(C, ann.id)
    store.assign_runner(B, bob.id)
    assert [s.id for s in store.list_sessions(ann.id)] == [C, A]
    assert store.get_session(A).runner_name == "Ann Smith"
    assert store.find_runner("ann smith").id == ann.id
    assert [r.name for r in store.list_runners()] == ["Ann Smith", "Bob"]
    assert store.rename_runner(bob.id, "Robert").name == "Robert"
    store.delete_runner(bob.id)  # sessions stay, without a runner
    assert store.get_session(B).runner_id is None
    assert [s.id for s in store.list_sessions(unassigned=True)] == [B]

    # a fresh connection sees the committed edits (nothing held in memory)
    with open_store(store_url) as other:
        assert other.get_session(A).name == "baseline week 0"

    folder = store.get_session(A).folder
    store.delete_session(A)
    assert not folder.exists()
    assert store.blocks(A) == []  # cascaded
    with pytest.raises(UserError, match="no session"):
        store.get_session(A)
    assert store.sync().added == ()  # the folder is gone, so it does not come back

    for bad in (lambda: store.rename_session("nope", "x"), lambda: store.assign_runner(B, 999),
                lambda: store.add_runner("  "), lambda: store.delete_session("nope")):
        with pytest.raises(UserError):
            bad()


def test_optimistic_versioning(store, store_url):
    """Two windows (or stations) edit the same session and runner: the second save,
    made on the version it read, is refused with a sentence and changes nothing."""
    _three_sessions()
    store.sync()
    ann = store.add_runner("Ann")
    seen_here = store.get_session(A)
    with open_store(store_url) as there:
        seen_there = there.get_session(A)
        assert seen_there.version == seen_here.version == 1
        done = there.set_notes(A, "from station 2", expected_version=seen_there.version)
        assert done.version == 2
        with pytest.raises(EditConflict, match="changed at another station"):
            store.set_notes(A, "from station 1", expected_version=seen_here.version)
        assert store.get_session(A).notes == "from station 2"
        # after reloading, the edit goes through
        again = store.set_notes(A, "merged", expected_version=store.get_session(A).version)
        assert again.version == 3 and there.get_session(A).notes == "merged"
        there.rename_runner(ann.id, "Ann K.", expected_version=ann.version)
        with pytest.raises(EditConflict, match="The runner 'Ann K.' was changed"):
            store.rename_runner(ann.id, "Anna", expected_version=ann.version)
        assert store.get_runner(ann.id).name == "Ann K." and store.get_runner(ann.id).version == 2
        with pytest.raises(EditConflict):
            store.assign_runner(A, ann.id, expected_version=1)
    # without expected_version an edit always applies (the CLI, scripts)
    assert store.rename_session(A, "x").version == 4


def test_delete_refuses_a_foreign_folder(store, tmp_path):
    _three_sessions()
    store.sync()
    doc = json.loads((sessions_root() / A / "session.json").read_text())
    doc["id"] = "someone-else"
    (sessions_root() / A / "session.json").write_text(json.dumps(doc))
    with pytest.raises(UserError, match="belongs to session someone-else"):
        store.delete_session(A)
    assert (sessions_root() / A).is_dir()


def test_resolve_id_prefix(store):
    _three_sessions()
    store.sync()
    assert store.resolve_id("20261115") == B
    with pytest.raises(UserError, match="matches 3 sessions"):
        store.resolve_id("2026")
    with pytest.raises(UserError, match="no session"):
        store.resolve_id("1999")


def test_export_zip_contains_the_files(store, tmp_path):
    _three_sessions()
    store.sync()
    seen = []
    out = store.export_session(A, tmp_path / "a.zip", progress=lambda d, t: seen.append((d, t)))
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert names == {f"{A}/{n}" for n in ("session.json", "landmarks.csv", "video.mp4", "blocks.csv")}
        assert zf.read(f"{A}/video.mp4") == (sessions_root() / A / "video.mp4").read_bytes()
        assert zf.getinfo(f"{A}/video.mp4").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo(f"{A}/landmarks.csv").compress_type == zipfile.ZIP_DEFLATED
    assert seen[-1][0] == seen[-1][1] > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left

    # cancelled or unwritable: nothing that looks complete is left behind
    with pytest.raises(UserError, match="cancelled"):
        store.export_session(A, tmp_path / "b.zip", progress=lambda d, t: False)
    assert not (tmp_path / "b.zip").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(UserError, match="does not exist"):
        store.export_session(A, tmp_path / "no" / "c.zip")


# ----------------------------------------------------------------------- blocks, history
def test_set_blocks(store):
    _three_sessions()
    store.sync()
    got = store.set_blocks(B, [Block(0, "baseline", "b", 0.0, 60.0, {"cadence_spm": 165.0}),
                               Block(1, "retention", "r", 60.0, None)])
    assert [(b.kind, b.end_s, b.summary) for b in got] == [("baseline", 60.0, {"cadence_spm": 165.0}),
                                                          ("retention", None, {})]
    with pytest.raises(UserError, match="Unknown block kind"):
        store.set_blocks(B, [Block(0, "warmup", "", 0.0)])
    assert len(store.blocks(B)) == 2
    store.sync()  # re-indexing an unchanged folder keeps blocks set through the API
    assert len(store.blocks(B)) == 2


def test_blocks_from_the_summary(store):
    """The recorder's summary lists blocks with their own means; they win over blocks.csv."""
    blocks = [{"kind": "baseline", "name": "Baseline", "t_start_s": 0.0, "t_end_s": 60.2,
               "cadence_spm": 161.0, "n_steps": 80, "metrics": {"overstride_pct_leg": 14.0}},
              {"kind": "retention", "name": "Retention", "t_start_s": 60.2, "t_end_s": None,
               "cadence_spm": 171.5, "n_steps": 90, "metrics": {}}]
    make_session_folder(sessions_root(), A, started_utc="2026-11-01T10:00:00Z", duration_s=120.0,
                        blocks=[(0.0, "free", "ignored")],
                        extra={"summary": {"cadence_spm": 166.0, "n_steps": 170,
                                           "metrics": {}, "blocks": blocks}})
    store.sync()
    got = store.blocks(A)
    assert [(b.kind, b.name, b.start_s, b.end_s) for b in got] == [
        ("baseline", "Baseline", 0.0, 60.2), ("retention", "Retention", 60.2, 120.0)]
    assert got[0].summary == {"cadence_spm": 161.0, "n_steps": 80, "metrics": {"overstride_pct_leg": 14.0}}


def test_runner_history(store):
    _three_sessions()
    store.sync()
    ann = store.add_runner("Ann")
    for sid in (C, A, B):
        store.assign_runner(sid, ann.id)
    store.rename_session(B, "week 2")
    h = store.runner_history(ann.id, ["cadence_spm", "overstride_pct_leg"])
    assert h.session_ids == (A, B, C)  # oldest first
    assert h.titles == (A, "week 2", C)
    assert [d.date().isoformat() for d in h.started] == ["2026-11-01", "2026-11-15", "2026-11-29"]
    assert h.values == {"cadence_spm": (162.0, 168.5, 174.0), "overstride_pct_leg": (12.0, None, 6.5)}
    assert store.history_metrics(ann.id) == ["cadence_spm", "contact_ms", "overstride_pct_leg"]


# ----------------------------------------------------------------------- CLI
def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "app", "sessions", *args], cwd=REPO,
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_list_show_and_bad_id(data_dir, tmp_path):
    import os

    _three_sessions()
    env = dict(os.environ)
    r = _cli("runner-add", "Ann", env=env)
    assert r.returncode == 0, r.stderr
    assert _cli("assign", B, "Ann", env=env).returncode == 0
    assert _cli("rename", A, "first visit", env=env).returncode == 0
    (sessions_root() / C / "video.mp4").unlink()

    r = _cli("list", env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [next(i for i, l in enumerate(lines) if sid in l) for sid in (C, B, A)] == sorted(
        next(i for i, l in enumerate(lines) if sid in l) for sid in (C, B, A))
    assert "first visit" in r.stdout and "162.0" in r.stdout and "video missing" in r.stdout
    r = _cli("list", "--runner", "ann", env=env)
    assert B in r.stdout and A not in r.stdout

    r = _cli("show", "20261101", env=env)
    assert r.returncode == 0 and A in r.stdout and "first visit" in r.stdout and "baseline" in r.stdout
    r = _cli("show", C, env=env)
    assert r.returncode == 0 and "video (video.mp4)" in r.stdout

    r = _cli("export", A, str(tmp_path / "a.zip"), env=env)
    assert r.returncode == 0, r.stderr
    assert zipfile.ZipFile(tmp_path / "a.zip").testzip() is None

    for args in (("show", "nope"), ("rename", "nope", "x"), ("list", "--runner", "Zed")):
        r = _cli(*args, env=env)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = _cli("delete", A, env=env)  # without --yes: refused, kept
    assert r.returncode == 2 and "--yes" in r.stderr and (sessions_root() / A).is_dir()
    r = _cli("delete", A, "--yes", env=env)
    assert r.returncode == 0 and not (sessions_root() / A).exists()


def test_targets_belong_to_the_runner(store_url):
    """Issue 11 item 8: a target is kept with its runner (schema 5); a new runner has none;
    removing the runner removes its target. Both backends."""
    import sqlalchemy as sa

    with open_store(store_url) as st:
        a = st.add_runner("Anna K.")
        b = st.add_runner("Ben")
        assert st.runner_target(a.id) is None and st.runner_target(b.id) is None
        st.set_runner_target(a.id, 180.0, "typed in Setup")
        t = st.runner_target(a.id)
        assert (t.target_spm, t.origin) == (180.0, "typed in Setup") and t.set_utc.endswith("Z")
        assert t.describe("Anna K.").startswith("Anna K.'s target from ")
        assert t.describe("Anna K.").endswith("(typed in Setup)")
        assert st.runner_target(b.id) is None
        st.set_runner_target(a.id, 183.5, "baseline 170 spm + 7.5 %")
        assert st.runner_target(a.id).target_spm == 183.5
        st.set_runner_target(a.id, None)
        assert st.runner_target(a.id) is None
        st.set_runner_target(b.id, 172.0)
        st.delete_runner(b.id)
        with st.engine.connect() as c:
            assert c.execute(sa.text("SELECT COUNT(*) FROM runner_targets")).scalar() == 0
