"""Programmes, practice ticks and the load log in the session store (schema v4) on both
backends: a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.exercise.library import ExerciseLibrary
from app.plan.assessment import demo_assessment
from app.plan.picture import clinical_picture
from app.plan.programme import propose
from app.plan.store import PlanStore
from app.session import migrations
from app.session.store import open_store, sessions_root
from app.types import View
from tests.helpers.legacy_store import make_legacy_db
from tests.helpers.session_folders import make_session_folder


@pytest.fixture
def store(tmp_path, monkeypatch, store_url):
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path / "config"))
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def prog():
    lib = ExerciseLibrary.load(user_dir="/nonexistent")
    pic = clinical_picture(demo_assessment(View.REAR, pelvic_drop_deg=8, knee_valgus_deg=12).doc)
    return propose(pic, lib, today=dt.date(2026, 11, 3), baseline=dt.date(2026, 11, 2))


def test_v3_file_migrates_keeping_its_runners(tmp_path):
    path = tmp_path / "v3.db"
    db = make_legacy_db(path, 3)
    db.execute("INSERT INTO runners (id, name, notes, created_utc) VALUES (4, 'Bea', '', '2026-01-01T00:00:00Z')")
    db.close()
    with open_store(path) as s:
        with s.engine.connect() as c:
            assert migrations.schema_version(c) == migrations.LATEST_VERSION >= 4
            tables = set(sa.inspect(c).get_table_names())
        assert {"programmes", "programme_items", "practice_log", "load_log"} <= tables
        assert PlanStore(s).active_programme(4) is None
        assert s.get_runner(4).name == "Bea"


def test_programme_kept_with_the_runner(store, prog):
    ps = PlanStore(store)
    ann = store.add_runner("Ann")
    saved = ps.save_programme(ann.id, prog)
    assert saved.id is not None and saved.exercise_ids == prog.exercise_ids
    assert saved.picture["primary"]["fault"] == "pelvic_drop" and saved.template == "hip_drop"
    # an edit updates the same programme
    edited = ps.save_programme(ann.id, saved.with_dose(saved.exercise_ids[0], sets=5).without(saved.exercise_ids[-1]))
    assert edited.id == saved.id and edited.item(saved.exercise_ids[0]).dose.sets == 5
    assert len(edited.items) == len(saved.items) - 1
    # a new proposal becomes the active one; the old one stays as history
    newer = ps.save_programme(ann.id, prog)
    assert newer.id != saved.id and ps.active_programme(ann.id).id == newer.id
    assert [p.id for p in ps.programmes(ann.id)] == [newer.id, saved.id]
    with pytest.raises(UserError, match="no programme with id"):
        ps.programme(999)
    with pytest.raises(UserError, match="no runner"):
        ps.save_programme(999, prog)
    store.delete_runner(ann.id)  # cascades
    with store.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM programme_items")).scalar() == 0


def test_home_practice_ticks(store, prog):
    ps = PlanStore(store)
    bo = store.add_runner("Bo")
    p = ps.save_programme(bo.id, prog)
    ex = p.exercise_ids[0]
    day = dt.date(2026, 11, 10)
    ps.tick(p.id, ex, day)
    ps.tick(p.id, ex, day, {"reps": 8})  # again: replaces
    ps.tick(p.id, ex, day + dt.timedelta(days=1))
    assert ps.ticks(p.id) == {(ex, day): {"reps": 8}, (ex, day + dt.timedelta(days=1)): {}}
    assert list(ps.ticks(p.id, since=day + dt.timedelta(days=1))) == [(ex, day + dt.timedelta(days=1))]
    ps.untick(p.id, ex, day)
    assert len(ps.ticks(p.id)) == 1
    with pytest.raises(UserError, match="has no exercise"):
        ps.tick(p.id, "moonwalk", day)


def test_load_log_and_reassessment(store, prog):
    ps = PlanStore(store)
    cy = store.add_runner("Cy")
    w = ps.set_load(cy.id, dt.date(2026, 11, 5), 24.5, "km", 3)  # a Thursday
    assert w.week == dt.date(2026, 11, 2)
    ps.set_load(cy.id, dt.date(2026, 11, 2), 25.0, "km", 2, "felt fine")  # same week: replaces
    ps.set_load(cy.id, dt.date(2026, 11, 9), 27.0, "km", 1)
    log = ps.load_log(cy.id)
    assert [(x.week.isoformat(), x.volume, x.pain) for x in log] == [("2026-11-02", 25.0, 2), ("2026-11-09", 27.0, 1)]
    for bad in ((-1, "km", 2), (20, "miles", 2), (20, "km", 11)):
        with pytest.raises(UserError):
            ps.set_load(cy.id, dt.date(2026, 11, 16), *bad)
    ps.delete_load(cy.id, dt.date(2026, 11, 10))
    assert len(ps.load_log(cy.id)) == 1
    assert ps.reassessment(cy.id) is None  # no programme yet
    ps.save_programme(cy.id, prog)  # baseline 2 Nov, due 14 Dec
    r = ps.reassessment(cy.id, today=dt.date(2026, 12, 1))
    assert r.due == dt.date(2026, 12, 14) and r.days_left == 13 and not r.ready
    root = sessions_root()
    make_session_folder(root, "20261210-090000-dddddd", started_utc="2026-12-10T09:00:00Z")
    store.sync()
    store.assign_runner("20261210-090000-dddddd", cy.id)
    r = ps.reassessment(cy.id, today=dt.date(2026, 12, 11))
    assert r.ready and r.session_id == "20261210-090000-dddddd"
