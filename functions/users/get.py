"""GET /users/{user_id}: read a user (200, ETag)."""

from __future__ import annotations

from .app import Services, api_handler, etag, query_parameters
from .http import Request, Response
from .ownership import owned_path_user_id


@api_handler("GetUser")
def handler(request: Request, services: Services) -> Response:
    user_id, _ = owned_path_user_id(request)
    query_parameters(request)
    user = services.store.get(user_id)
    return Response(200, user, {"ETag": etag(user)})
