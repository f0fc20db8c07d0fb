"""Handler artifact: its size (reported, no goal) and byte-identical across builds.

Builds the zip ``scripts/deploy.py`` uploads (``userapi_deploy.packaging``)
from functions/ and from two copies in other temp directories (one copied in
reverse order with other mtimes and modes), and compares their sha256.

Run: ``.venv/bin/python bench/artifact.py [--runs 10]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

from stats import REPO_ROOT, Sample, print_table

from userapi_deploy.packaging import build_artifact, shipped_bytes, shipped_files

FUNCTIONS_DIR = REPO_ROOT / "functions"


def _copy(source: Path, target: Path, reverse: bool) -> Path:
    """A copy of ``source`` made in another order, with other mtimes and modes."""
    files = sorted((p for p in source.rglob("*") if p.is_file()), reverse=reverse)
    for number, path in enumerate(files):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        os.utime(destination, (1_600_000_000 + number, 1_600_000_000 + number))
        destination.chmod(0o755 if reverse else 0o600)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="builds to time")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        sources = {
            "functions/": FUNCTIONS_DIR,
            "copy A (sorted)": _copy(FUNCTIONS_DIR, Path(one) / "functions", reverse=False),
            "copy B (reversed)": _copy(FUNCTIONS_DIR, Path(two) / "x" / "code", reverse=True),
        }
        digests = {label: build_artifact(path).sha256 for label, path in sources.items()}
    durations = []
    for _ in range(args.runs):
        start = time.perf_counter()
        artifact = build_artifact(FUNCTIONS_DIR)
        durations.append((time.perf_counter() - start) * 1000)
    build = Sample("build_artifact(functions/)", tuple(durations))

    files = list(shipped_files(FUNCTIONS_DIR))
    raw = sum(path.stat().st_size for _, path in files)
    stripped = sum(len(shipped_bytes(name, path)) for name, path in files)
    zlib9 = sum(len(zlib.compress(shipped_bytes(name, path), 9)) - 6 for name, path in files)
    same = len(set(digests.values())) == 1

    print(f"Handler artifact ({len(files)} files from functions/)\n")
    print_table(
        ["what", "bytes", "ratio to stripped"],
        [
            ("sources as written", f"{raw:,}", f"{raw / stripped:.2f}"),
            ("sources without comments and docstrings", f"{stripped:,}", "1.00"),
            (
                "zlib level 9 of those, no zip headers (what deflate would give)",
                f"{zlib9:,}",
                f"{zlib9 / stripped:.2f}",
            ),
            (
                "**the zip** (stored entries + zipfile headers)",
                f"{artifact.size:,}",
                f"{artifact.size / stripped:.2f}",
            ),
        ],
    )
    print()
    print_table(
        ["build", "sha256", "goal"],
        [
            (label, digest[:16] + "...", "identical: " + ("met" if same else "MISSED"))
            for label, digest in digests.items()
        ],
    )
    print()
    print_table(
        ["timing", "median ms", "min ms", "max ms"],
        [
            (
                f"{build.label}, {args.runs} runs",
                f"{build.median:.1f}",
                f"{build.minimum:.1f}",
                f"{build.maximum:.1f}",
            )
        ],
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
