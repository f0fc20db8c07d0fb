"""The gateway emulation read from the synthesized template, without a server."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from userapi_local.app import LocalApi
from userapi_local.authorizers import OpenCheck
from userapi_local.events import IncomingRequest, proxy_event
from userapi_local.gateway import (
    GatewayError,
    GatewayResponses,
    mock_response,
    refuse_mock_media_type,
    validate_request,
)
from userapi_local.routing import Router
from userapi_local.runtime import (
    FunctionRunner,
    LambdaFailure,
    proxy_response,
    shared_environment,
)
from userapi_local.template_reader import TemplateError, TemplateReader
from userapi_local.throttle import stage_bucket
from userapi_stack.routes import ROUTES, Caller
from userapi_stack.template import build_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return build_template().to_dict()


@pytest.fixture(scope="module")
def reader(template: dict[str, Any]) -> TemplateReader:
    return TemplateReader(template)


@pytest.fixture(scope="module")
def router(reader: TemplateReader) -> Router:
    return Router(reader)


def test_intrinsics_resolve_from_parameter_defaults_and_overrides(
    template: dict[str, Any],
) -> None:
    default = TemplateReader(template)
    assert default.properties("UsersTable")["TableName"] == "userapi-dev-users"
    other = TemplateReader(template, {"Environment": "test", "AppName": "demo"})
    assert other.properties("UsersTable")["TableName"] == "demo-test-users"
    assert other.ref("EmailsTable") == "demo-test-emails"
    # Fn::If over a Condition: reserved concurrency is off by default.
    assert default.condition("HasReservedConcurrency") is False
    assert TemplateReader(template, {"FunctionReservedConcurrency": "5"}).condition(
        "HasReservedConcurrency"
    )


def test_unknown_or_missing_parameters_are_clear_errors(template: dict[str, Any]) -> None:
    with pytest.raises(TemplateError, match="unknown template parameter"):
        TemplateReader(template, {"Nope": "1"})
    with pytest.raises(TemplateError, match="ArtifactBucket has no default"):
        TemplateReader(template).properties("GetUserFunction")


def test_the_router_finds_every_route_of_the_table_through_the_template(router: Router) -> None:
    wired = {
        (m.http_method, m.resource_path, m.function.handler, m.authorization)
        for m in router.methods
        if m.function
    }
    open_or_signed = {Caller.OWNER: "NONE", Caller.OPERATOR: "AWS_IAM"}
    expected = {(r.method, r.path, r.handler, open_or_signed[r.caller]) for r in ROUTES}
    assert wired == expected
    preflights = {m.resource_path for m in router.methods if m.http_method == "OPTIONS"}
    assert preflights == {r.path for r in ROUTES}
    catch_alls = {m.resource_path for m in router.methods if m.http_method == "ANY"}
    assert catch_alls == {"/", "/{proxy+}", "/users", "/users/{user_id}"}
    assert all(m.mock for m in router.methods if not m.function)


def test_functions_get_the_template_environment(router: Router) -> None:
    environment = shared_environment(router.functions().values())
    assert environment == {
        "USERS_TABLE": "userapi-dev-users",
        "EMAILS_TABLE": "userapi-dev-emails",
        "CONFIG_PATH": "/dev/api/",
        "AUTH_MODE": "none",
    }


@pytest.mark.parametrize(
    ("method", "path", "handler", "params"),
    [
        ("GET", "/users", "users.list.handler", {}),
        ("GET", "/users/", "users.list.handler", {}),
        ("POST", "/users", "users.create.handler", {}),
        ("GET", "/users/abc", "users.get.handler", {"user_id": "abc"}),
        ("DELETE", "/users/a%20b", "users.delete.handler", {"user_id": "a b"}),
        ("PUT", "/users/x%2Fy", "users.update.handler", {"user_id": "x/y"}),
        # Leading slashes are one, trailing ones do not count (as on AWS).
        ("GET", "//users/abc", "users.get.handler", {"user_id": "abc"}),
        ("GET", "/users/abc/", "users.get.handler", {"user_id": "abc"}),
        ("GET", "/users/abc//", "users.get.handler", {"user_id": "abc"}),
        ("POST", "///users//", "users.create.handler", {}),
    ],
)
def test_matching(
    router: Router, method: str, path: str, handler: str, params: dict[str, str]
) -> None:
    match = router.match(method, path)
    assert match is not None and match.method.function is not None
    assert match.method.function.handler == handler
    assert match.path_parameters == params


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "allow"),
    [
        ("PATCH", "/users/abc", 405, "method_not_allowed", "GET,PUT,DELETE,OPTIONS"),
        ("DELETE", "/users", 405, "method_not_allowed", "GET,POST,OPTIONS"),
        ("TRACE", "/users", 405, "method_not_allowed", "GET,POST,OPTIONS"),
        ("GET", "/", 404, "not_found", None),
        ("POST", "/", 404, "not_found", None),
        ("GET", "/users/a/b", 404, "not_found", None),
        ("GET", "/other", 404, "not_found", None),
        ("OPTIONS", "/other/deeper", 404, "not_found", None),
        # An empty segment inside matches no {user_id}: the greedy catch-all takes it.
        ("GET", "/users//abc", 404, "not_found", None),
        ("GET", "//users//abc", 404, "not_found", None),
        ("DELETE", "/users//", 405, "method_not_allowed", "GET,POST,OPTIONS"),
    ],
)
def test_unknown_routes_hit_the_templates_mock_catch_alls(
    router: Router, method: str, path: str, status: int, code: str, allow: str | None
) -> None:
    match = router.match(method, path)
    assert match is not None and match.method.http_method == "ANY"
    response = mock_response(match.method, "rid-7")
    assert response.status == status
    headers = dict(response.headers)
    assert headers["Content-Type"] == "application/json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert (
        headers.get("Allow") is None
        if allow is None
        else set(headers["Allow"].split(",")) == set(allow.split(","))
    )
    assert json.loads(response.body)["error"] == {
        "code": code,
        "message": "Method not allowed" if status == 405 else "Not found",
        "request_id": "rid-7",
    }


def test_the_greedy_catch_all_keeps_inner_empty_segments(router: Router) -> None:
    match = router.match("GET", "//users//abc/")
    assert match is not None and match.method.resource_path == "/{proxy+}"
    assert match.path_parameters == {"proxy": "users//abc"}


def test_a_catch_all_refuses_a_body_it_has_no_template_for(router: Router) -> None:
    match = router.match("PATCH", "/users/abc")
    assert match is not None
    plain = {"Content-Type": "text/plain"}
    assert refuse_mock_media_type(match.method, plain, b"x")
    assert not refuse_mock_media_type(match.method, plain, b"")
    assert not refuse_mock_media_type(match.method, {"Content-Type": "application/json"}, b"{}")


def test_without_catch_alls_unknown_routes_do_not_match(template: dict[str, Any]) -> None:
    bare = json.loads(json.dumps(template))
    resources = bare["Resources"]
    for logical_id in [k for k, r in resources.items() if r["Type"] == "AWS::ApiGateway::Method"]:
        if resources[logical_id]["Properties"]["HttpMethod"] == "ANY":
            del resources[logical_id]
    router = Router(TemplateReader(bare))
    assert router.match("PATCH", "/users/abc") is None
    assert router.match("GET", "/other") is None


def test_gateway_responses_come_from_the_template(reader: TemplateReader) -> None:
    responses = GatewayResponses(reader)
    missing = responses.render(
        GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", 403), "rid-1"
    )
    assert missing.status == 403
    headers = dict(missing.headers)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Content-Type"] == "application/json"
    body = json.loads(missing.body)
    assert body["error"]["request_id"] == "rid-1"
    assert body["error"]["code"] == "forbidden"


def test_the_templates_status_code_wins_over_aws_default(reader: TemplateReader) -> None:
    throttled = GatewayError("THROTTLED", "Too Many Requests", 599)
    assert GatewayResponses(reader).render(throttled, "rid").status == 429


def test_validation_messages_with_quotes_stay_valid_json(reader: TemplateReader) -> None:
    error = GatewayError("BAD_REQUEST_BODY", "Invalid request body", 400, '[name: "x" is bad\\]')
    rendered = GatewayResponses(reader).render(error, "rid")
    assert rendered.status == 400
    envelope = json.loads(rendered.body)["error"]
    assert envelope == {
        "code": "validation_failed",
        "message": "request body does not match the schema (see the OpenAPI document)",
        "request_id": "rid",
    }


def test_a_type_without_its_own_response_falls_back_to_default_5xx(reader: TemplateReader) -> None:
    rendered = GatewayResponses(reader).render(
        GatewayError("DEFAULT_5XX", "Internal server error", 502), "rid"
    )
    assert rendered.status == 502
    assert json.loads(rendered.body)["error"]["code"] == "internal_error"


def test_without_gateway_responses_aws_defaults_apply() -> None:
    bare = TemplateReader({"Resources": {}})
    rendered = GatewayResponses(bare).render(
        GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", 403), "rid"
    )
    assert rendered.status == 403
    assert json.loads(rendered.body) == {"message": "Missing Authentication Token"}


def _create(router: Router) -> Any:
    """The create method, whose body the template's validator checks."""
    match = router.match("POST", "/users")
    assert match is not None
    assert match.method.validate_body
    return match.method


@pytest.mark.parametrize(
    ("body", "headers", "failing"),
    [
        (b'{"email": "a@example.com", "name": "Ada"}', {}, None),
        (b'{"email": "a@example.com"}', {}, "name"),
        (b'{"email": "a@example.com", "name": "Ada", "version": 3}', {}, "version"),
        (b'{"email": "nope", "name": "Ada"}', {"Content-Type": "application/json"}, "email"),
        (b'{"email": "a@example.com", "name": "Ada", "phone": "12"}', {}, "phone"),
        (b"[1, 2]", {"Content-Type": "application/json; charset=utf-8"}, "not of type"),
        (b"{not json", {}, "not JSON"),
    ],
)
def test_the_create_model_is_applied(
    router: Router, body: bytes, headers: dict[str, str], failing: str | None
) -> None:
    error = validate_request(_create(router), headers, {}, body)
    if failing is None:
        assert error is None
    else:
        assert error is not None and error.response_type == "BAD_REQUEST_BODY"
        assert failing in error.validation_error


@pytest.mark.parametrize(
    ("body", "headers"),
    [(b"", {}), (b"email=a", {"Content-Type": "application/x-www-form-urlencoded"})],
)
def test_empty_or_non_json_bodies_pass_to_the_handler(
    router: Router, body: bytes, headers: dict[str, str]
) -> None:
    assert validate_request(_create(router), headers, {}, body) is None


def test_proxy_event_shape() -> None:
    request = IncomingRequest(
        method="GET",
        path="/users/a%20b",
        query={"limit": ["1", "2"]},
        raw_query="limit=1&limit=2",
        headers=[("Host", "127.0.0.1:3000"), ("X-Multi", "1"), ("X-Multi", "2")],
        body=b"\xff\xfe",
        source_ip="127.0.0.1",
    )
    event = proxy_event(
        request,
        resource_path="/users/{user_id}",
        path_parameters={"user_id": "a b"},
        stage="dev",
        access_key=None,
    )
    assert event["path"] == "/users/a b"
    assert event["resource"] == "/users/{user_id}"
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"limit": "2"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["1", "2"]}
    assert event["pathParameters"] == {"user_id": "a b"}
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe"
    context = event["requestContext"]
    assert context["stage"] == "dev" and context["path"] == "/dev/users/a b"
    assert context["requestId"] == request.request_id
    assert context["identity"]["sourceIp"] == "127.0.0.1"


def test_proxy_responses() -> None:
    response = proxy_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/users/1", "X-A": "single"},
            "multiValueHeaders": {"X-A": ["1", "2"]},
            "body": base64.b64encode(b"hi").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 201
    assert response.body == b"hi"
    assert sorted(response.headers) == [("Location", "/users/1"), ("X-A", "1"), ("X-A", "2")]
    for malformed in ({"body": "x"}, {"statusCode": "200"}, {"statusCode": 200, "oops": 1}, None):
        with pytest.raises(LambdaFailure):
            proxy_response(malformed)


def test_stage_throttling_comes_from_the_stage_method_settings(template: dict[str, Any]) -> None:
    default = stage_bucket(TemplateReader(template))
    assert default is not None and (default.rate, default.burst) == (50.0, 100)
    tight = stage_bucket(
        TemplateReader(template, {"ThrottlingRateLimit": "1", "ThrottlingBurstLimit": "2"})
    )
    assert tight is not None
    assert [tight.take() for _ in range(3)] == [True, True, False]


def test_a_failure_of_the_emulator_is_a_500_in_the_envelope(
    reader: TemplateReader, router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LocalApi.handle never raises: whatever breaks inside, the client gets DEFAULT_5XX."""
    checks = {kind: OpenCheck() for kind in {m.authorization for m in router.methods}}
    api = LocalApi(reader, router, FunctionRunner(router.functions(), "us-east-1"), checks)

    def broken(request: IncomingRequest) -> None:
        raise RuntimeError("a bug in the emulator")

    monkeypatch.setattr(api, "_dispatch", broken)
    request = IncomingRequest("GET", "/users", {}, "", [], b"", "127.0.0.1")
    outcome = api.handle(request)
    assert outcome.response.status == 500
    headers = dict(outcome.response.headers)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["x-amzn-RequestId"] == request.request_id
    assert json.loads(outcome.response.body)["error"] == {
        "code": "internal_error",
        "message": "Internal server error",
        "request_id": request.request_id,
    }
