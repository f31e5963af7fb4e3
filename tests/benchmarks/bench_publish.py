"""Publishing under faults, with figures (issue 14): two station processes publishing at
once, round after round, and the clinic's PostgreSQL server stopped at different moments
of a publish and started again. A real server (``tests/helpers/pg_server.py``, 127.0.0.1
only) and real session folders; what is counted is what the tests assert once:

* two stations: every session in the clinic exactly once, with its station, its media
  identical to the station's folder, every runner once (the same names are typed at both
  stations), nothing left waiting, no half-copied folder on the share;
* server stopped: where (before a session's media are copied, before its rows, in the
  middle of its row transaction, between two sessions) and how (``immediate``: as a crash
  or power cut; ``fast``: an administrator's stop); the publish run reports the clinic
  unreachable in one sentence, ``sessions publish`` retries (1, 2, 4 s) and exits 1 while
  it is away, its last line saying so and how many sessions wait, and once it is back
  one ``sessions publish`` publishes everything exactly once.

Run: ``.venv/bin/python -m tests.benchmarks.bench_publish [--rounds 5] [--sessions 6]
[--json OUT]`` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.session.publish import publish, queue_status
from app.session.store import open_store
from tests.helpers.clinic_stations import REPO, Station, clinic_rows, files_holding, same_tree
from tests.helpers.pg_server import PgServer

RUNNERS = ("Ann K.", "Bo", "Cy", None)
#: (step of publish_one at which the server is stopped, session index, wait for the stop, mode)
STOPS = (
    ("media", 0, True, "immediate"),   # before the first session's media are copied
    ("rows", 0, True, "immediate"),    # media copied, rows not written
    ("rows", 1, False, "immediate"),   # stopped while the row transaction runs
    ("rows", 2, False, "fast"),
    ("done", 1, True, "immediate"),    # between two sessions
    ("done", 2, False, "fast"),
)


def _publish_at_once(stations: list[Station]) -> tuple[list[int], float, list[str]]:
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "app", "sessions", "publish"], cwd=REPO,
                              env=st.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for st in stations]
    outs = [p.communicate(timeout=600) for p in procs]
    return [p.returncode for p in procs], time.perf_counter() - t0, [o + e for o, e in outs]


def two_stations(server: PgServer, root: Path, rounds: int, per_round: int) -> dict:
    url = server.create_database()
    media = root / "share"
    media.mkdir(parents=True)
    stations = [Station(root, n, url, media) for n in ("Station-A", "Station-B")]
    expected: dict[str, str] = {}
    codes, walls = [], []
    for r in range(rounds):
        for k, st in enumerate(stations):
            for i in range(per_round):
                sid = f"2026{r + 1:02d}{i + 1:02d}-1{k}0000-{'ab'[k] * 5}{i}"
                st.record(sid, i + 1, runner=RUNNERS[(i + r) % len(RUNNERS)])
                expected[sid] = st.name
        rc, wall, _ = _publish_at_once(stations)
        codes += rc
        walls.append(wall)
    rows = clinic_rows(url)
    ids = [x["id"] for x in rows]
    with open_store(url) as c:
        runner_names = [x.name for x in c.list_runners()]
    waiting = 0
    for st in stations:
        with st.store() as local:
            waiting += queue_status(local).waiting
    return {
        "rounds": rounds, "sessions": len(expected), "exit_codes_nonzero": sum(1 for c in codes if c),
        "in_clinic": len(set(ids) & set(expected)), "lost": len(set(expected) - set(ids)),
        "duplicated": len(ids) - len(set(ids)), "foreign": len(set(ids) - set(expected)),
        "wrong_station": sum(1 for x in rows if expected.get(x["id"]) not in (None, x["station"])),
        "media_identical": sum(same_tree(st.data / "sessions" / sid, media / sid)
                               for st in stations for sid, name in expected.items() if name == st.name),
        "runners": len(runner_names), "runner_names_distinct": len({n.lower() for n in runner_names}),
        "left_waiting": waiting, "hidden_on_share": len([p for p in media.iterdir() if p.name.startswith(".")]),
        "files_with_password": len(files_holding(server.password, root)),
        "wall_s": [round(w, 1) for w in walls],
    }


def server_stopped(server: PgServer, root: Path, where: tuple, n_sessions: int = 4) -> dict:
    step, index, wait, mode = where
    if not server.running:
        server.start()
    url = server.create_database()
    media = root / "share"
    media.mkdir(parents=True)
    st = Station(root, "Station-A", url, media)
    sids = [f"2026110{i + 1}-100000-aaaaa{i}" for i in range(n_sessions)]
    for i, sid in enumerate(sids):
        st.record(sid, i + 1, RUNNERS[i % len(RUNNERS)])
    stopper: list[threading.Thread] = []

    def hook(s: str, sid: str) -> None:
        if s == step and sid == sids[index] and not stopper:
            t = threading.Thread(target=server.stop, args=(mode,))
            stopper.append(t)
            t.start()
            if wait:
                t.join()

    try:
        with st.store() as local:
            rep = publish(local, st.cfg, progress=hook)
        for t in stopper:
            t.join()
        while_away = st.cli("publish", timeout=300)
    finally:
        t0 = time.perf_counter()
        server.start()
        server.wait_ready()
    back = st.cli("publish", timeout=300)
    after_s = time.perf_counter() - t0
    rows = clinic_rows(url)
    ids = [x["id"] for x in rows]
    with st.store() as local:
        waiting = queue_status(local).waiting
    return {
        "stopped": f"{mode} at '{step}' of session {index + 1}" + ("" if wait else " (not waited for)"),
        "published_before_stop": len(rep.published), "unreachable_said": bool(rep.unreachable),
        "cli_while_away_exit": while_away.returncode,
        "cli_while_away_said": "cannot be reached" in (while_away.stderr.strip().splitlines() or [""])[-1]
        and "waiting to publish" in while_away.stderr and "Traceback" not in while_away.stderr,
        "cli_after_restart_exit": back.returncode, "restart_to_published_s": round(after_s, 1),
        "sessions": n_sessions, "in_clinic": len(set(ids) & set(sids)), "duplicated": len(ids) - len(set(ids)),
        "media_identical": sum(same_tree(st.data / "sessions" / s, media / s) for s in sids),
        "left_waiting": waiting, "hidden_on_share": len([p for p in media.iterdir() if p.name.startswith(".")]),
        "password_in_output": server.password in (while_away.stdout + while_away.stderr + back.stdout + back.stderr),
        "files_with_password": len(files_holding(server.password, root)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sessions", type=int, default=6, help="sessions per station and round")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    server = PgServer()
    results: dict = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
            tmp = Path(tmp)
            a = two_stations(server, tmp / "two", args.rounds, args.sessions)
            results["two_stations"] = a
            print(f"two stations publishing at once, {a['rounds']} rounds: {a['sessions']} sessions, "
                  f"{a['in_clinic']} in the clinic, {a['lost']} lost, {a['duplicated']} duplicated, "
                  f"{a['wrong_station']} with the wrong station, {a['media_identical']}/{a['sessions']} media "
                  f"identical; {a['runners']} runners for {a['runner_names_distinct']} names; "
                  f"{a['left_waiting']} left waiting, {a['hidden_on_share']} half-copied folders, "
                  f"{a['exit_codes_nonzero']} non-zero exits, {a['files_with_password']} files with the "
                  f"password; each round {min(a['wall_s'])}-{max(a['wall_s'])} s")
            results["server_stopped"] = []
            for k, where in enumerate(STOPS):
                b = server_stopped(server, tmp / f"stop{k}", where)
                results["server_stopped"].append(b)
                ok = (b["in_clinic"] == b["sessions"] and not b["duplicated"] and not b["left_waiting"]
                      and b["media_identical"] == b["sessions"] and not b["hidden_on_share"]
                      and b["unreachable_said"] and b["cli_while_away_exit"] == 1 and b["cli_while_away_said"]
                      and b["cli_after_restart_exit"] == 0 and not b["password_in_output"]
                      and not b["files_with_password"])
                print(f"server stopped {b['stopped']}: {b['published_before_stop']} published before, "
                      f"unreachable said: {b['unreachable_said']}; 'sessions publish' while away exit "
                      f"{b['cli_while_away_exit']} (last line says unreachable and waiting: {b['cli_while_away_said']}); "
                      f"after restart exit {b['cli_after_restart_exit']} in {b['restart_to_published_s']} s: "
                      f"{b['in_clinic']}/{b['sessions']} in the clinic, {b['duplicated']} duplicated, "
                      f"{b['media_identical']}/{b['sessions']} media identical, {b['left_waiting']} waiting, "
                      f"{b['hidden_on_share']} half-copied, password shown: {b['password_in_output']}, "
                      f"files with it: {b['files_with_password']} -> {'OK' if ok else 'FAULT'}", flush=True)
    finally:
        server.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
