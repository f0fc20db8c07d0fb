"""Bad invocations across every subcommand: one line on stderr, no traceback, the right code.

The generic rows iterate the ``COMMANDS`` table, so a subcommand added later
(by any feature) is covered without editing this file; the issue's own cases
follow, each in a fresh process where a process is what the user runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from userapi_cli.commands import BY_NAME, COMMANDS
from userapi_cli.main import build_parser, main
from userapi_dev.moto_server import free_port

REPO = Path(__file__).resolve().parent.parent
NAMES = [command.name for command in COMMANDS]


def invoke(argv: list[str]) -> tuple[int, str, str]:
    """``userapi ARGV`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_info:
            code = int(exit_info.code or 0)
    return code, out.getvalue(), err.getvalue()


def process(*args: str) -> tuple[int, str, str]:
    """``userapi ARGS`` as a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "userapi_cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def options_of(name: str) -> set[str]:
    parser = build_parser(BY_NAME[name], [name])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {flag for action in sub.choices[name]._actions for flag in action.option_strings}


def assert_one_line(result: tuple[int, str, str], code: int, line: str) -> None:
    status, out, err = result
    assert "Traceback" not in err
    assert err.splitlines() == [line], err
    assert status == code


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_option_is_one_usage_line(name: str) -> None:
    status, out, err = invoke([name, "--no-such-option"])
    assert status == 2 and out == "" and "Traceback" not in err
    (line,) = err.splitlines()
    # A command with required arguments says so first (argparse checks those first).
    assert line in (
        f"userapi {name}: error: unrecognized arguments: --no-such-option",
    ) or line.startswith(f"userapi {name}: error: the following arguments are required: ")


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_config_file_is_one_usage_line(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "userapi.toml").write_text('runtime = "python2.7"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status, _, err = invoke([name])
    assert status == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"userapi {name}: error: userapi.toml: runtime: invalid value")


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        (
            "--endpoint-url",
            "not-a-url",
            "argument --endpoint-url: expected an http:// or https:// URL such as "
            "http://127.0.0.1:5000, got 'not-a-url'",
        ),
        ("--runtime", "python3.8", "argument --runtime: invalid choice: 'python3.8'"),
        ("--tag", "novalue", "argument --tag: expected KEY=VALUE, got 'novalue'"),
        ("--poll-delay", "-1", "argument --poll-delay: expected a positive number, got '-1'"),
        ("--since", "soon", "argument --since: expected a duration (30s, 10m, 2h, 1d)"),
    ],
)
def test_the_same_mistake_reads_the_same_in_every_command_that_takes_the_flag(
    flag: str, value: str, words: str
) -> None:
    takers = [name for name in NAMES if flag in options_of(name)]
    assert takers  # the flag exists somewhere
    for name in takers:
        status, _, err = invoke([name, f"{flag}={value}"])
        assert status == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, name
        assert err.startswith(f"userapi {name}: error: {words}"), err


def test_no_command_and_an_unknown_command_are_one_line() -> None:
    assert_one_line(
        invoke([]),
        2,
        "userapi: error: choose a command: " + ", ".join(NAMES) + " (see userapi --help)",
    )
    status, _, err = invoke(["nope"])
    assert status == 2 and err.startswith(
        "userapi: error: argument COMMAND: invalid choice: 'nope'"
    )


def test_the_issues_cases_in_fresh_processes() -> None:
    assert_one_line(
        process("deploy", "--functions-dir", "/nonexistent"),
        2,
        "userapi deploy: error: argument --functions-dir: not a directory: /nonexistent",
    )
    assert_one_line(
        process("local", "--port", "70000"),
        2,
        "userapi local: error: argument --port: expected a port from 0 to 65535, got '70000'",
    )
    status, _, err = process("local", "--port", "0", "--dynamodb-endpoint", "http://127.0.0.1:1")
    assert status == 1 and "Traceback" not in err
    assert err.splitlines()[-1] == (
        "userapi local: error: cannot reach DynamoDB at --dynamodb-endpoint http://127.0.0.1:1"
    )


def test_a_bad_parameter_value_reads_the_same_in_deploy_and_local() -> None:
    words = "FunctionMemorySize"
    deploy = process(
        "deploy", "--yes", "--endpoint-url", f"http://127.0.0.1:{free_port()}",
        "--parameter", "FunctionMemorySize=abc",
    )  # fmt: skip
    local = process("local", "--port", "0", "--parameter", "FunctionMemorySize=abc")
    for result, name in ((deploy, "deploy"), (local, "local")):
        status, _, err = result
        assert status == 2 and "Traceback" not in err, err
        assert len(err.splitlines()) == 1 and words in err
        assert err.startswith(f"userapi {name}: error: ")
    assert deploy[2].split("error: ", 1)[1] == local[2].split("error: ", 1)[1]
