"""Auth mode cognito end to end: real HTTP, real handlers, tokens from moto's cognito-idp.

The server runs ``--auth cognito``; its identity provider (moto, on a
loopback port) issues every token the tests use: sign-up and sign-in go
through ``userapi_local.tokens`` (what ``userapi token`` runs), and a
second pool on the same provider issues the "other pool" token. Two tokens
cannot come from the issuer as they are (moto has no way to issue an
expired token, and a tampered one is tampered by definition): they are
built from a moto-issued token, the expired one re-signed with moto's own
private key, so only the property under test differs.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from local_api_fixture import NO_THROTTLING, LocalApi, SigV4, running

from userapi_dev.moto_server import free_port
from userapi_local.tokens import id_token

JSON = {"Content-Type": "application/json"}
USERAPI = Path(sys.executable).with_name("userapi")


@pytest.fixture(scope="module")
def api() -> Iterator[LocalApi]:
    with running(
        ("--auth", "cognito", "--cognito-port", str(free_port()), *NO_THROTTLING)
    ) as server:
        yield server


@pytest.fixture(scope="module")
def idp_url(api: LocalApi) -> str:
    [line] = api.log_lines_with("Cognito (moto) on ")
    found = re.search(r"on (http://127\.0\.0\.1:\d+):", line)
    assert found, line
    return found.group(1)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _create(
    api: LocalApi, http: requests.Session, token: str | None, email: str
) -> requests.Response:
    headers = {**JSON, **({"Authorization": token} if token is not None else {})}
    body = json.dumps({"email": email, "name": "Ada Lovelace"})
    return http.post(f"{api.url}/users", data=body, headers=headers, timeout=10)


def _unauthorized(response: requests.Response, message: str = "Unauthorized") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.json()["error"]["message"] == message


@pytest.fixture(scope="module")
def ada(api: LocalApi, idp_url: str, http: requests.Session) -> tuple[str, str, str]:
    """(token, email, user id) of a user who registered their profile."""
    email = _email()
    token = id_token(idp_url, email)
    answer = _create(api, http, token, email)
    assert answer.status_code == 201, answer.text
    return token, email, answer.json()["user_id"]


def test_the_profile_is_the_callers_own_keyed_by_the_tokens_sub(ada: tuple[str, str, str]) -> None:
    token, email, user_id = ada
    claims = _claims(token)
    assert claims["token_use"] == "id" and user_id == claims["sub"]


def test_the_owner_reads_changes_and_deletes_their_profile(
    api: LocalApi, idp_url: str, http: requests.Session
) -> None:
    email = _email()
    token = id_token(idp_url, email)
    auth = {"Authorization": token}
    created = _create(api, http, token, email)
    assert created.status_code == 201
    url = api.url + created.headers["Location"]
    assert http.get(url, headers=auth, timeout=10).json()["email"] == email
    changed = http.put(url, data='{"name": "Countess"}', headers={**JSON, **auth}, timeout=10)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert _create(api, http, token, email).status_code == 409  # one profile per identity
    assert http.delete(url, headers=auth, timeout=10).status_code == 204
    assert http.get(url, headers=auth, timeout=10).status_code == 404


def test_another_identity_can_neither_read_change_nor_delete_it(
    api: LocalApi, idp_url: str, http: requests.Session, ada: tuple[str, str, str]
) -> None:
    token, email, user_id = ada
    url = f"{api.url}/users/{user_id}"
    eve = {"Authorization": id_token(idp_url, _email())}
    answers = [
        http.get(url, headers=eve, timeout=10),
        http.put(url, data='{"name": "Eve"}', headers={**JSON, **eve}, timeout=10),
        http.delete(url, headers=eve, timeout=10),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    mine = http.get(url, headers={"Authorization": token}, timeout=10)
    assert mine.status_code == 200
    assert mine.json()["name"] == "Ada Lovelace" and mine.json()["version"] == 1


def test_nobody_registers_an_address_they_have_not_proven(
    api: LocalApi, idp_url: str, http: requests.Session, ada: tuple[str, str, str]
) -> None:
    unverified_email = _email()
    unverified = id_token(idp_url, unverified_email, verified=False)
    assert _create(api, http, unverified, unverified_email).status_code == 403
    # A verified user claiming someone else's (or any other) address.
    mallory_email = _email()
    mallory = id_token(idp_url, mallory_email)
    assert _create(api, http, mallory, ada[1]).status_code == 400
    assert _create(api, http, mallory, _email()).status_code == 400


def test_a_missing_token_is_the_gateways_401_before_any_handler(
    api: LocalApi, http: requests.Session, ada: tuple[str, str, str]
) -> None:
    _unauthorized(_create(api, http, None, _email()))
    _unauthorized(http.get(f"{api.url}/users/{ada[2]}", timeout=10))
    _unauthorized(_create(api, http, "", _email()))
    _unauthorized(_create(api, http, "not-a-jwt", _email()))


def _resign(token: str, changes: dict[str, Any], key: Any) -> str:
    claims = {**_claims(token), **changes}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


def _moto_private_key() -> RSAKey:
    raw = resources.files("moto").joinpath("cognitoidp/resources/jwks-private.json.gz").read_bytes()
    return RSAKey.import_key(json.loads(gzip.decompress(raw)))


def test_expired_tampered_and_badly_signed_tokens_are_401(
    api: LocalApi, idp_url: str, http: requests.Session
) -> None:
    email = _email()
    token = id_token(idp_url, email)
    expired = _resign(token, {"exp": int(time.time()) - 60}, _moto_private_key())
    _unauthorized(_create(api, http, expired, email), "The incoming token has expired")
    header, payload, signature = token.split(".")
    forged = _claims(token) | {"sub": str(uuid.uuid4())}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    _unauthorized(_create(api, http, f"{header}.{forged_payload}.{signature}", email))
    stranger = RSAKey.generate_key(2048, {"kid": "dummy"})
    _unauthorized(_create(api, http, _resign(token, {}, stranger), email))
    # The untouched token still works: the refusals were about the changes.
    assert _create(api, http, token, email).status_code == 201


def test_a_token_of_another_pool_or_an_access_token_is_401(
    api: LocalApi, idp_url: str, http: requests.Session
) -> None:
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=idp_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    pool = idp.create_user_pool(PoolName="someone-elses", UsernameAttributes=["email"])
    pool_id = pool["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="theirs")[
        "UserPoolClient"
    ]["ClientId"]
    email = _email()
    idp.sign_up(
        ClientId=client_id,
        Username=email,
        Password="Other-passw0rd-1",
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    idp.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": "Other-passw0rd-1"},
    )["AuthenticationResult"]
    # Same moto signing key as our pool: only iss tells it apart.
    _unauthorized(_create(api, http, result["IdToken"], email))
    idp.delete_user_pool(UserPoolId=pool_id)  # token expects the server's one pool
    ours = id_token(idp_url, email)
    _unauthorized(_create(api, http, _access_token(idp_url, email), email))
    assert _create(api, http, ours, email).status_code == 201


def _access_token(idp_url: str, email: str) -> str:
    from userapi_local.tokens import DEFAULT_PASSWORD, _client, find_pool

    idp = _client(idp_url, "us-east-1")
    pool = find_pool(idp, idp_url)
    return idp.admin_initiate_auth(
        UserPoolId=pool.user_pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": DEFAULT_PASSWORD},
    )["AuthenticationResult"]["AccessToken"]


def test_the_list_stays_sigv4_and_preflights_stay_open(
    api: LocalApi, http: requests.Session
) -> None:
    assert http.get(f"{api.url}/users", timeout=10).status_code == 403
    assert http.get(f"{api.url}/users", auth=SigV4(), timeout=10).status_code == 200
    preflight = http.options(f"{api.url}/users/{uuid.uuid4()}", timeout=10)
    assert preflight.status_code == 200
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_served_openapi_document_declares_the_user_pool_scheme(
    api: LocalApi, http: requests.Session
) -> None:
    document = http.get(f"{api.url}/openapi.json", timeout=10).json()
    assert document["paths"]["/users"]["post"]["security"] == [{"cognito": []}]
    assert document["paths"]["/users"]["get"]["security"] == [{"sigv4": []}]
    assert "401" in document["paths"]["/users/{user_id}"]["get"]["responses"]


def test_token_command_prints_an_id_token(idp_url: str) -> None:
    email = _email()
    result = subprocess.run(
        [str(USERAPI), "token", email, "--endpoint", idp_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    claims = _claims(result.stdout.strip())
    assert claims["email"] == email and claims["token_use"] == "id"
    assert claims["email_verified"] == "true"


def test_token_without_a_server_is_one_line_and_exit_1() -> None:
    result = subprocess.run(
        [
            str(USERAPI),
            "token",
            "a@example.com",
            "--endpoint",
            f"http://127.0.0.1:{free_port()}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "userapi local --auth cognito" in result.stderr


def test_the_identity_provider_port_serves_cognito_only(idp_url: str) -> None:
    from botocore.exceptions import ClientError

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=idp_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    # The embedded tables are not reachable through it, behind the API's back.
    with pytest.raises(ClientError):
        dynamodb.list_tables()


def test_a_taken_identity_provider_port_is_one_line_and_exit_1() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                str(USERAPI),
                "local",
                "--auth",
                "cognito",
                "--port",
                "0",
                "--cognito-port",
                str(port),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"userapi local: error: cannot serve Cognito on 127.0.0.1:{port}: Address already in use"
    ]


def test_local_token_for_an_existing_user_with_another_password_is_one_line(
    idp_url: str,
) -> None:
    email = _email()
    id_token(idp_url, email)
    result = subprocess.run(
        [str(USERAPI), "token", email, "--password", "Another-passw0rd", "--endpoint", idp_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        f"userapi token: error: {email} exists with another password (pass --password)"
    )
