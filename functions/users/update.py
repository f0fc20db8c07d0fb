"""PUT /users/{user_id}: partial update (200, ETag); If-Match gives 412 on mismatch."""

from __future__ import annotations

from .app import Services, api_handler, etag, if_match, query_parameters
from .http import Request, Response
from .model import parse_update
from .ownership import owned_path_user_id


@api_handler("UpdateUser")
def handler(request: Request, services: Services) -> Response:
    user_id, owner = owned_path_user_id(request)
    query_parameters(request)
    changes = parse_update(request.json_object())
    if owner is not None and "email" in changes.set_fields:
        owner.claim_email(changes.set_fields["email"])
    user = services.store.update(
        user_id, changes.set_fields, changes.remove_fields, if_match(request)
    )
    return Response(200, user, {"ETag": etag(user)})
