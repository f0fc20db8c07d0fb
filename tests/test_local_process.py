"""``scripts/local_api.py`` as a user runs it: start-up, access log, Ctrl-C, taken port."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import requests
from local_api_fixture import NO_THROTTLING, SCRIPT, start, stop

from userapi_dev.moto_server import free_port


def test_port_taken_is_one_line_and_exit_1() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"local_api.py: error: port {port} on 127.0.0.1 is already in use"
    ]


def test_serves_logs_one_line_per_request_and_stops_cleanly_on_ctrl_c() -> None:
    api = start(NO_THROTTLING, port=free_port())
    try:
        spec = requests.get(f"{api.url}/openapi.json", timeout=10)
        assert spec.status_code == 200
        assert spec.json()["servers"][0]["url"] == api.url
        missing = requests.get(f"{api.url}/nowhere", timeout=10)
        request_id = missing.headers["x-amzn-RequestId"]
        assert missing.json()["error"]["request_id"] == request_id
    finally:
        status = stop(api)
    assert status == 0
    lines = api.log_lines_with(request_id)
    assert len(lines) == 1
    assert '"GET /nowhere" 404 ' in lines[0] and "ms " in lines[0]
    assert api.log[-1] == "stopped"
    assert not any("Traceback" in line for line in api.log)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf", "nan"])
def test_a_bad_read_timeout_is_one_line_and_exit_2(value: str) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--read-timeout", value],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"local_api.py: error: argument --read-timeout: not a number of seconds above 0: {value!r}"
    ]
