"""The OpenAPI document: valid, complete, and true to the route table and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from userapi_stack.openapi import build_openapi_document
from userapi_stack.options import TemplateOptions
from userapi_stack.routes import ROUTES

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi_document()


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_document_is_valid_openapi_3(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_route_is_an_operation_and_nothing_else(document: dict[str, Any]) -> None:
    found = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "options"
    }
    assert found == {(route.method, route.path) for route in ROUTES}
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        assert operation["summary"] == route.summary
        assert str(route.success_status) in operation["responses"]


def test_every_path_has_a_cors_preflight(document: dict[str, Any]) -> None:
    assert set(document["paths"]) == {route.path for route in ROUTES}
    for item in document["paths"].values():
        headers = item["options"]["responses"]["200"]["headers"]
        assert "Access-Control-Allow-Methods" in headers
        assert "Access-Control-Allow-Origin" in headers


def test_a_preflight_can_be_throttled(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        throttled = item["options"]["responses"]["429"]
        assert throttled["description"] == "too_many_requests"
        assert throttled["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "Access-Control-Allow-Origin" in throttled["headers"]


def test_every_code_the_handlers_answer_is_declared(document: dict[str, Any]) -> None:
    from users import app

    def declared_codes(spec: dict[str, Any]) -> set[str]:
        error = spec["components"]["schemas"]["Error"]["properties"]["error"]
        return set(error["properties"]["code"]["enum"])

    codes = declared_codes(document)
    cognito = declared_codes(build_openapi_document(options=TemplateOptions(auth="cognito")))
    handler_codes = {error.code for error in app._DOMAIN_ERRORS.values()}
    # Only an owner mode answers user_exists; every other code is the default mode's too.
    assert handler_codes | {app.INTERNAL_ERROR.code} <= cognito
    assert handler_codes - {"user_exists"} <= codes
    assert "conflict" in codes
    delete = document["paths"]["/users/{user_id}"]["delete"]["responses"]
    assert delete["409"]["description"] == "conflict"
    put = document["paths"]["/users/{user_id}"]["put"]["responses"]
    assert put["409"]["description"] == "email_taken or conflict"


def test_only_the_list_route_requires_sigv4(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["sigv4"]
    assert scheme["in"] == "header" and scheme["name"] == "Authorization"
    secured = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    }
    assert secured == {("GET", "/users")}
    assert "403" in document["paths"]["/users"]["get"]["responses"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/users", {"201", "400", "409", "413", "415", "429", "500"}),
        ("get", "/users", {"200", "400", "403", "429", "500"}),
        ("get", "/users/{user_id}", {"200", "400", "404", "429", "500"}),
        (
            "put",
            "/users/{user_id}",
            {"200", "400", "404", "409", "412", "413", "415", "429", "500"},
        ),
        ("delete", "/users/{user_id}", {"204", "400", "404", "409", "412", "429", "500"}),
    ],
)
def test_responses_follow_the_api_contract(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert set(responses) == statuses
    for status, response in responses.items():
        assert "Access-Control-Allow-Origin" in response["headers"]
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}
    if method == "delete":
        assert "content" not in responses["204"]


def test_error_envelope_lists_every_code_of_the_contract(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message", "request_id"}
    assert set(error["properties"]["code"]["enum"]) == {
        "bad_request",
        "validation_failed",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "email_taken",
        "conflict",
        "precondition_failed",
        "payload_too_large",
        "unsupported_media_type",
        "too_many_requests",
        "internal_error",
    }


def test_method_not_allowed_is_documented_with_its_allow_header(document: dict[str, Any]) -> None:
    response = document["components"]["responses"]["MethodNotAllowed"]
    assert "method_not_allowed" in response["description"]
    assert set(response["headers"]) == {"Allow", "Access-Control-Allow-Origin"}
    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Error"}


def test_request_bodies_come_from_the_user_schema(document: dict[str, Any]) -> None:
    post = document["paths"]["/users"]["post"]["requestBody"]
    create = _resolve(document, post["content"]["application/json"]["schema"]["$ref"])
    assert set(create["required"]) == {"email", "name"}
    assert create["additionalProperties"] is False
    assert set(create["properties"]) == {"email", "name", "phone", "locale"}
    # draft-04 ["string", "null"] becomes OpenAPI 3.0's nullable.
    assert create["properties"]["phone"] == {
        "type": "string",
        "nullable": True,
        "description": create["properties"]["phone"]["description"],
        "pattern": "^\\+[1-9][0-9]{6,14}$",
    }
    put = document["paths"]["/users/{user_id}"]["put"]["requestBody"]
    update = _resolve(document, put["content"]["application/json"]["schema"]["$ref"])
    assert "required" not in update and update["minProperties"] == 1


def test_user_representation_marks_server_fields_read_only(document: dict[str, Any]) -> None:
    user = document["components"]["schemas"]["User"]
    read_only = {name for name, spec in user["properties"].items() if spec.get("readOnly")}
    assert read_only == {"user_id", "created_at", "updated_at", "version"}
    assert not any(spec.get("nullable") for spec in user["properties"].values())


def test_parameters(document: dict[str, Any]) -> None:
    listing = {p["name"]: p for p in document["paths"]["/users"]["get"]["parameters"]}
    assert listing["limit"]["schema"]["minimum"] == 1
    assert listing["limit"]["schema"]["maximum"] == 100
    assert listing["limit"]["schema"]["default"] == 25
    assert listing["next_token"]["in"] == "query"
    for method in ("get", "put", "delete"):
        names = {
            (p["in"], p["name"])
            for p in document["paths"]["/users/{user_id}"][method]["parameters"]
        }
        assert ("path", "user_id") in names
        assert (("header", "If-Match") in names) == (method != "get")


def test_server_url_can_be_replaced() -> None:
    local = build_openapi_document("http://127.0.0.1:3000")
    assert local["servers"] == [{"url": "http://127.0.0.1:3000", "description": "local"}]
    assert "execute-api" in build_openapi_document()["servers"][0]["url"]


def test_cli_writes_the_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    result = subprocess.run(
        [sys.executable, "-m", "userapi_stack", "--openapi", "--output", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == build_openapi_document()


def test_cognito_mode_secures_the_owner_routes_with_the_user_pool_scheme() -> None:
    document = build_openapi_document(options=TemplateOptions(auth="cognito"))
    validate(document)
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"cognito", "sigv4"}
    assert schemes["cognito"]["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert schemes["cognito"]["in"] == "header" and schemes["cognito"]["name"] == "Authorization"
    owner = {("post", "/users")} | {(m, "/users/{user_id}") for m in ("get", "put", "delete")}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in owner:
                assert operation["security"] == [{"cognito": []}], (method, path)
                assert "401" in operation["responses"]
            elif method == "options":
                assert "security" not in operation
    assert document["paths"]["/users"]["get"]["security"] == [{"sigv4": []}]
    post = document["paths"]["/users"]["post"]["responses"]
    assert {"401", "403", "409"} <= set(post)
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert {"unauthorized", "user_exists"} <= set(codes["code"]["enum"])


def test_mode_none_documents_no_ownership_errors(document: dict[str, Any]) -> None:
    assert "cognito" not in document["components"]["securitySchemes"]
    for item in document["paths"].values():
        for operation in item.values():
            assert "401" not in operation["responses"]
