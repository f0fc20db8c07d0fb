"""GET /users: one page of users, ``{"users": [...], "next_token": ...}``."""

from __future__ import annotations

from .app import Services, api_handler, query_parameters
from .config import environment_name
from .http import Request, Response
from .pagination import decode_token, encode_token, parse_limit
from .settings import PAGINATION_KEY


@api_handler("ListUsers")
def handler(request: Request, services: Services) -> Response:
    query = query_parameters(request, allowed=("limit", "next_token"))
    limit = parse_limit(query.get("limit"))
    key, environment = services.config.secret(PAGINATION_KEY), environment_name()
    token = query.get("next_token")
    after = decode_token(token, key, environment) if token is not None else None
    users, last = services.store.list_page(limit, after)
    following = encode_token(last, key, environment) if last else None
    return Response(200, {"users": users, "next_token": following})
