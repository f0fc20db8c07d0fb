"""Shared pytest set-up.

``functions/`` is the Lambda import root, so tests import handler modules the
way Lambda does (``users.create``). AWS credentials are fake and fixed, so no
test can ever reach a real account.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from userapi_dev.moto_server import running_moto_server

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"

if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))

for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[_key] = _value
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real moto_server on a free loopback port, one per test module (tests ``reset`` it)."""
    with running_moto_server() as endpoint:
        yield endpoint
