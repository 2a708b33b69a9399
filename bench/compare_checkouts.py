"""Two checkouts of Leerlijn over HTTP side by side: the same pages, alternately, with the bare route between.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/compare_checkouts.py /tmp/before ["module page" "course overview" …]
                                                [--database-url URL] [--rounds 3]

On a shared machine the bare route moves by a fifth within minutes, so two ``http_pages.py`` runs a few
minutes apart cannot tell a 10 % change from the machine's noise. Here both checkouts (the given one and
this one) are served at once by gunicorn with the same settings, on one seeded database (this checkout
migrates it: the other must work with the same schema) and with one logged-in learner; each round measures
the bare route, the other checkout and this one in turn, and the medians of the rounds are compared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.databases import throwaway_database
from bench.http_pages import SIZES, gunicorn, scenarios_for, seed, server_env, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout (a git worktree)")
    parser.add_argument("scenarios", nargs="*", default=["module page"])
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "compare") as url:
        seed(url, SIZES["S"])
        env = server_env(url, tmp)
        with gunicorn("app:create_app()", env, 2, args.other.resolve()) as (other, _), \
                gunicorn("app:create_app()", env, 2) as (this, _), gunicorn("bench.bare:app", env, 2) as (bare, _):
            catalog = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40}).extensions["leerlijn.catalog"]
            scenarios, cookie = scenarios_for(this, catalog)
            for name in args.scenarios:
                path, body = scenarios[name]
                runs: dict[str, list[float]] = {"bare": [], "other": [], "this": []}
                for _ in range(args.rounds):
                    for label, base in (("bare", bare), ("other", other), ("this", this)):
                        target = (base + "/", None, None) if label == "bare" else (base + path, cookie, body)
                        wrk(target[0], cookie=target[1], body=target[2], duration=1, connections=32)  # warm-up
                        runs[label].append(wrk(target[0], cookie=target[1], body=target[2],
                                               duration=args.duration, connections=32)["rps"])
                median = {label: statistics.median(values) for label, values in runs.items()}
                print(f"{name}: bare {median['bare']:.0f} req/s; other {median['other']:.0f} "
                      f"({median['other'] / median['bare']:.1%}); this {median['this']:.0f} "
                      f"({median['this'] / median['bare']:.1%}); this/other {median['this'] / median['other']:.3f}"
                      f"  (rounds: {runs})")


if __name__ == "__main__":
    main()
