"""DELETE /users/{user_id}: delete a user and free their email (204)."""

from __future__ import annotations

from .app import Services, api_handler, if_match, query_parameters
from .http import Request, Response
from .ownership import owned_path_user_id


@api_handler("DeleteUser")
def handler(request: Request, services: Services) -> Response:
    user_id, _ = owned_path_user_id(request)
    query_parameters(request)
    services.store.delete(user_id, if_match(request))
    services.count("UserDeleted")
    return Response(204)
