"""Timing and reporting helpers shared by the benchmark scripts.

Every figure is a median over repeated runs with its min and max, so one
noisy run cannot make a goal look met or missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@dataclass(frozen=True)
class Sample:
    """Repeated measurements of one thing, in milliseconds."""

    label: str
    values_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values_ms)

    @property
    def minimum(self) -> float:
        return min(self.values_ms)

    @property
    def maximum(self) -> float:
        return max(self.values_ms)


def _run_checked(argv: Sequence[str], env: dict[str, str] | None) -> tuple[float, float, bytes]:
    """Run one fresh process; its start and end on ``time.monotonic`` and its stdout.

    A failing process is an error, never a fast sample.
    """
    start = time.monotonic()
    completed = subprocess.run(list(argv), capture_output=True, env=env, check=False)
    end = time.monotonic()
    if completed.returncode != 0:
        raise RuntimeError(
            f"{argv[0]} exited {completed.returncode}: {completed.stderr.decode()[-800:]}"
        )
    return start, end, completed.stdout


def time_process(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall-clock milliseconds of ``runs`` fresh processes, each checked for success."""
    durations = []
    for _ in range(runs):
        start, end, _ = _run_checked(argv, env)
        durations.append((end - start) * 1000)
    return durations


def time_process_to_mark(
    argv: Sequence[str], env: dict[str, str] | None = None
) -> tuple[float, float]:
    """One fresh process: milliseconds until it exited, and until it printed its mark.

    The process's last line on stdout must be ``time.monotonic()`` read at the
    moment worth marking (say, its answer is ready): the second figure leaves
    out what comes after it, such as interpreter shutdown. ``time.monotonic``
    is one system-wide clock, so the parent's and the child's readings compare.
    """
    start, end, stdout = _run_checked(argv, env)
    mark = float(stdout.decode().strip().splitlines()[-1])
    return (end - start) * 1000, (mark - start) * 1000


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain Markdown table, so output can be pasted into the README."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
