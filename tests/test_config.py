"""``userapi.toml``: flags > file > defaults, per-environment tables, one line per mistake."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from userapi_cli.commands import BY_NAME
from userapi_cli.main import build_parser, main

REPO = Path(__file__).resolve().parent.parent
CONFIG = """
region = "eu-west-1"
runtime = "python3.12"

[tags]
Team = "identity"
CostCenter = "42"

[environments.dev.parameters]
FunctionMemorySize = 256

[environments.prod]
region = "eu-central-1"
stack_name = "users-production"
bucket = "prod-artifacts"
runtime = "python3.11"

[environments.prod.parameters]
FunctionMemorySize = 1024
LogRetentionDays = 90
"""


def parsed(argv: list[str]) -> argparse.Namespace:
    return build_parser(BY_NAME[argv[0]], argv).parse_args(argv)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory with a userapi.toml, as the current directory."""
    (tmp_path / "userapi.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_top_level_keys_then_the_environment_table(project: Path) -> None:
    dev = parsed(["deploy"])
    assert (dev.region, dev.runtime, dev.stack_name, dev.bucket) == (
        "eu-west-1",
        "python3.12",
        None,
        None,
    )
    assert dev.parameter == ["FunctionMemorySize=256"]
    assert dev.tag == [("Team", "identity"), ("CostCenter", "42")]

    prod = parsed(["deploy", "--environment", "prod"])
    assert (prod.region, prod.runtime, prod.stack_name, prod.bucket) == (
        "eu-central-1",
        "python3.11",
        "users-production",
        "prod-artifacts",
    )
    assert prod.parameter == ["FunctionMemorySize=1024", "LogRetentionDays=90"]


def test_flags_win_over_the_file_and_repeatable_flags_add_to_it(project: Path) -> None:
    args = parsed(
        ["deploy", "--environment", "prod", "--region", "us-east-2", "--runtime", "python3.14",
         "--tag", "Team=payments", "--parameter", "FunctionMemorySize=2048"]
    )  # fmt: skip
    assert (args.region, args.runtime) == ("us-east-2", "python3.14")
    assert dict(args.tag) == {"Team": "payments", "CostCenter": "42"}  # the later one wins
    assert args.parameter[-1] == "FunctionMemorySize=2048"  # the flow takes the last


def test_without_a_file_the_built_in_defaults_hold(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = parsed(["deploy"])
    assert (args.region, args.runtime, args.parameter, args.tag) == (
        "us-east-1",
        "python3.13",
        [],
        [],
    )


def test_a_key_a_command_does_not_take_is_not_used(project: Path) -> None:
    args = parsed(["logs", "--environment", "prod"])
    assert (args.region, args.stack_name) == ("eu-central-1", "users-production")
    assert not hasattr(args, "bucket")


def test_template_from_the_file_in_a_fresh_process(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "userapi_cli", "template"],
        capture_output=True,
        text=True,
        cwd=project,
        check=True,
    )
    function = json.loads(done.stdout)["Resources"]["GetUserFunction"]["Properties"]
    assert function["Runtime"] == "python3.12"
    assert {"Key": "CostCenter", "Value": "42"} in function["Tags"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'regoin = "x"\n',
            "unknown key regoin (allowed: ",
        ),
        (
            '[environments.prod]\nbukcet = "x"\n',
            "unknown key environments.prod.bukcet (allowed: ",
        ),
        (
            'runtime = "python2.7"\n',
            "runtime: invalid value 'python2.7' (allowed: python3.9, python3.10, python3.11, "
            "python3.12, python3.13, python3.14)",
        ),
        ('endpoint_url = "localhost"\n', "endpoint_url: expected an http:// or https:// URL"),
        ("region = 5.5\nruntime = true\n", "runtime: expected a string, got True"),
        ('[tags]\nEnvironment = "prod"\n', "tags: tag 'Environment' comes from the"),
        ("parameters = [1, 2]\n", "parameters: expected a table of KEY = value"),
        ("environments = 3\n", "environments: expected tables [environments.NAME]"),
        ("region = \n", "not valid TOML: "),
    ],
)
def test_a_bad_file_is_one_line_naming_file_key_and_allowed_values(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (project / "userapi.toml").write_text(text, encoding="utf-8")
    assert main(["deploy", "--yes"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"userapi deploy: error: userapi.toml: {message}")
    if "unknown key" in message:  # the allowed keys are listed
        assert ", region, runtime, " in err and "[environments.NAME] tables)" in err


def test_a_missing_config_file_is_one_line(project: Path, capsys) -> None:
    assert main(["outputs", "--config", "nowhere.toml"]) == 2
    assert capsys.readouterr().err == (
        "userapi outputs: error: cannot read nowhere.toml: No such file or directory\n"
    )


def test_the_committed_example_is_valid_for_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    example = str(REPO / "userapi.example.toml")
    for name in BY_NAME:  # the file is read and checked while the parser is built
        build_parser(BY_NAME[name], [name, "--config", example])
    prod = parsed(["deploy", "--config", example, "--environment", "prod"])
    assert "AlarmEmail=oncall@example.com" in prod.parameter
    assert dict(prod.tag) == {"Team": "identity"}


def test_every_synthesis_option_is_a_file_key(project: Path) -> None:
    """Features add their flag in synthesis.py only; the file takes it with no other edit."""
    from userapi_cli.config import file_keys
    from userapi_cli.synthesis import add_synthesis_options

    probe = argparse.ArgumentParser()
    add_synthesis_options(probe)
    for action in probe._actions[1:]:  # after --help
        key = "tags" if action.dest == "tag" else action.dest
        assert file_keys()[key] == action.dest
        if action.nargs == 0:  # a switch: true in the file turns it on
            (project / "userapi.toml").write_text(f"{key} = true\n", encoding="utf-8")
            assert getattr(parsed(["template"]), action.dest) is True
