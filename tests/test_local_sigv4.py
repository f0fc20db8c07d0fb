"""SigV4 verification against signatures made by botocore and by curl."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from userapi_local.sigv4 import INVALID, MISSING, LocalCredentials, verify

REGION = "us-east-1"
KNOWN = LocalCredentials("testing", "testing")


def _signed(
    url: str = "http://127.0.0.1:3000/users?limit=2&next_token=a%2Bb",
    *,
    key: str = "testing",
    secret: str = "testing",
    region: str = REGION,
    service: str = "execute-api",
    body: bytes = b"",
    method: str = "GET",
) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    return {**dict(request.headers.items()), "Host": "127.0.0.1:3000"}


def _verify(headers: dict[str, str], **kwargs: Any) -> Any:
    defaults: dict[str, Any] = {
        "method": "GET",
        "raw_path_and_query": "/users?limit=2&next_token=a%2Bb",
        "body": b"",
    }
    defaults.update(kwargs)
    return verify(
        defaults["method"],
        defaults["raw_path_and_query"],
        headers,
        defaults["body"],
        credentials=KNOWN,
        region=REGION,
    )


def test_a_botocore_signature_is_accepted() -> None:
    assert _verify(_signed()) is None


def test_a_signed_body_is_accepted_and_a_changed_one_refused() -> None:
    headers = _signed("http://127.0.0.1:3000/users", method="POST", body=b'{"a": 1}')
    ok = _verify(headers, method="POST", raw_path_and_query="/users", body=b'{"a": 1}')
    assert ok is None
    tampered = _verify(headers, method="POST", raw_path_and_query="/users", body=b'{"a": 2}')
    assert tampered.response_type == INVALID


def test_no_authorization_header_is_a_missing_token() -> None:
    refusal = _verify({"Host": "127.0.0.1:3000"})
    assert refusal.response_type == MISSING


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (_signed(secret="wrong"), "wrong secret"),
        (_signed(key="someone-else", secret="testing"), "unknown access key"),
        (_signed(region="eu-west-1"), "another region"),
        (_signed(service="s3"), "another service"),
        ({"Authorization": "Bearer abc", "Host": "127.0.0.1:3000"}, "not SigV4"),
    ],
)
def test_bad_signatures_are_invalid(headers: dict[str, str], reason: str) -> None:
    refusal = _verify(headers)
    assert refusal is not None and refusal.response_type == INVALID, reason


def test_a_changed_query_breaks_the_signature() -> None:
    refusal = _verify(_signed(), raw_path_and_query="/users?limit=3&next_token=a%2Bb")
    assert refusal.response_type == INVALID


def test_an_old_signature_has_expired() -> None:
    headers = _signed()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)
    refusal = verify(
        "GET",
        "/users?limit=2&next_token=a%2Bb",
        headers,
        b"",
        credentials=KNOWN,
        region=REGION,
        now=later,
    )
    assert refusal.response_type == INVALID


class _Recorder(BaseHTTPRequestHandler):
    captured: dict[str, Any] = {}

    def do_GET(self) -> None:
        _Recorder.captured = {"path": self.path, "headers": dict(self.headers.items())}
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("secret", "accepted"), [("testing", True), ("nope", False)])
def test_curl_aws_sigv4_matches_the_verifier(
    recorder: HTTPServer, secret: str, accepted: bool
) -> None:
    port = recorder.server_address[1]
    subprocess.run(
        [
            "curl",
            "-sS",
            "--aws-sigv4",
            "aws:amz:us-east-1:execute-api",
            "--user",
            f"testing:{secret}",
            f"http://127.0.0.1:{port}/users?limit=2",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    captured = _Recorder.captured
    refusal = verify(
        "GET",
        captured["path"],
        captured["headers"],
        b"",
        credentials=KNOWN,
        region=REGION,
    )
    assert (refusal is None) is accepted
