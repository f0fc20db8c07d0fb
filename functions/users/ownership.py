"""Auth mode ``cognito``: a caller owns exactly one profile, the one whose id is their ``sub``.

API Gateway's COGNITO_USER_POOLS authorizer has already verified the ID
token (signature, issuer, expiry, audience) and hands its claims over as
``requestContext.authorizer.claims``, a flat map of strings. This module
only applies them; it verifies no token and calls nothing (no JWT library,
no Cognito call: the gateway did that, and its answer is cached per token).

The mode comes from ``AUTH_MODE``, which the template sets; it is never
guessed from the event, so a request without claims in cognito mode is
refused (401) rather than served as mode ``none``. Decisions (README, "Auth"):

- Another identity's profile is **404**, exactly as a missing one: the
  answer never reveals that a profile exists, and nothing is read.
- The profile's email is the token's email and must be verified
  (``email_verified`` is ``"true"``), else 403. A body email that differs is
  **refused** (400), not silently replaced: a client asking to store one
  address and getting another would be a bug nobody notices.
- An email change is accepted only when the new address is the token's
  verified email: the address belongs to Cognito, so a user changes it there
  (and confirms the code), signs in again, then sends it here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import settings
from .app import USER_ID_PATTERN, path_user_id
from .http import ApiError, Request, not_found

#: Read once per container, like the rest of the environment. Anything but
#: ``none`` holds callers to their own profile (fails closed).
OWNER_ONLY = os.environ.get(settings.ENV_AUTH_MODE, settings.AUTH_NONE) != settings.AUTH_NONE


def unauthorized(message: str = "a verified identity token is required") -> ApiError:
    return ApiError(401, "unauthorized", message)


@dataclass(frozen=True)
class Owner:
    """The verified caller: their profile id and the email Cognito vouches for."""

    user_id: str
    email: str
    email_verified: bool

    def claim_email(self, requested: str) -> str:
        """``requested`` if it is this caller's verified address; else the error to answer."""
        if requested != self.email:
            raise ApiError(
                400,
                "validation_failed",
                "email: must be the address of your sign-in (change it in Cognito first)",
            )
        if not self.email_verified:
            raise ApiError(
                403, "forbidden", "email: not verified yet; confirm it, then sign in again"
            )
        return requested


def caller(request: Request) -> Owner | None:
    """The proven caller in cognito mode (401 without usable claims); None in mode none."""
    if not OWNER_ONLY:
        return None
    claims = request.claims
    sub = claims.get("sub", "")
    if not claims or not USER_ID_PATTERN.match(sub):
        raise unauthorized()
    return Owner(
        user_id=sub.lower(),
        email=claims.get("email", "").strip().lower(),
        email_verified=claims.get("email_verified") == "true",
    )


def owned_path_user_id(request: Request) -> tuple[str, Owner | None]:
    """The path's user id if the caller may touch it, and the caller.

    401 first (no identity), then 404 for an id the server cannot have
    issued or that is another identity's: neither reads anything.
    """
    owner = caller(request)
    user_id = path_user_id(request)
    if owner is not None and owner.user_id != user_id:
        raise not_found()
    return user_id, owner
