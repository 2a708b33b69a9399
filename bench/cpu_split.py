"""Whose CPU one request takes under load: wrk's, gunicorn's workers' and PostgreSQL's, per scenario.

    .venv/bin/python bench/cpu_split.py [bare|"module page"|"quiz autosave"|…]… [--seconds 10]
                                        [--database-url URL]

Same set-up as ``bench/http_pages.py`` (gunicorn, 2 sync workers, a seeded database, a logged-in learner, wrk
at 32 connections; "bare" is the bare Flask route, "quiz autosave" the prepared learners each saving their own
attempt). While wrk drives a scenario, the CPU time each process used is read from ``/proc`` before and
after, and divided by the requests answered: µs of the machine per request, by process. On a machine whose
cores are all busy, requests/s is the machine's time divided by that sum; the split says where a change
must come from (the worker's Python and driver, or the database server's statement), which a ratio to the
bare route cannot. Linux only.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.databases import throwaway_database
from bench.http_pages import SIZES, gunicorn, scenarios_for, seed, server_env, settle, wrk
from bench.http_posts import prepare

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (0 for one that is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def workers_of(server: subprocess.Popen) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]


def postgres_processes() -> dict[int, str]:
    """PostgreSQL's processes by pid: 'backend' for a client's connection, else the process's own name."""
    found = {}
    for process in Path("/proc").iterdir():
        try:
            if not process.name.isdigit() or (process / "comm").read_text().strip() != "postgres":
                continue
            pid, title = int(process.name), (process / "cmdline").read_text().replace("\0", " ").strip()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # "postgres: <cluster>: walwriter" for the server's own processes, "postgres: <cluster>: <user>
        # <database> <address> <state>" for a client's connection; the postmaster keeps its command line.
        if not title.startswith("postgres:"):
            found[pid] = "postmaster"
            continue
        own = title.split(": ", 2)[-1]
        found[pid] = next((name for name in _SERVER_PROCESSES if own.startswith(name)), "backend")
    return found


_SERVER_PROCESSES = ("checkpointer", "background writer", "walwriter", "autovacuum", "logical replication",
                     "stats collector", "archiver")


def split(run: Callable[[], dict], workers: Callable[[], list[int]]) -> tuple[dict, dict[str, float]]:
    """wrk's figures, and µs of CPU per request by process group while it ran."""
    before_pg = {pid: (name, cpu_seconds(pid)) for pid, name in postgres_processes().items()}
    before_workers = {pid: cpu_seconds(pid) for pid in workers()}
    before_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = run()
    after_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = figures["requests"]
    used = {"wrk": (after_wrk.ru_utime + after_wrk.ru_stime) - (before_wrk.ru_utime + before_wrk.ru_stime),
            "workers": sum(cpu_seconds(pid) - before_workers.get(pid, 0.0) for pid in workers())}
    for pid, name in postgres_processes().items():
        key = f"postgres {name}"
        used[key] = used.get(key, 0.0) + cpu_seconds(pid) - before_pg.get(pid, (name, 0.0))[1]
    return figures, {name: 1e6 * seconds / requests for name, seconds in used.items() if seconds * 1e6 >= requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=["bare", "module page"])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "split") as url:
        seed(url, SIZES["S"])
        env = server_env(url, tmp)
        with gunicorn("bench.bare:app", env, 2) as (bare_base, bare_server), \
                gunicorn("app:create_app()", env, 2) as (base, server):
            catalog = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40}).extensions["leerlijn.catalog"]
            scenarios, cookie = scenarios_for(base, catalog)
            saves = prepare(url, env["SECRET_KEY"], 150, 0)[2] if "quiz autosave" in args.scenarios else []
            settle(url)
            for name in args.scenarios:
                serving = bare_server if name == "bare" else server
                if name == "bare":
                    def load(seconds: int) -> dict:
                        return wrk(bare_base + "/", cookie=None, duration=seconds, connections=32)
                elif name == "quiz autosave":
                    def load(seconds: int) -> dict:
                        return wrk(base, cookie=None, posts=saves, cycle=True, duration=seconds, connections=32)
                else:
                    path, body = scenarios[name]
                    sent = None if name.endswith("(anonymous)") else cookie

                    def load(seconds: int, path: str = path, body: str | None = body,
                             sent: str | None = sent) -> dict:
                        return wrk(base + path, cookie=sent, body=body, duration=seconds, connections=32)
                load(2)  # each worker's first visits
                figures, per_request = split(lambda load=load: load(args.seconds),
                                             lambda serving=serving: workers_of(serving))
                shown = ", ".join(f"{group} {us:.0f}" for group, us in sorted(per_request.items()))
                print(f"{name}: {figures['rps']:.0f} requests/s; CPU µs per request: {shown} "
                      f"(sum {sum(per_request.values()):.0f})", flush=True)


if __name__ == "__main__":
    main()
