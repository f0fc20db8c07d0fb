"""A byte-reproducible zip of the handler code, and its content address.

``sam package`` walks the tree unsorted, so the same sources give different
zip bytes (and a different Lambda CodeSha256) on another machine. Here the
entries are sorted, every timestamp is 1980-01-01 and every mode 0644.

Python files ship as ``python -OO`` would see them: comments and docstrings
are dropped (a docstring becomes ``""``) but every code line keeps its line
number and text, so a traceback from Lambda points at the same line in the
repository. ``strip_source`` checks that the stripped module parses to the
same syntax tree, positions included, before it is shipped.

Entries are stored, not deflated, by the standard library's ``zipfile``:
deflate output depends on which zlib (zlib or zlib-ng, e.g. CPython 3.14 on
Windows) the interpreter links, stored bytes do not. Same sources, same bytes
on any machine; the few tens of KB more cost nothing measurable in an S3
upload or a Lambda cold start (``bench/artifact.py`` reports the size).

The S3 key is the sha256 of the zip bytes, which is also what Lambda reports
as ``CodeSha256`` (base64), so a deployed function can be checked against
the artifact that was built.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import re
import tokenize
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


def _docstrings(tree: ast.AST) -> Iterator[ast.Expr]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                yield first


def _shape(tree: ast.AST) -> str:
    """The tree with docstrings emptied and end positions dropped (they may move)."""
    for node in _docstrings(tree):
        node.value.value = ""
    for node in ast.walk(tree):
        for name in ("end_lineno", "end_col_offset"):
            if hasattr(node, name):
                setattr(node, name, None)
    return ast.dump(tree, include_attributes=True)


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")


def strip_source(source: str) -> str:
    """``source`` without comments and docstrings, every code line where it was."""
    lines = source.splitlines(keepends=True)
    edits = []  # (first row, first column, last row, last column, replacement), 1-based rows

    def column(row: int, byte_offset: int) -> int:  # ast columns count UTF-8 bytes
        return len(lines[row - 1].encode("utf-8")[:byte_offset].decode("utf-8"))

    original = ast.parse(source)
    for node in _docstrings(original):
        end_row, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
        end_col = column(end_row, end_col)
        if lines[end_row - 1][end_col:].strip():
            continue  # code after the docstring on its last line: leave it alone
        edits.append((node.lineno, column(node.lineno, node.col_offset), end_row, end_col, '""'))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and not (
            token.start[0] <= 2 and _CODING.match(lines[token.start[0] - 1])
        ):
            edits.append((*token.start, *token.end, ""))
    for first_row, first_col, last_row, last_col, replacement in sorted(edits, reverse=True):
        head = lines[first_row - 1][:first_col] + replacement
        tail = lines[last_row - 1][last_col:]
        newline = tail[len(tail.rstrip("\r\n")) :]
        blank = ["\n"] * (last_row - first_row)  # keep the line count
        lines[first_row - 1 : last_row] = [head.rstrip() + newline, *blank]
    stripped = "".join(lines)
    if _shape(ast.parse(stripped)) != _shape(original):
        raise ValueError("stripping comments and docstrings changed the code")  # a bug here
    return stripped


def shipped_bytes(name: str, path: Path) -> bytes:
    """What goes into the zip for one file: Python stripped, anything else as is."""
    data = path.read_bytes()
    if not name.endswith(".py"):
        return data
    return strip_source(data.decode("utf-8")).encode("utf-8")


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A stored zip of ``(name, data)`` entries, with fixed timestamps and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_artifact(functions_dir: Path | str) -> Artifact:
    """Zip ``functions_dir`` (its root becomes the Lambda import root)."""
    root = Path(functions_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"handler code folder not found: {root}")
    data = _zip([(name, shipped_bytes(name, path)) for name, path in shipped_files(root)])
    return Artifact(data=data, sha256=hashlib.sha256(data).hexdigest())
