"""The README's "Try it locally" curl commands, run as written against a fresh server.

The commands block is executed by bash with only the host and port changed
(the README says 3000; the test takes a free port); the status printed after
each answer (curl's ``-w ' -> %{http_code}'``) must equal, in order, the
statuses in the README's output block. So the section cannot drift from what
the server does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from local_api_fixture import REPO, LocalApi, running

from userapi_dev.moto_server import free_port

README = REPO / "README.md"
README_HOST = "http://127.0.0.1:3000"
README_IDP = "http://127.0.0.1:9229"
STATUS = re.compile(r" -> (\d{3})$", re.MULTILINE)


def _block_after(marker: str) -> str:
    """The fenced block that follows ``<!-- marker -->`` in the README."""
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```[a-z]*\n(.*?)\n```", text, re.DOTALL)
    assert found, f"README has no block after <!-- {marker} -->"
    return found.group(1)


@pytest.fixture(scope="module")
def fresh_api() -> Iterator[LocalApi]:
    with running() as api:
        yield api


def test_curl_is_there_with_sigv4_support() -> None:
    assert shutil.which("curl"), "curl is needed (.ci/run installs it)"
    version = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=True)
    major, minor = map(int, re.match(r"curl (\d+)\.(\d+)", version.stdout).groups())  # type: ignore[union-attr]
    assert (major, minor) >= (7, 84), version.stdout.splitlines()[0]


def test_the_readme_commands_give_the_readme_statuses(fresh_api: LocalApi) -> None:
    commands = _block_after("local-curl-commands")
    assert commands.count(README_HOST) == 1, "the host is set once, in HOST="
    script = "set -eu\n" + commands.replace(README_HOST, fresh_api.url)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    expected = STATUS.findall(_block_after("local-curl-output"))
    assert len(expected) >= 10
    assert STATUS.findall(result.stdout) == expected, result.stdout


@pytest.fixture(scope="module")
def cognito_api() -> Iterator[tuple[LocalApi, str]]:
    port = free_port()
    with running(("--auth", "cognito", "--cognito-port", str(port))) as api:
        yield api, f"http://127.0.0.1:{port}"


def test_the_readme_cognito_commands_give_the_readme_statuses(
    cognito_api: tuple[LocalApi, str],
) -> None:
    api, idp = cognito_api
    commands = _block_after("cognito-curl-commands")
    assert commands.count(README_HOST) == 1 and commands.count(README_IDP) == 1
    script = "set -eu\n" + commands.replace(README_HOST, api.url).replace(README_IDP, idp)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    expected = STATUS.findall(_block_after("cognito-curl-output"))
    assert expected == ["200", "200", "409", "404", "404", "400", "403", "401", "401", "204"]
    assert STATUS.findall(result.stdout) == expected, result.stdout
