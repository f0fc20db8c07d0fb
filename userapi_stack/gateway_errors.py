"""How API Gateway's own refusals are rewritten into API.md's error envelope.

Shared by the core API (``api.py``) and the features that add refusals of
their own (an auth mode's UNAUTHORIZED, say): each names its errors here,
``api.py`` renders every one as a GatewayResponse with CORS headers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayError:
    """How one API Gateway response type is rewritten into API.md's envelope."""

    response_type: str
    #: None keeps the status API Gateway chose (the DEFAULT_* catch-alls).
    status: str | None
    code: str
    #: A JSON value: a quoted literal, or a ``$context`` variable.
    message: str


GATEWAY_ERRORS: tuple[GatewayError, ...] = (
    GatewayError("DEFAULT_4XX", None, "bad_request", "$context.error.messageString"),
    GatewayError("DEFAULT_5XX", None, "internal_error", '"Internal server error"'),
    # The body validator's answer. Gateway response templates get plain
    # variable substitution, no VTL, so nothing can escape
    # $context.error.validationErrorString (it holds double quotes and echoes
    # the offending value, an email say); a fixed message is the safe choice.
    GatewayError(
        "BAD_REQUEST_BODY",
        "400",
        "validation_failed",
        '"request body does not match the schema (see the OpenAPI document)"',
    ),
    GatewayError("BAD_REQUEST_PARAMETERS", "400", "bad_request", "$context.error.messageString"),
    GatewayError("ACCESS_DENIED", "403", "forbidden", '"Forbidden"'),
    GatewayError("INVALID_SIGNATURE", "403", "forbidden", '"Forbidden: invalid signature"'),
    GatewayError("EXPIRED_TOKEN", "403", "forbidden", '"Forbidden: expired credentials"'),
    # An unsigned call to an AWS_IAM method (unknown routes never get here:
    # the MOCK catch-alls answer them).
    GatewayError("MISSING_AUTHENTICATION_TOKEN", "403", "forbidden", '"Forbidden"'),
    GatewayError("RESOURCE_NOT_FOUND", "404", "not_found", '"Not found"'),
    GatewayError("REQUEST_TOO_LARGE", "413", "payload_too_large", '"Payload too large"'),
    GatewayError(
        "UNSUPPORTED_MEDIA_TYPE", "415", "unsupported_media_type", '"Unsupported media type"'
    ),
    GatewayError("THROTTLED", "429", "too_many_requests", '"Too many requests"'),
)


def error_envelope(code: str, message: str) -> str:
    """API.md's error body as a template; ``message`` is a JSON value (quoted
    literal or an already-quoted ``$context`` variable)."""
    return f'{{"error":{{"code":"{code}","message":{message},"request_id":"$context.requestId"}}}}'
