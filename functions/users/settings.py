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

#: How long a container keeps configuration before reading SSM again.
CONFIG_TTL_SECONDS = 300

#: List page size (``limit``): the default and the largest accepted (API.md "List").
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
