"""``userapi logs`` against a stack deployed to moto_server, with real log events in its groups."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from userapi_cli.main import main
from userapi_deploy import synthesis
from userapi_dev.moto_server import running_moto_server
from userapi_dev.moto_template import moto_template

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
GET_GROUP = "/aws/lambda/userapi-dev-get-user"
CREATE_GROUP = "/aws/lambda/userapi-dev-create-user"
ACCESS_GROUP = "/aws/apigateway/userapi-dev/access"
NOW_MS = int(time.time() * 1000)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


def put(endpoint: str, group: str, stamp_ms: int, message: str | dict[str, Any]) -> None:
    logs = client(endpoint, "logs")
    stream = f"stream-{stamp_ms}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    text = message if isinstance(message, str) else json.dumps(message)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp_ms, "message": text}],
    )


def request_record(route: str, status: int, level: str = "INFO") -> dict[str, Any]:
    """What Lambda's JSON log format makes of the handlers' one record per request."""
    return {
        "timestamp": "2026-12-04T03:00:00Z",
        "level": level,
        "message": "request",
        "logger": "users",
        "route": route,
        "method": "GET",
        "status": status,
        "latency_ms": 12.5,
        "request_id": f"req-{route}",
        "cold_start": False,
    }


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running_moto_server() as server:
        real = synthesis.render_template
        synthesis.render_template = lambda options=None: moto_template(real(options))
        try:
            argv = ["deploy", "--endpoint-url", server, "--poll-delay", "0.05", "--yes"]
            assert main(argv) == 0
        finally:
            synthesis.render_template = real
        put(server, GET_GROUP, NOW_MS - 50_000, request_record("GetUser", 200))
        put(server, CREATE_GROUP, NOW_MS - 40_000, request_record("CreateUser", 500, "ERROR"))
        put(server, GET_GROUP, NOW_MS - 30_000, "a plain line\nwith a newline")
        put(
            server,
            ACCESS_GROUP,
            NOW_MS - 20_000,
            {
                "requestId": "req-access",
                "httpMethod": "GET",
                "resourcePath": "/users/{user_id}",
                "status": "404",
                "responseLatency": "7",
                "errorMessage": "-",
            },
        )
        put(server, GET_GROUP, NOW_MS - 3 * 3_600_000, request_record("GetUser", 200))  # old
        yield server


def logs(endpoint: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["logs", "--endpoint-url", endpoint, *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_every_function_since_the_default_ten_minutes_one_line_each(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = logs(endpoint, capsys)
    assert len(lines) == 3  # the access log is not asked for; the 3-hour-old record is older
    assert lines[0].endswith(" GetUser INFO  GetUser 200 12.5ms req-GetUser")
    assert lines[1].endswith(" CreateUser ERROR CreateUser 500 12.5ms req-CreateUser")
    assert lines[2].endswith(" GetUser a plain line with a newline")
    assert lines == sorted(lines)  # oldest first, across groups


def test_route_access_since_and_filter_select(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    only_get = logs(endpoint, capsys, "--route", "GetUser", "--since", "4h")
    assert len(only_get) == 3 and all(" GetUser " in line for line in only_get)

    with_access = logs(endpoint, capsys, "--route", "CreateUser", "--access")
    assert len(with_access) == 2
    assert with_access[1].endswith(" ACCESS GET /users/{user_id} 404 7ms req-access")

    errors = logs(endpoint, capsys, "--filter", "ERROR")
    assert len(errors) == 1 and "CreateUser 500" in errors[0]


def test_a_bad_since_is_one_usage_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["logs", "--since", "yesterday"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "userapi logs: error: argument --since: expected a duration (30s, 10m, 2h, 1d) "
        "or an ISO 8601 time, got 'yesterday'"
    ]


def test_follow_prints_new_events_until_ctrl_c(endpoint: str) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "userapi_cli", "logs", "--endpoint-url", endpoint, "--follow"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(process.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while len(out) < 3 and time.monotonic() < deadline:  # the history first
            time.sleep(0.1)
        put(endpoint, GET_GROUP, int(time.time() * 1000), request_record("GetUser", 201))
        while len(out) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        reader.join(timeout=5)
    assert process.returncode == 0
    assert len(out) == 4, out
    assert out[3].rstrip("\n").endswith(" GetUser INFO  GetUser 201 12.5ms req-GetUser")
    # moto_server's live tail answers one update (the events so far) and ends the session.
    assert process.stderr.read().splitlines() == [  # type: ignore[union-attr]
        "the live tail session ended; following by polling FilterLogEvents every 2 s"
    ]


def test_live_tail_events_are_rendered_like_filtered_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """StartLiveTail against moto_server, which streams a group's events so far and ends.

    Its own server with one log group: moto 5.2.5 resolves every live-tail
    identifier to the account's last log group (its lookup loop never breaks).
    """
    from userapi_cli.commands.logs import _live_tail
    from userapi_cli.common import aws_clients

    with running_moto_server() as server:
        client(server, "logs").create_log_group(logGroupName=CREATE_GROUP)
        put(server, CREATE_GROUP, NOW_MS, request_record("CreateUser", 500, "ERROR"))
        logs_client = aws_clients("logs", region=REGION, endpoint_url=server)["logs"]
        newest = _live_tail(logs_client, {CREATE_GROUP: "CreateUser"}, None, set())
    lines = capsys.readouterr().out.splitlines()
    assert newest == NOW_MS
    assert len(lines) == 1
    assert lines[0].endswith(" CreateUser ERROR CreateUser 500 12.5ms req-CreateUser")
