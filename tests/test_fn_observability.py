"""One log record per request (no personal data) and the EMF business metrics."""

from __future__ import annotations

import json
import logging

import pytest
from fn_support import APP_NAME, ENVIRONMENT, invoke, json_body, moto_api, proxy_event
from users import config, create, delete, get, observability

SECRET_EMAIL = "secret.person@example.com"
SECRET_PHONE = "+442071838750"


@pytest.fixture
def api():
    with moto_api() as account:
        yield account


def _records(caplog):
    return [r for r in caplog.records if r.name == "users"]


def test_each_request_logs_one_record_with_route_status_latency_and_request_id(api, caplog):
    caplog.set_level(logging.INFO, logger="users")
    body = json_body({"email": SECRET_EMAIL, "name": "Secret", "phone": SECRET_PHONE})
    created = invoke(create, proxy_event("POST", "/users", body=body))
    user_id = created.json["user_id"]
    missing = invoke(get, proxy_event("GET", "/users/nope", user_id="nope"))
    records = _records(caplog)
    assert len(records) == 2
    first, second = records
    assert (first.route, first.method, first.status) == ("CreateUser", "POST", 201)
    assert first.request_id == created.request_id and first.levelno == logging.INFO
    assert isinstance(first.latency_ms, float) and first.latency_ms >= 0
    assert (second.route, second.status, second.request_id) == ("GetUser", 404, missing.request_id)
    assert SECRET_EMAIL not in caplog.text and SECRET_PHONE not in caplog.text
    for record in records:
        assert SECRET_EMAIL not in json.dumps(record.__dict__, default=str)
    assert user_id  # the id is not personal data, but it is not logged either
    assert user_id not in caplog.text


def test_only_the_first_request_of_a_container_is_a_cold_start(api, caplog, monkeypatch):
    monkeypatch.setattr("users.app._cold_start", True)
    caplog.set_level(logging.INFO, logger="users")
    for _ in range(2):
        invoke(get, proxy_event("GET", "/users/nope", user_id="nope"))
    assert [r.cold_start for r in _records(caplog)] == [True, False]


def _emf_lines(out):
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_create_and_delete_emit_one_emf_count_each(api, capsys):
    body = json_body({"email": SECRET_EMAIL, "name": "Secret"})
    created = invoke(create, proxy_event("POST", "/users", body=body))
    user_id = created.json["user_id"]
    invoke(get, proxy_event("GET", f"/users/{user_id}", user_id=user_id))
    deleted = invoke(delete, proxy_event("DELETE", f"/users/{user_id}", user_id=user_id))
    out = capsys.readouterr().out
    metrics = _emf_lines(out)
    assert [m["_aws"]["CloudWatchMetrics"][0]["Metrics"] for m in metrics] == [
        [{"Name": "UserCreated", "Unit": "Count"}],
        [{"Name": "UserDeleted", "Unit": "Count"}],
    ]
    for document, name, answer in zip(metrics, ("UserCreated", "UserDeleted"), (created, deleted)):
        directive = document["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == APP_NAME
        assert directive["Dimensions"] == [["Environment"]]
        assert document["Environment"] == ENVIRONMENT and document[name] == 1
        assert isinstance(document["_aws"]["Timestamp"], int)
        assert document["request_id"] == answer.request_id
    assert SECRET_EMAIL not in out


def test_failed_writes_emit_no_metric(api, capsys):
    body = json_body({"email": SECRET_EMAIL, "name": "Secret"})
    invoke(create, proxy_event("POST", "/users", body=body))
    capsys.readouterr()
    assert invoke(create, proxy_event("POST", "/users", body=body)).status == 409
    missing = "0d6f4a4e-4bde-4d4b-9a43-0a4a3f1f8f3e"
    assert invoke(delete, proxy_event("DELETE", "/x", user_id=missing)).status == 404
    assert _emf_lines(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("config_path", "environment"),
    [("/dev/api/", "dev"), ("/prod/api", "prod"), ("/", "unknown"), ("", "unknown")],
)
def test_the_environment_dimension_is_config_paths_first_segment(
    monkeypatch, config_path, environment
):
    monkeypatch.setenv("CONFIG_PATH", config_path)
    assert config.environment_name() == environment


def test_an_emf_document_is_the_documented_shape():
    document = observability.emf_record("UserCreated", "ns", "dev", "r-1", now_ms=1700000000000)
    assert document == {
        "_aws": {
            "Timestamp": 1700000000000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "ns",
                    "Dimensions": [["Environment"]],
                    "Metrics": [{"Name": "UserCreated", "Unit": "Count"}],
                }
            ],
        },
        "Environment": "dev",
        "UserCreated": 1,
        "request_id": "r-1",
    }
