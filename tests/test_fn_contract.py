"""Code and infrastructure cannot drift apart.

The synthesized template names each function's handler and grants its role
a set of DynamoDB and SSM actions. Here every handler string must resolve
to a callable in functions/, and the actions each handler really sends
(recorded with botocore's event hooks while it serves its requests, with a
transaction counted per item: Put -> PutItem...) must be exactly what its
role allows. Also: the per-request AWS call budget, and the handler code's
Python-version and dependency constraints.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig
from fn_support import (
    CONFIG_PATH,
    TABLE_NAMES,
    CallRecorder,
    handler_clients,
    invoke,
    json_body,
    moto_api,
    proxy_event,
)
from users import config, create, delete, get, settings, update
from users import list as list_users

from userapi_stack.template import build_template

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
TRANSACTION_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
TABLE_LOGICAL_IDS = {"users": "UsersTable", "emails": "EmailsTable"}


@pytest.fixture(scope="module")
def template():
    return build_template().to_dict()


def _functions(template):
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def _resolve_handler(handler: str):
    module_name, _, attribute = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute, None)


def test_every_function_handler_resolves_to_a_callable_in_functions(template):
    functions = _functions(template)
    assert len(functions) == 5
    for logical_id, resource in functions.items():
        handler = _resolve_handler(resource["Properties"]["Handler"])
        assert callable(handler), logical_id
        module = sys.modules[handler.__module__]
        assert Path(module.__file__).resolve().is_relative_to(FUNCTIONS_DIR)
        # The wrapper logs the route name the template uses for the function.
        assert f"{handler.route}Function" == logical_id


# -- recorded actions versus granted actions -------------------------


def _table_role(name: str) -> str:
    return next(role for role, table in TABLE_NAMES.items() if table == name)


def _iam_actions(calls) -> set[tuple[str, str]]:
    """(IAM action, resource) for each recorded call; resources as template ids / names."""
    granted = set()
    for service, operation, params in calls:
        if service == "dynamodb" and operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                (kind, body) = next(iter(item.items()))
                table = TABLE_LOGICAL_IDS[_table_role(body["TableName"])]
                granted.add((f"dynamodb:{TRANSACTION_ITEM_ACTIONS[kind]}", table))
        elif service == "dynamodb":
            granted.add(
                (f"dynamodb:{operation}", TABLE_LOGICAL_IDS[_table_role(params["TableName"])])
            )
        elif service == "ssm":
            for name in params["Names"]:
                granted.add((f"ssm:{operation}", name))
        else:  # pragma: no cover - a new client would need a test and a grant
            raise AssertionError(f"unexpected service {service}")
    return granted


def _allowed(template, function_logical_id: str) -> set[tuple[str, str]]:
    """(action, resource) pairs the function's role allows, for DynamoDB and SSM."""
    role_id = template["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    environment = CONFIG_PATH.strip("/").split("/")[0]
    allowed = set()
    for policy in template["Resources"][role_id]["Properties"]["Policies"]:
        if "PolicyDocument" not in policy:  # the conditional X-Ray policy
            continue
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                if not action.startswith(("dynamodb:", "ssm:")):
                    continue
                for resource in statement["Resource"]:
                    if "Fn::GetAtt" in resource:
                        allowed.add((action, resource["Fn::GetAtt"][0]))
                    else:
                        arn = resource["Fn::Sub"].replace("${Environment}", environment)
                        allowed.add((action, re.sub(r"^arn:.*:parameter", "", arn)))
    return allowed


def _user(email="ada@example.com"):
    answer = invoke(
        create, proxy_event("POST", "/users", body=json_body({"email": email, "name": "Ada"}))
    )
    assert answer.status == 201
    return answer.json["user_id"]


def _scenario_create(_):
    yield lambda: invoke(
        create, proxy_event("POST", "/users", body=json_body({"email": "b@b.co", "name": "B"}))
    )


def _scenario_list(_):
    yield lambda: invoke(list_users, proxy_event("GET", "/users", query={"limit": ["1"]}))


def _scenario_get(user_id):
    yield lambda: invoke(get, proxy_event("GET", f"/users/{user_id}", user_id=user_id))


def _scenario_update(user_id):
    path = f"/users/{user_id}"
    yield lambda: invoke(
        update, proxy_event("PUT", path, user_id=user_id, body=json_body({"name": "N"}))
    )
    yield lambda: invoke(
        update, proxy_event("PUT", path, user_id=user_id, body=json_body({"email": "c@c.co"}))
    )


def _scenario_delete(user_id):
    yield lambda: invoke(delete, proxy_event("DELETE", f"/users/{user_id}", user_id=user_id))


SCENARIOS = {
    "CreateUserFunction": (_scenario_create, 201),
    "ListUsersFunction": (_scenario_list, 200),
    "GetUserFunction": (_scenario_get, 200),
    "UpdateUserFunction": (_scenario_update, 200),
    "DeleteUserFunction": (_scenario_delete, 204),
}


@pytest.mark.parametrize("function", sorted(SCENARIOS))
def test_the_role_allows_exactly_the_actions_the_handler_makes(template, function):
    assert set(SCENARIOS) == set(_functions(template))
    scenario, status = SCENARIOS[function]
    recorder = CallRecorder()
    with moto_api():
        user_id = _user()
        config.CONFIG.clear()  # a fresh container: the SSM read is part of what is recorded
        with recorder.watching(*handler_clients()):
            for request in scenario(user_id):
                assert request().status == status
    assert _iam_actions(recorder.calls) == _allowed(template, function)


# -- the call budget per request -------------------------------------


@pytest.mark.parametrize(
    ("scenario", "most_dynamodb_calls"),
    [
        (_scenario_create, 1),
        (_scenario_list, 1),
        (_scenario_get, 1),
        (_scenario_update, 2),
        (_scenario_delete, 2),
    ],
)
def test_warm_requests_stay_in_the_call_budget_and_never_call_ssm(scenario, most_dynamodb_calls):
    with moto_api():
        user_id = _user()  # warms the container: configuration read
        # A container serves one route, so its first request read that route's
        # secrets too; here one process plays every route, so hold them all.
        config.CONFIG.get(settings.SECRET_PARAMETERS)
        for request in scenario(user_id):
            recorder = CallRecorder()
            with recorder.watching(*handler_clients()):
                request()
            assert recorder.operations("ssm") == []
            dynamodb = recorder.operations("dynamodb")
            assert 1 <= len(dynamodb) <= most_dynamodb_calls
            if most_dynamodb_calls == 1:
                assert len(dynamodb) == 1


def test_a_cold_start_reads_ssm_once_with_both_names():
    recorder = CallRecorder()
    with moto_api(), recorder.watching(*handler_clients()):
        for _ in range(3):
            invoke(get, proxy_event("GET", "/users/x", user_id="x"))
    ssm_calls = [params for service, _, params in recorder.calls if service == "ssm"]
    assert recorder.operations("ssm") == ["GetParameters"]
    assert sorted(ssm_calls[0]["Names"]) == [
        CONFIG_PATH + "APP_NAME",
        CONFIG_PATH + "CORS_ALLOW_ORIGIN",
    ]


def test_a_malformed_id_never_reaches_dynamodb():
    recorder = CallRecorder()
    with moto_api():
        config.CONFIG.get()
        with recorder.watching(*handler_clients()):
            for module, method in ((get, "GET"), (update, "PUT"), (delete, "DELETE")):
                answer = invoke(module, proxy_event(method, "/users/1", user_id="1", body="{}"))
                assert answer.status == 404
    assert recorder.calls == []


def test_the_configuration_is_read_again_after_its_ttl_and_kept_if_ssm_fails():
    clock = [0.0]
    with moto_api() as api:
        cache = config.ConfigCache(config.SSM, ttl=300, clock=lambda: clock[0])
        recorder = CallRecorder()
        with recorder.watching(config.SSM):
            first = cache.get()
            clock[0] = 299
            cache.get()
            assert len(recorder.calls) == 1
            api.ssm.put_parameter(
                Name=CONFIG_PATH + "CORS_ALLOW_ORIGIN",
                Value="https://new.example",
                Overwrite=True,
                Type="String",
            )
            clock[0] = 300
            assert cache.get().cors_allow_origin == "https://new.example"
            assert len(recorder.calls) == 2
    # SSM unreachable (connection refused on a closed local port): the held values stay.
    unreachable = boto3.client(
        "ssm",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=BotoConfig(retries={"total_max_attempts": 1}, connect_timeout=1),
    )
    stale = config.ConfigCache(unreachable, ttl=300, clock=lambda: clock[0])
    with pytest.raises(Exception, match="Could not connect"):
        stale.get()  # nothing held yet: the failure surfaces (the request answers 500)
    stale._value, stale._expires = first, 0.0  # a container that read SSM earlier
    assert stale.get() == first


# -- the code itself -----------------------------------------------------


def _handler_sources():
    sources = sorted(FUNCTIONS_DIR.rglob("*.py"))
    assert len(sources) >= 10
    return sources


def test_handler_code_parses_as_python_3_9():
    for path in _handler_sources():
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


def test_handler_code_imports_only_the_standard_library_and_boto3():
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "users"}
    for path in _handler_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_handler_code_never_uses_boto3_resources():
    for path in _handler_sources():
        assert "resource(" not in path.read_text(encoding="utf-8"), path.name
