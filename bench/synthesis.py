"""Synthesis time: ``python -m userapi_stack`` as a fresh process (goal: under 1 s).

Run: ``.venv/bin/python bench/synthesis.py [--runs 10]``
"""

from __future__ import annotations

import argparse
import sys

from stats import REPO_ROOT, Sample, print_table, time_process

GOAL_MS = 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes to time")
    args = parser.parse_args(argv)
    floor = Sample(
        "python -c pass (interpreter floor)",
        tuple(time_process([sys.executable, "-c", "pass"], args.runs)),
    )
    synth = Sample(
        "python -m userapi_stack",
        tuple(
            time_process(
                [sys.executable, "-m", "userapi_stack", "--output", "/dev/null"], args.runs
            )
        ),
    )
    print(f"Synthesis, {args.runs} fresh processes each (cwd {REPO_ROOT})")
    print_table(
        ["command", "median ms", "min ms", "max ms", "ratio to floor", "goal"],
        [
            (
                floor.label,
                f"{floor.median:.0f}",
                f"{floor.minimum:.0f}",
                f"{floor.maximum:.0f}",
                "1.00",
                "",
            ),
            (
                synth.label,
                f"{synth.median:.0f}",
                f"{synth.minimum:.0f}",
                f"{synth.maximum:.0f}",
                f"{synth.median / floor.median:.2f}",
                f"< {GOAL_MS:.0f} ms: {'met' if synth.median < GOAL_MS else 'MISSED'}",
            ),
        ],
    )
    return 0 if synth.median < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
