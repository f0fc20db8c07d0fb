"""A token for a local test user: what an app's sign-up and sign-in end with.

Against the local identity provider (``userapi local --auth cognito``), in
the order an app goes through: SignUp with the app client (public: no
secret), the email confirmation, sign-in, the ID token. Two steps are local
stand-ins, said plainly: the emailed confirmation code is replaced by
AdminConfirmSignUp plus ``email_verified = true`` (what confirming the code
does in Cognito; moto's ConfirmSignUp sets neither reliably), and sign-in
uses ADMIN_USER_PASSWORD_AUTH instead of SRP (an SRP exchange needs an SDK
such as Amplify; the deployed app client allows SRP and refresh only).
A user who already exists signs in again with the same password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Meets the pool's password policy (12+ characters, upper, lower, digit).
DEFAULT_PASSWORD = "Local-test-passw0rd"


class TokenError(Exception):
    """A step failed in a way the user can act on (one line)."""


@dataclass(frozen=True)
class LocalPool:
    user_pool_id: str
    client_id: str


def _client(endpoint: str, region: str) -> Any:
    import boto3

    # The local identity provider checks no signature; any key pair will do.
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def find_pool(idp: Any, endpoint: str) -> LocalPool:
    """The one user pool the local server created, and its app client."""
    from botocore.exceptions import EndpointConnectionError

    try:
        pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    except EndpointConnectionError:
        raise TokenError(
            f"no identity provider at {endpoint}: start `userapi local --auth cognito` first"
        ) from None
    if len(pools) != 1:
        raise TokenError(f"expected one user pool at {endpoint}, found {len(pools)}")
    pool_id = pools[0]["Id"]
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if not clients:
        raise TokenError(f"user pool {pool_id} has no app client")
    return LocalPool(pool_id, clients[0]["ClientId"])


def id_token(
    endpoint: str,
    email: str,
    password: str = DEFAULT_PASSWORD,
    *,
    verified: bool = True,
    region: str = "us-east-1",
) -> str:
    """Sign ``email`` up (if new), confirm it, sign in; return the ID token."""
    idp = _client(endpoint, region)
    pool = find_pool(idp, endpoint)
    errors = idp.exceptions
    try:
        idp.sign_up(
            ClientId=pool.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    except errors.UsernameExistsException:
        pass  # sign in again below
    except errors.InvalidPasswordException as exc:
        raise TokenError(
            f"password refused by the pool's policy: {exc.response['Error']['Message']}"
        ) from None
    except errors.InvalidParameterException as exc:
        raise TokenError(exc.response["Error"]["Message"]) from None
    idp.admin_confirm_sign_up(UserPoolId=pool.user_pool_id, Username=email)
    idp.admin_update_user_attributes(
        UserPoolId=pool.user_pool_id,
        Username=email,
        UserAttributes=[{"Name": "email_verified", "Value": "true" if verified else "false"}],
    )
    try:
        answer = idp.admin_initiate_auth(
            UserPoolId=pool.user_pool_id,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (errors.NotAuthorizedException, errors.UserNotFoundException):
        raise TokenError(f"{email} exists with another password (pass --password)") from None
    return str(answer["AuthenticationResult"]["IdToken"])
