"""The real entry point, ``python scripts/deploy.py``, in a subprocess.

These check what only a fresh process shows: it runs from a checkout, and
AWS trouble ends in one line on stderr with the documented exit code, never
a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from userapi_dev.moto_server import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "deploy.py"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO_ROOT,
    )


def test_help_lists_every_flag() -> None:
    result = run("--help")
    assert result.returncode == 0
    for flag in (
        "--environment",
        "--stack-name",
        "--region",
        "--profile",
        "--endpoint-url",
        "--bucket",
        "--parameter",
        "--tag",
        "--yes",
        "--no-execute",
        "--replace-failed-stack",
        "--outputs-file",
        "--poll-delay",
    ):
        assert flag in result.stdout


def test_no_credentials_is_one_line_without_traceback(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key == "AWS_DEFAULT_REGION"
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    result = run("--yes", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "deploy.py: error: no AWS credentials found: use --profile, or set AWS_PROFILE "
        "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    )


def test_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    env = dict(os.environ, AWS_CONFIG_FILE=str(tmp_path / "none"))
    result = run("--yes", "--profile", "nobody", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nobody" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_endpoint_is_one_line_without_traceback() -> None:
    result = run("--yes", "--endpoint-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("deploy.py: error: cannot reach AWS:")
    assert len(result.stderr.strip().splitlines()) == 1
