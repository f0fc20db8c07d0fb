"""GET /users: one page of users, ``{"users": [...], "next_token": ...}``."""

from __future__ import annotations

from .app import Services, api_handler, query_parameters
from .http import Request, Response
from .pagination import decode_token, encode_token, parse_limit


@api_handler("ListUsers")
def handler(request: Request, services: Services) -> Response:
    query = query_parameters(request, allowed=("limit", "next_token"))
    limit = parse_limit(query.get("limit"))
    token = query.get("next_token")
    after = decode_token(token) if token is not None else None
    users, last = services.store.list_page(limit, after)
    return Response(200, {"users": users, "next_token": encode_token(last) if last else None})
