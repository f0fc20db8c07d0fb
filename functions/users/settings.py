"""Names shared by the handlers and the template that deploys them.

The template (userapi_stack) imports this module to name the environment
variables it sets and the SSM parameters it creates and grants, and the
OpenAPI document to state the list page sizes; the handlers import it to
read them. One definition, so the two cannot drift apart.
Standard library only, and nothing here touches AWS.
"""

from __future__ import annotations

#: Environment variables the template gives every function. Nothing else is
#: passed through the environment: runtime configuration lives in SSM.
ENV_USERS_TABLE = "USERS_TABLE"
ENV_EMAILS_TABLE = "EMAILS_TABLE"
ENV_CONFIG_PATH = "CONFIG_PATH"  # e.g. "/dev/api/" (leading and trailing slash)
#: The auth mode the template was built with (``--auth``): in ``cognito`` the
#: handlers hold every caller to the profile whose user_id is their token's sub.
ENV_AUTH_MODE = "AUTH_MODE"
AUTH_NONE = "none"
AUTH_COGNITO = "cognito"
AUTH_MODES = (AUTH_NONE, AUTH_COGNITO)

#: SSM String parameters under CONFIG_PATH that the functions read, and may
#: read (their roles allow exactly these ARNs).
CONFIG_PARAMETERS = ("APP_NAME", "CORS_ALLOW_ORIGIN")

#: SSM SecureString parameters under CONFIG_PATH (secrets), each with the
#: routes (routes.py names) whose function reads it: only those roles may
#: read and decrypt it. CloudFormation cannot create SecureString
#: parameters, so the template only grants them; ``userapi secret set``
#: writes them and ``userapi deploy`` refuses while one is missing.
#: PAGINATION_KEY: the HMAC key that signs ``next_token`` (pagination.py).
PAGINATION_KEY = "PAGINATION_KEY"
SECRET_PARAMETERS: dict[str, tuple[str, ...]] = {PAGINATION_KEY: ("ListUsers",)}

#: Secrets the tool generates itself when missing (deploy creates them and
#: says so): name -> bytes of randomness, written URL-safe base64 encoded.
#: A value set by hand must be at least as long as a generated one.
GENERATED_SECRETS: dict[str, int] = {PAGINATION_KEY: 32}


def secrets_of(route: str) -> tuple[str, ...]:
    """The secrets the function of ``route`` reads, in declaration order."""
    return tuple(name for name, routes in SECRET_PARAMETERS.items() if route in routes)


#: How long a container keeps configuration before reading SSM again.
CONFIG_TTL_SECONDS = 300

#: List page size (``limit``): the default and the largest accepted (API.md "List").
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
