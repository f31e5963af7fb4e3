"""Stations publishing to a clinic store on a real PostgreSQL server (started by the test
run) with a real shared media folder: idempotent publishing, other stations' sessions in
the browser's store, optimistic versioning, and the fault tests — two station processes
publishing at once, the server stopped in the middle of a publish and started again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.session.clinic import open_clinic
from app.session.publish import copy_folder, publish, queue_status, waiting_ids
from app.session.station import StationStore, lookup_session, open_station_store
from app.session.store import EditConflict, open_store
from tests.helpers.clinic_stations import Station, clinic_rows, files_holding, same_tree
from tests.helpers.session_folders import make_session_folder

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def clinic(pg_server, tmp_path):
    if not pg_server.running:
        pg_server.start()
    url = pg_server.create_database()
    media = tmp_path / "share"
    media.mkdir()
    return url, media


# ---------------------------------------------------------------------------- publishing
def test_publish_is_idempotent_and_visible(clinic, tmp_path):
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    a.record("20261101-100000-aaaaa1", 1, "Ann K.", blocks=[(0.0, "baseline", "b"), (0.3, "retention", "r")])
    a.record("20261102-100000-aaaaa2", 2, "Ann K.")
    a.record("20261103-100000-aaaaa3", 3, state="recording", duration_s=None)  # not finished
    with a.store() as local:
        st = queue_status(local)
        assert st.waiting == 2 and st.sentence() == "2 sessions waiting to publish."
        steps = []
        rep = publish(local, a.cfg, progress=lambda step, sid: steps.append((step, sid)))
        assert rep.ok and sorted(rep.published) == ["20261101-100000-aaaaa1", "20261102-100000-aaaaa2"]
        assert queue_status(local).sentence() == "All sessions published to the clinic."
        assert ("media", "20261101-100000-aaaaa1") in steps and ("rows", "20261101-100000-aaaaa1") in steps
        # again: nothing to do, nothing doubled
        assert publish(local, a.cfg).published == ()
        assert publish(local, a.cfg, ["20261101-100000-aaaaa1"]).published == ("20261101-100000-aaaaa1",)
    rows = clinic_rows(url)
    assert [(r["id"], r["station"], r["runner"]) for r in rows] == [
        ("20261101-100000-aaaaa1", "Station-A", "Ann K."), ("20261102-100000-aaaaa2", "Station-A", "Ann K.")]
    for sid in ("20261101-100000-aaaaa1", "20261102-100000-aaaaa2"):
        assert same_tree(a.data / "sessions" / sid, media / sid)
    assert not [p for p in media.iterdir() if p.name.startswith(".incoming")]
    with open_clinic(a.cfg) as c:
        assert [b.kind for b in c.blocks("20261101-100000-aaaaa1")] == ["baseline", "retention"]
        assert c.get_session("20261101-100000-aaaaa1").folder == media / "20261101-100000-aaaaa1"


def test_other_stations_sessions_in_the_browser_store(clinic, tmp_path):
    """Station B sees A's runner and sessions (history, comparison lookup); edits of the
    same session from both stations are versioned: the later one gets a sentence."""
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    b = Station(tmp_path, "Station-B", url, media)
    a.record("20261101-100000-aaaaa1", 1, "Ann K.", cadence_spm=161.0)
    b.record("20261108-100000-bbbbb1", 8, "ann k.", cadence_spm=167.0)  # same runner, typed at B
    b.record("20261109-100000-bbbbb2", 9)  # waiting (not yet published)
    with a.store() as la:
        assert publish(la, a.cfg).ok
    with b.store() as lb:
        assert publish(lb, b.cfg, ["20261108-100000-bbbbb1"]).ok
        sb = open_station_store(lb, b.cfg)
        assert isinstance(sb, StationStore) and "Station-B" in sb.clinic_status
        ann = sb.find_runner("Ann K.")
        assert [r.name for r in sb.list_runners()] == ["Ann K."]  # one runner, matched by name
        sessions = sb.list_sessions()
        assert [(s.id, s.origin, s.station) for s in sessions] == [
            ("20261109-100000-bbbbb2", "local", ""), ("20261108-100000-bbbbb1", "local", "Station-B"),
            ("20261101-100000-aaaaa1", "clinic", "Station-A")]
        assert sessions[0].publish_state == "waiting"
        theirs = sb.get_session("20261101-100000-aaaaa1")
        assert theirs.folder == media / "20261101-100000-aaaaa1" and sb.health(theirs.id).ok
        hist = sb.runner_history(ann.id, ["cadence_spm"])
        assert hist.session_ids == ("20261101-100000-aaaaa1", "20261108-100000-bbbbb1")
        assert hist.values["cadence_spm"] == (161.0, 167.0)
        # the comparison finds the other station's session by id
        os.environ["GAITCOACH_DATA_DIR"], old = str(b.data), os.environ.get("GAITCOACH_DATA_DIR")
        os.environ["GAITCOACH_DB_URL"], old_url = url, os.environ.get("GAITCOACH_DB_URL")
        os.environ["GAITCOACH_MEDIA_DIR"] = str(media)
        try:
            found = lookup_session("20261101-1000")
            assert found is not None and found.folder == media / "20261101-100000-aaaaa1"
        finally:
            for k, v in (("GAITCOACH_DATA_DIR", old), ("GAITCOACH_DB_URL", old_url)):
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
            os.environ.pop("GAITCOACH_MEDIA_DIR", None)

        # both stations edit the notes of A's session, each on the version it showed
        with a.store() as la:
            sa_ = open_station_store(la, a.cfg)
            seen_a = sa_.get_session("20261101-100000-aaaaa1")
            seen_b = sb.get_session("20261101-100000-aaaaa1")
            assert seen_a.version == seen_b.version
            sa_.set_notes(seen_a.id, "hip drop better", expected_version=seen_a.version)
            with pytest.raises(EditConflict, match="changed at another station"):
                sb.set_notes(seen_b.id, "knee sore", expected_version=seen_b.version)
            assert sb.get_session(seen_b.id).notes == "hip drop better"
            assert la.get_session(seen_a.id).notes == "hip drop better"  # A's local copy follows
            sa_.clinic.close()
        # B renames its own published session: clinic and local copy change together
        mine = sb.get_session("20261108-100000-bbbbb1")
        sb.rename_session(mine.id, "week 1", expected_version=mine.version)
        assert lb.get_session(mine.id).name == "week 1"
        assert clinic_rows(url)[1]["name"] == "week 1"
        assert queue_status(lb).waiting == 1  # only the unpublished one
        sb.clinic.close()


def test_offline_edit_is_republished_or_reported_as_conflict(clinic, tmp_path):
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    b = Station(tmp_path, "Station-B", url, media)
    a.record("20261101-100000-aaaaa1", 1)
    a.record("20261102-100000-aaaaa2", 2)
    with a.store() as la:
        assert publish(la, a.cfg).ok
        # offline at A: local edits wait to be published again
        la.rename_session("20261101-100000-aaaaa1", "renamed at A")
        la.rename_session("20261102-100000-aaaaa2", "also at A")
        assert waiting_ids(la) == ["20261101-100000-aaaaa1", "20261102-100000-aaaaa2"]
        # meanwhile B edits the second one in the clinic
        with b.store() as lb:
            sb = open_station_store(lb, b.cfg)
            s2 = sb.get_session("20261102-100000-aaaaa2")
            sb.rename_session(s2.id, "renamed at B", expected_version=s2.version)
            sb.clinic.close()
        rep = publish(la, a.cfg)
        assert rep.published == ("20261101-100000-aaaaa1",)
        assert [sid for sid, _ in rep.conflicts] == ["20261102-100000-aaaaa2"]
        assert "edited at another station" in rep.conflicts[0][1]
        assert queue_status(la).sentence() == "1 with conflicting edits."
    names = {r["id"]: r["name"] for r in clinic_rows(url)}
    assert names == {"20261101-100000-aaaaa1": "renamed at A", "20261102-100000-aaaaa2": "renamed at B"}


def test_runner_edited_while_the_clinic_was_away(clinic, tmp_path):
    """A runner renamed at a station while the clinic was away is published at the next
    connection; renamed at both stations meanwhile, the clinic's name stays and the
    station is told — the local edit is kept, never silently replaced."""
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    b = Station(tmp_path, "Station-B", url, media)
    a.record("20261101-100000-aaaaa1", 1, "Ann K.")
    a.record("20261102-100000-aaaaa2", 2, "Bo")
    with a.store() as la:
        assert publish(la, a.cfg).ok
        with b.store() as lb:
            open_station_store(lb, b.cfg).clinic.close()  # B knows both runners now
            # offline at A: both runners renamed; meanwhile B renames Bo in the clinic
            la.rename_runner(la.find_runner("Ann K.").id, "Anna Kay")
            la.rename_runner(la.find_runner("Bo").id, "Bo (A)")
            sb = open_station_store(lb, b.cfg)
            bo = sb.find_runner("Bo")
            sb.rename_runner(bo.id, "Bo (B)", expected_version=bo.version)
            assert lb.get_runner(bo.id).name == "Bo (B)"
            sb.clinic.close()
        sa_ = open_station_store(la, a.cfg)  # A connects again
        try:
            assert "'Bo (A)' was edited here while the clinic was away and at another station" \
                in sa_.clinic_status
            with open_store(url) as c:
                assert sorted(r.name for r in c.list_runners()) == ["Anna Kay", "Bo (B)"]
            assert sorted(r.name for r in la.list_runners()) == ["Anna Kay", "Bo (A)"]
        finally:
            sa_.clinic.close()
    with b.store() as lb:
        sb = open_station_store(lb, b.cfg)  # B mirrors A's published rename
        assert sorted(r.name for r in lb.list_runners()) == ["Anna Kay", "Bo (B)"]
        sb.clinic.close()


def test_threads_pulling_runners_at_once(clinic, tmp_path):
    """The browser, the background publisher and a comparison pull the clinic's runners
    into one local store at the same moment: no error, every runner here once (same uid,
    same name)."""
    import threading

    from app.session.publish import pull_runners

    url, _media = clinic
    with open_store(url) as c:
        for i in range(12):
            c.add_runner(f"Runner {i:02d}")
        there = {r.uid: r.name for r in c.list_runners()}
    local_db = tmp_path / "local.db"
    open_store(local_db).close()
    start, errors = threading.Barrier(3), []

    def pull() -> None:
        try:
            with open_store(local_db) as loc, open_store(url) as cl:
                start.wait()
                pull_runners(loc, cl)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=pull) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    with open_store(local_db) as loc:
        here = loc.list_runners()
    assert sorted((r.uid, r.name) for r in here) == sorted(there.items())


def test_copy_folder_completes_a_partial_copy(tmp_path):
    src = make_session_folder(tmp_path / "src", "20261101-100000-aaaaa1", started_utc="2026-11-01T10:00:00Z")
    dest = tmp_path / "share" / src.name
    dest.mkdir(parents=True)
    (dest / "session.json").write_text("{}")  # left by an interrupted copy of a file
    copy_folder(src, dest)
    assert same_tree(src, dest)
    copy_folder(src, dest)  # nothing to do the second time
    assert same_tree(src, dest)


# ---------------------------------------------------------------------------- fault tests
def test_two_station_processes_publish_at_once(clinic, tmp_path):
    """Two station processes publish at the same moment (the same runner typed at both):
    every session is in the clinic once, with its media, and the runner once."""
    url, media = clinic
    stations = [Station(tmp_path, n, url, media) for n in ("Station-A", "Station-B")]
    ids = {}
    for k, st in enumerate(stations):
        ids[st.name] = []
        for i in range(6):
            sid = f"202611{i + 1:02d}-1{k}0000-{'ab'[k] * 5}{i}"
            st.record(sid, i + 1, runner=("Ann K.", "Bo", None)[i % 3])
            ids[st.name].append(sid)
    procs = [subprocess.Popen([sys.executable, "-m", "app", "sessions", "publish"], cwd=REPO,
                              env=st.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for st in stations]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "Published 6 sessions" in out
    rows = clinic_rows(url)
    assert sorted(r["id"] for r in rows) == sorted(ids["Station-A"] + ids["Station-B"])  # once each
    assert {r["id"]: r["station"] for r in rows} == {
        sid: st for st, sids in ids.items() for sid in sids}
    with open_store(url) as c:
        assert sorted(r.name for r in c.list_runners()) == ["Ann K.", "Bo"]
    for st in stations:
        for sid in ids[st.name]:
            assert same_tree(st.data / "sessions" / sid, media / sid)
        with st.store() as local:
            assert queue_status(local).waiting == 0
    assert not [p for p in media.iterdir() if p.name.startswith(".")]
    # both again at once: nothing changes
    procs = [subprocess.Popen([sys.executable, "-m", "app", "sessions", "publish"], cwd=REPO,
                              env=st.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for st in stations]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and "Published 0 sessions" in out, err
    assert len(clinic_rows(url)) == 12
    password = url.split(":")[2].split("@")[0]
    assert files_holding(password, tmp_path) == []  # stores, outbox, settings, media


def test_server_stopped_mid_publish_then_back(clinic, pg_server, tmp_path):
    """The server goes away after the first session's media were copied and before its
    rows: nothing is lost, the sessions wait with a back-off and are published once
    the server is back."""
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    sids = [f"2026110{i}-100000-aaaaa{i}" for i in (1, 2, 3)]
    for i, sid in enumerate(sids):
        a.record(sid, i + 1, "Ann K.")

    def stop_server(step: str, sid: str) -> None:
        if step == "rows" and sid == sids[0] and pg_server.running:
            pg_server.stop("immediate")

    try:
        with a.store() as local:
            rep = publish(local, a.cfg, progress=stop_server)
            assert rep.published == () and "cannot be reached" in rep.unreachable
            assert pg_server.password not in rep.unreachable
            st = queue_status(local)
            assert st.waiting == 3 and "cannot be reached" in st.last_error and st.next_try_utc
            assert waiting_ids(local, due_only=True) == []  # backing off
            # the command line says so in one sentence, exit 1
            r = a.cli("publish", timeout=120)
            assert r.returncode == 1 and "cannot be reached" in r.stderr
            assert "3 sessions waiting to publish" in r.stderr and "Traceback" not in r.stderr
            assert pg_server.password not in r.stdout + r.stderr
            # the recording station still works: list shows them waiting
            r = a.cli("list")
            assert r.returncode == 0 and "cannot be reached" in r.stderr and sids[0] in r.stdout
    finally:
        pg_server.start()
    pg_server.wait_ready()
    r = a.cli("publish")
    assert r.returncode == 0, r.stderr
    assert "Published 3 sessions" in r.stdout
    rows = clinic_rows(url)
    assert [x["id"] for x in rows] == sids  # each once
    for sid in sids:
        assert same_tree(a.data / "sessions" / sid, media / sid)
    assert not [p for p in media.iterdir() if p.name.startswith(".")]
    with a.store() as local:
        assert queue_status(local).waiting == 0
    assert files_holding(pg_server.password, tmp_path) == []  # the outbox's errors included


def test_cli_list_shows_all_stations(clinic, tmp_path):
    url, media = clinic
    a = Station(tmp_path, "Station-A", url, media)
    b = Station(tmp_path, "Station-B", url, media)
    a.record("20261101-100000-aaaaa1", 1, "Ann K.")
    b.record("20261102-100000-bbbbb1", 2)
    b.record("20261103-100000-bbbbb2", 3)
    assert a.cli("publish").returncode == 0
    assert b.cli("publish", "20261102").returncode == 0
    r = b.cli("list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "1 session waiting to publish" in lines[0] and "Station-B" in lines[0]
    assert "***" in lines[0] or "@" not in lines[0]  # the URL without its password
    row = {l.split()[0]: l for l in lines[2:]}
    assert "Station-A" in row["20261101-100000-aaaaa1"] and "Ann K." in row["20261101-100000-aaaaa1"]
    assert "Station-B" in row["20261102-100000-bbbbb1"]
    assert "waiting to publish" in row["20261103-100000-bbbbb2"]
    r = b.cli("show", "20261101")
    assert r.returncode == 0 and "Station-A" in r.stdout and str(media) in r.stdout
    # a session that was never published cannot be named for publishing when unfinished
    assert json.loads((b.data / "sessions" / "20261103-100000-bbbbb2" / "session.json").read_text())
