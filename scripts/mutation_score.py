"""Mutation score per module from mutmut's results; exit 1 below the target (called by scripts/mutation-test).

A mutant counts as killed when a test failed or timed out on it. Survivors and mutants no test reaches
count against the score, except the equivalent mutants of the allow-list: a change that cannot alter
behaviour (each listed with a one-line reason, reviewed like code). A listed mutant that no longer
survives is reported, so the list does not rot.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed", "timeout", "segfault", "caught by type check"}


def read_allow_list(path: Path) -> dict[str, str]:
    """Mutant name -> reason, from lines ``name  # reason``; a line without a reason is an error."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        if not reason.strip():
            sys.exit(f"{path}:{number}: an equivalent mutant needs a one-line reason after '#'")
        allowed[name.strip()] = reason.strip()
    return allowed


def mutant_statuses() -> dict[str, str]:
    output = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], check=True,
                            capture_output=True, text=True).stdout
    statuses = {}
    for line in output.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status
    return statuses


def module_of(mutant: str) -> str:
    """``course.quiz.grading.x_passes__mutmut_3`` -> ``course.quiz.grading``."""
    return mutant.split(".x_", 1)[0].split(".xǁ", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", type=float, default=90.0, help="minimum percentage killed")
    parser.add_argument("--allow", type=Path, required=True, help="the allow-list of equivalent mutants")
    parser.add_argument("only", nargs="*", help="mutant globs the run was limited to")
    args = parser.parse_args()

    allowed = read_allow_list(args.allow)
    statuses = mutant_statuses()
    if args.only:
        statuses = {m: s for m, s in statuses.items() if any(fnmatch.fnmatch(m, g) for g in args.only)}
    if not statuses:
        print("no mutants were tested", file=sys.stderr)
        return 1

    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    missed: list[tuple[str, str]] = []
    for mutant, status in sorted(statuses.items()):
        counts = per_module[module_of(mutant)]
        if status in KILLED:
            counts["killed"] += 1
        elif mutant in allowed:
            counts["equivalent"] += 1
        else:
            counts["missed"] += 1
            missed.append((mutant, status))

    print(f"{'module':40} {'killed':>7} {'missed':>7} {'equiv.':>7} {'score':>7}")
    for module, counts in sorted(per_module.items()):
        relevant = counts["killed"] + counts["missed"]
        score = 100 * counts["killed"] / relevant if relevant else 100.0
        flag = "  < target" if score < args.target else ""
        print(f"{module:40} {counts['killed']:7} {counts['missed']:7} {counts['equivalent']:7} {score:6.1f}%{flag}")
    total_killed = sum(c["killed"] for c in per_module.values())
    total_relevant = total_killed + sum(c["missed"] for c in per_module.values())
    total = 100 * total_killed / total_relevant if total_relevant else 100.0
    print(f"{'all':40} {total_killed:7} {total_relevant - total_killed:7} "
          f"{sum(c['equivalent'] for c in per_module.values()):7} {total:6.1f}%")

    stale = sorted(m for m in allowed if m in statuses and statuses[m] in KILLED)
    for mutant in stale:
        print(f"note: {mutant} is in the allow-list but was killed; remove it")
    if missed:
        print("\nmutants no test kills (see one with: .venv/bin/mutmut show <name>):")
        for mutant, status in missed:
            print(f"  {mutant}: {status}")
    if total < args.target:
        print(f"\nFAILED: {total:.1f} % of the behaviour-changing mutants killed; the target is {args.target:g} %")
        return 1
    print(f"\nOK: {total:.1f} % of the behaviour-changing mutants killed (target {args.target:g} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
