"""POST /users: register a user (201, Location, ETag).

In auth mode cognito the new profile is the caller's own: its id is the
token's ``sub`` and its email the token's verified one (ownership.py).
"""

from __future__ import annotations

from .app import Services, api_handler, etag, query_parameters
from .http import Request, Response
from .model import parse_create
from .ownership import caller


def location(request: Request, user_id: str) -> str:
    """Where the new user lives, as an absolute path the client can follow.

    requestContext.path is the path the client called, with the stage
    (``/dev/users``) or a custom domain's base path; event ``path`` is the
    resource path (``/users``). Their difference is the prefix to keep.
    Without a usable requestContext.path, ``/users/<id>``.
    """
    prefix = ""
    client_path, path = request.client_path or "", request.path.rstrip("/") or "/users"
    if client_path.rstrip("/").endswith(path):
        prefix = client_path.rstrip("/")[: -len(path)]
    return f"{prefix}/users/{user_id}"


@api_handler("CreateUser")
def handler(request: Request, services: Services) -> Response:
    owner = caller(request)
    query_parameters(request)
    changes = parse_create(request.json_object())
    if owner is not None:  # the caller's own profile: their sub, their verified email
        owner.claim_email(changes.set_fields["email"])
    user = services.store.create(changes.set_fields, owner.user_id if owner else None)
    services.count("UserCreated")
    return Response(201, user, {"Location": location(request, user["user_id"]), "ETag": etag(user)})
