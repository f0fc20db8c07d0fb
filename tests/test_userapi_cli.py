"""The ``userapi`` command tree: the table of subcommands, lazy imports, one boundary."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from userapi_cli.commands import COMMANDS

REPO = Path(__file__).resolve().parent.parent


def run(*command: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``python COMMAND`` as a fresh process, output captured."""
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def userapi(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``userapi ARGS`` (``python -m userapi_cli`` is the same entry point)."""
    return run("-m", "userapi_cli", *args, cwd=cwd)


def module_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``python -m userapi_stack ARGS``, the entry point of the design card."""
    return run("-m", "userapi_stack", *args, cwd=cwd)


def test_help_lists_every_command_without_importing_any() -> None:
    probe = (
        "import sys\n"
        "from userapi_cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0\n"
        "loaded = [m for m in sys.modules if m.startswith('userapi_cli.commands.')]\n"
        "heavy = [m for m in ('boto3', 'troposphere', 'moto') if m in sys.modules]\n"
        "print('LOADED', loaded, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    for command in COMMANDS:
        assert re.search(rf"^    {command.name} +{re.escape(command.help)}$", result.stdout, re.M)
    assert "LOADED [] []" in result.stdout


def test_version_is_the_installed_distributions() -> None:
    result = userapi("--version")
    assert result.returncode == 0
    assert result.stdout == f"userapi {version('userapi')}\n"


def test_no_command_is_one_usage_line() -> None:
    result = userapi()
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "userapi: error: choose a command: "
        + ", ".join(command.name for command in COMMANDS)
        + " (see userapi --help)"
    ]


@pytest.mark.parametrize("command", [command.name for command in COMMANDS])
def test_each_command_has_help(command: str) -> None:
    result = userapi(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: userapi {command} ")


def test_template_prints_the_bytes_of_python_m_userapi_stack(tmp_path: Path) -> None:
    args = ("--runtime", "python3.12", "--tag", "Team=x")
    tree = userapi("template", *args, cwd=tmp_path)
    module = module_cli(*args, cwd=tmp_path)
    assert tree.returncode == module.returncode == 0
    assert tree.stdout == module.stdout
    assert '"Runtime": "python3.12"' in tree.stdout


def test_openapi_prints_the_document_python_m_userapi_stack_writes() -> None:
    tree = userapi("openapi")
    module = module_cli("--openapi")
    assert tree.returncode == module.returncode == 0
    assert tree.stdout == module.stdout
    assert '"openapi": "3.' in tree.stdout


def test_a_mistake_names_the_program_the_user_typed() -> None:
    """Same words and code from ``userapi template`` and ``python -m userapi_stack``."""
    tree = userapi("template", "--runtime", "python3.8")
    module = module_cli("--runtime", "python3.8")
    assert tree.returncode == module.returncode == 2
    assert tree.stderr.startswith("userapi template: error: argument --runtime: invalid choice")
    assert module.stderr.replace("python -m userapi_stack", "userapi template") == tree.stderr
