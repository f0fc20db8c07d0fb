"""The shipped GitHub Actions workflow: scanned offline, and held to the code it runs.

zizmor and actionlint must report nothing; every ``make`` target the workflow
runs must exist in the Makefile and every ``userapi`` command line must parse
with the tool's real argument parser, so a renamed flag or target fails here
rather than in a team's first pipeline run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from userapi_cli.commands import BY_NAME
from userapi_cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
ZIZMOR = Path(sys.executable).with_name("zizmor")
ACTIONLINT = ROOT / "tests" / "tools" / "actionlint.cjs"
#: Shell plumbing the workflow may use around the tool (the review into the job summary).
PLUMBING = {"cat"}
#: ``uses: owner/repo@<full sha> # vX.Y.Z``
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def _workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _jobs() -> dict[str, dict[str, Any]]:
    return _workflow()["jobs"]


def _assumes_a_role(job: dict[str, Any]) -> bool:
    return any(
        str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
        for step in job["steps"]
    )


def test_every_action_is_pinned_by_full_sha_with_its_version() -> None:
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]
    assert lines, "the workflow uses actions"
    for line in lines:
        assert PINNED.match(line), line


def test_permissions_are_empty_by_default_and_least_per_job() -> None:
    assert _workflow()["permissions"] == {}
    for name, job in _jobs().items():
        permissions = job["permissions"]
        expected = {"contents": "read"}
        if _assumes_a_role(job):
            expected["id-token"] = "write"
        if name == "review":
            expected["pull-requests"] = "write"
        assert permissions == expected, name


def test_one_concurrency_group_per_environment_and_deploys_never_cancelled() -> None:
    jobs = _jobs()
    for name in ("deploy-dev", "deploy-prod"):
        job = jobs[name]
        environment = job["environment"]
        assert job["concurrency"] == {"group": f"deploy-{environment}", "cancel-in-progress": False}
    groups = [jobs[n]["concurrency"]["group"] for n in ("deploy-dev", "deploy-prod")]
    assert len(set(groups)) == len(groups)
    review = jobs["review"]["concurrency"]["group"]
    assert "${{ matrix.environment }}" in review and not review.startswith("deploy-")


def test_what_runs_when() -> None:
    jobs = _jobs()
    assert set(_workflow()[True]) == {"pull_request", "push"}  # YAML 1.1 reads "on" as True
    assert jobs["review"]["needs"] == "test"
    assert "github.event_name == 'pull_request'" in jobs["review"]["if"]
    assert [i["environment"] for i in jobs["review"]["strategy"]["matrix"]["include"]] == [
        "dev",
        "prod",
    ]
    assert jobs["deploy-dev"]["needs"] == "test"
    assert jobs["deploy-prod"]["needs"] == "deploy-dev"
    for name in ("deploy-dev", "deploy-prod"):
        assert jobs[name]["if"] == "github.event_name == 'push'"


def _commands(job: dict[str, Any]) -> list[list[str]]:
    """Every command line of a job's run steps, as argv (environment references kept as text)."""
    commands = []
    for step in job["steps"]:
        for line in step.get("run", "").replace("\\\n", " ").splitlines():
            command = line.split(">>")[0]  # a redirection into the job summary
            if command.strip():
                commands.append(shlex.split(command))
    return commands


def _all_commands() -> list[tuple[str, list[str]]]:
    return [(name, argv) for name, job in _jobs().items() for argv in _commands(job)]


def test_every_command_is_a_make_target_the_tool_or_plumbing() -> None:
    for job, argv in _all_commands():
        assert argv[0] in {"make", ".venv/bin/userapi"} | PLUMBING, (job, argv)


@pytest.mark.parametrize(
    "target", sorted({argv[1] for _, argv in _all_commands() if argv[0] == "make"})
)
def test_make_targets_exist(target: str) -> None:
    result = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_userapi_command_line_parses_with_the_real_parser() -> None:
    tool_lines = [argv[1:] for _, argv in _all_commands() if argv[0] == ".venv/bin/userapi"]
    assert len(tool_lines) == 3  # review, deploy dev, deploy prod
    for argv in tool_lines:
        argv = [
            re.sub(r"\$\{?\w+\}?", "arn:aws:iam::123456789012:role/x", a)
            if a.startswith("$")
            else a
            for a in argv
        ]
        parser = build_parser(BY_NAME[argv[0]])
        args = parser.parse_args(argv)  # argparse exits (a failure here) on any unknown flag
        assert args.role_arn.startswith("arn:aws:iam::")
        assert args.review_markdown == "review.md"
        assert args.yes != args.review_only  # deploys say --yes; the review only reviews


def test_zizmor_finds_nothing_offline_even_pedantic() -> None:
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--persona", "pedantic", "--no-progress", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is needed for actionlint (see .ci/run)"
    return subprocess.run(
        [node, str(ACTIONLINT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )


def test_actionlint_finds_nothing() -> None:
    result = _actionlint(WORKFLOW)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_is_really_checking(tmp_path: Path) -> None:
    """The same runner reports a planted script injection and an unknown context."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ nope.x }}\n",
        encoding="utf-8",
    )
    result = _actionlint(bad)
    assert result.returncode == 1
    assert "potentially untrusted" in result.stdout
    assert 'undefined variable "nope"' in result.stdout
