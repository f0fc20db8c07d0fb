"""The artifact is byte-reproducible, stored and content-addressed (userapi_deploy.packaging)."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

from userapi_deploy.packaging import ZIP_EPOCH, build_artifact, strip_source

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"


def _copy_in_reverse_order(source: Path, target: Path) -> None:
    """Copy files newest-name-first so directory order differs from the original."""
    files = sorted((p for p in source.rglob("*") if p.is_file()), reverse=True)
    for path in files:
        if "__pycache__" in path.parts:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def test_zip_is_byte_identical_across_two_builds_in_different_directories(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "functions", tmp_path / "b" / "elsewhere"
    shutil.copytree(FUNCTIONS_DIR, first, ignore=shutil.ignore_patterns("__pycache__"))
    _copy_in_reverse_order(FUNCTIONS_DIR, second)
    # Different mtimes, modes and junk that must not ship.
    for path in second.rglob("*.py"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
        path.chmod(0o755)
    (second / "users" / "__pycache__").mkdir()
    (second / "users" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"junk")
    (second / "tests").mkdir()
    (second / "tests" / "test_x.py").write_text("def test(): pass\n")
    (second / "users" / "test_local.py").write_text("def test(): pass\n")
    (second / ".DS_Store").write_bytes(b"junk")

    one, two = build_artifact(first), build_artifact(second)

    assert one.data == two.data
    assert one.sha256 == two.sha256 == hashlib.sha256(one.data).hexdigest()
    assert one.key == f"artifacts/{one.sha256}.zip"


def test_entries_are_sorted_with_fixed_time_and_mode_and_no_junk() -> None:
    artifact = build_artifact(FUNCTIONS_DIR)
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert "users/__init__.py" in names  # the zip root is the Lambda import root
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in names if n.startswith("tests/") or "/test_" in n]
        for info in infos:
            assert info.date_time == ZIP_EPOCH
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            assert info.compress_type == zipfile.ZIP_STORED  # no zlib: same bytes everywhere
        assert archive.testzip() is None  # every CRC checks out
        source = (FUNCTIONS_DIR / "users" / "store.py").read_text(encoding="utf-8")
        assert archive.read("users/store.py").decode("utf-8") == strip_source(source)
        schema = (FUNCTIONS_DIR / "users" / "schema.json").read_bytes()
        assert archive.read("users/schema.json") == schema  # not Python: shipped as is


def test_stripped_modules_keep_every_code_line_where_it_was() -> None:
    for path in sorted((FUNCTIONS_DIR / "users").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        stripped = strip_source(source)
        assert len(stripped.splitlines()) == len(source.splitlines())
        docstrings = {
            line
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        }
        for number, (before, after) in enumerate(
            zip(source.splitlines(), stripped.splitlines()), start=1
        ):
            if number not in docstrings:  # code is kept, a trailing comment goes
                assert before.startswith(after), (path.name, number)


def test_strip_source_keeps_strings_and_future_imports_and_empties_docstrings() -> None:
    source = "\n".join(
        [
            '"""Module doc."""',
            "from __future__ import annotations",
            "",
            "X = '# not a comment'  # a comment",
            "",
            "",
            "class Only:",
            '    """Just a',
            '    docstring."""',
            "",
            "",
            "def f():  # trailing",
            "    # whole line",
            "    return X  # é",
            "",
        ]
    )
    stripped = strip_source(source)
    namespace: dict[str, object] = {}
    exec(compile(stripped, "m.py", "exec"), namespace)
    assert namespace["X"] == "# not a comment"
    lines = stripped.splitlines()
    assert lines[0] == '""'
    assert lines[3] == "X = '# not a comment'"
    assert lines[11:14] == ["def f():", "", "    return X"]
    assert len(lines) == len(source.splitlines())
    assert "docstring" not in stripped and "# a comment" not in stripped


def test_a_changed_file_changes_the_key(tmp_path: Path) -> None:
    copy = tmp_path / "functions"
    shutil.copytree(FUNCTIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = build_artifact(copy)
    (copy / "users" / "__init__.py").write_text("# changed\n")
    after = build_artifact(copy)
    assert before.key != after.key


def test_code_sha256_is_what_lambda_reports() -> None:
    artifact = build_artifact(FUNCTIONS_DIR)

    assert base64.b64decode(artifact.code_sha256) == hashlib.sha256(artifact.data).digest()
