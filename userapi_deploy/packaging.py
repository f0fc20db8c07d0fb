"""A byte-reproducible zip of the handler code, and its content address.

``sam package`` walks the tree unsorted, so the same sources give different
zip bytes (and a different Lambda CodeSha256) on another machine. Here the
entries are sorted, every timestamp is 1980-01-01 and every mode 0644, and
the entries are STORED (not deflated): deflate output depends on the zlib
build (zlib vs zlib-ng), so only STORED is identical on every machine. The
handlers are a few KB of stdlib-only Python, so the size cost is small.

The S3 key is the sha256 of the zip bytes, which is also what Lambda reports
as ``CodeSha256`` (base64), so a deployed function can be checked against
the artifact that was built.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The earliest timestamp a zip entry can hold; fixed so bytes never depend on mtimes.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Regular file, rw-r--r--: Lambda only needs to read the code.
FILE_MODE = 0o100644
#: Directory names never shipped: caches, tests, VCS and tool droppings.
EXCLUDED_DIRS = frozenset(
    {"__pycache__", "tests", "test", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"}
)
#: File suffixes never shipped (compiled bytecode is rebuilt by Lambda).
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
#: Prefix of artifact keys in the bucket (lifecycle rules select on it).
ARTIFACT_PREFIX = "artifacts/"


@dataclass(frozen=True)
class Artifact:
    """The zip bytes and their sha256 (hex)."""

    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        """Bytes in the zip."""
        return len(self.data)

    @property
    def key(self) -> str:
        """The content-addressed S3 key: same bytes, same key, one upload ever."""
        return f"{ARTIFACT_PREFIX}{self.sha256}.zip"

    @property
    def code_sha256(self) -> str:
        """What Lambda reports as ``CodeSha256`` for a function built from this zip."""
        return base64.b64encode(bytes.fromhex(self.sha256)).decode("ascii")


def _is_shipped(relative: Path) -> bool:
    if any(part in EXCLUDED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
        return False
    name = relative.name
    if name.startswith(".") or name.endswith(EXCLUDED_SUFFIXES):
        return False
    return not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")


def shipped_files(functions_dir: Path) -> Iterator[tuple[str, Path]]:
    """``(archive name, path)`` of every file that goes into the zip, sorted by name."""
    files = []
    for path in functions_dir.rglob("*"):
        if path.is_file():
            relative = path.relative_to(functions_dir)
            if _is_shipped(relative):
                files.append((relative.as_posix(), path))
    yield from sorted(files)


def build_artifact(functions_dir: Path | str) -> Artifact:
    """Zip ``functions_dir`` (its root becomes the Lambda import root)."""
    root = Path(functions_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"handler code folder not found: {root}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in shipped_files(root):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so external_attr holds the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, path.read_bytes())
    data = buffer.getvalue()
    return Artifact(data=data, sha256=hashlib.sha256(data).hexdigest())
