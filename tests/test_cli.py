"""``python -m userapi_stack``: output, determinism and error paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from userapi_stack.__main__ import main

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "userapi_stack", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_two_runs_are_byte_identical() -> None:
    first, second = _run(), _run()
    assert first.returncode == second.returncode == 0
    assert first.stderr == ""
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["AWSTemplateFormatVersion"] == "2010-09-09"


def test_output_file_matches_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    stdout = capsys.readouterr().out
    target = tmp_path / "template.json"
    assert main(["--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == stdout


def test_yaml_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("AWSTemplateFormatVersion: '2010-09-09'")
    assert "UsersTable:" in out


def test_runtime_architecture_and_tags_reach_the_template(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--runtime", "python3.12", "--architecture", "x86_64", "--tag", "Team=ids"]
    assert main([*args, "--tag", "Team=core"]) == 0
    function = json.loads(capsys.readouterr().out)["Resources"]["GetUserFunction"]["Properties"]
    assert function["Runtime"] == "python3.12"
    assert function["Architectures"] == ["x86_64"]
    assert {"Key": "Team", "Value": "core"} in function["Tags"]  # the last one wins


def test_help() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for option in ("--format", "--output", "--tag", "--runtime", "--architecture", "--openapi"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--runtime", "python3.8"],
        ["--architecture", "sparc"],
        ["--format", "xml"],
        ["--tag", "novalue"],
        ["--tag", "Environment=prod"],
        ["--tag", "aws:x=1"],
        ["--no-such-option"],
        ["--output", "/nonexistent-dir/template.json"],
    ],
)
def test_bad_options_are_one_line_exit_2(args: list[str]) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "error" in result.stderr


def test_openapi_writes_the_document_of_build_openapi_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import types

    fake = types.ModuleType("userapi_stack.openapi")
    fake.build_openapi_document = lambda url, options: {  # type: ignore[attr-defined]
        "openapi": "3.0.3",
        "auth": options.auth,
        "api_keys": options.api_keys,
    }
    monkeypatch.setitem(sys.modules, "userapi_stack.openapi", fake)
    assert main(["--openapi"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"openapi": "3.0.3", "auth": "none", "api_keys": False}
    assert main(["--openapi", "--auth", "cognito", "--api-keys"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"openapi": "3.0.3", "auth": "cognito", "api_keys": True}
