"""One request through the emulated API Gateway, in the gateway's order.

size limit -> route match -> caller check (SigV4, user-pool token) ->
API key and usage plan -> request validator -> MOCK or
Lambda proxy integration. Every refusal on the way is a gateway response
from the template; every answer gets ``x-amzn-RequestId`` like AWS's.
"""

from __future__ import annotations

import json
import sys
import traceback
import uuid
from dataclasses import dataclass, replace
from typing import Any

from userapi_stack.openapi import build_openapi_document
from userapi_stack.options import TemplateOptions

from .api_keys import ApiKeyGate
from .authorizers import Admission, CallerCheck, check_every_method
from .events import IncomingRequest, proxy_event
from .gateway import (
    MAX_REQUEST_BYTES,
    GatewayError,
    GatewayResponses,
    HttpResponse,
    mock_response,
    refuse_mock_media_type,
    validate_request,
)
from .routing import Router, single_leading_slash
from .runtime import FunctionRunner, LambdaFailure, failure_error
from .template_reader import TemplateReader
from .throttle import stage_bucket

#: Served by the local server itself (not part of the API).
OPENAPI_PATH = "/openapi.json"


@dataclass
class Outcome:
    """The response plus what the access log needs."""

    response: HttpResponse
    resource: str


class LocalApi:
    """The template's API, answering requests."""

    def __init__(
        self,
        reader: TemplateReader,
        router: Router,
        runner: FunctionRunner,
        checks: dict[str, CallerCheck],
        auth: str = "none",
        api_keys: ApiKeyGate | None = None,
    ) -> None:
        check_every_method(checks, router.methods)
        self.reader = reader
        self.router = router
        self.responses = GatewayResponses(reader)
        self.runner = runner
        #: AuthorizationType -> the check API Gateway runs for it.
        self.checks = checks
        #: The template's auth mode, for the OpenAPI document it serves.
        self.auth = auth
        self.stage = self._stage_name()
        self.base_path = self._base_path()
        self.throttle = stage_bucket(reader)
        #: The usage plan's keys; None when no method requires one.
        self.api_keys = api_keys
        if api_keys is None and any(m.api_key_required for m in router.methods):
            raise ValueError("the template requires API keys: give the server some")

    def _stage_name(self) -> str:
        stages = self.reader.of_type("AWS::ApiGateway::Stage")
        for logical_id in stages:
            return str(self.reader.properties(logical_id).get("StageName", "local"))
        return "local"

    def _base_path(self) -> str | None:
        """The custom domain's base path (``v1``), when the template maps one."""
        for logical_id in self.reader.of_type("AWS::ApiGateway::BasePathMapping"):
            base = self.reader.properties(logical_id).get("BasePath")
            if base:
                return str(base)
        return None

    def openapi(self, base_url: str) -> HttpResponse:
        body = json.dumps(
            build_openapi_document(
                base_url, TemplateOptions(auth=self.auth, api_keys=self.api_keys is not None)
            ),
            indent=2,
            sort_keys=True,
        )
        return HttpResponse(200, [("Content-Type", "application/json")], body.encode("utf-8"))

    def _refuse(self, error: GatewayError, request: IncomingRequest) -> HttpResponse:
        return self.responses.render(error, request.request_id)

    def handle(self, request: IncomingRequest) -> Outcome:
        """Answer one request; never raises, whatever a client sends.

        A failure of the emulator itself is API Gateway's 500 (the
        ``DEFAULT_5XX`` envelope, CORS included), with the traceback in the
        server's log only, like a handler's failure is its 502.
        """
        try:
            response, resource = self._dispatch(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            error = GatewayError("DEFAULT_5XX", "Internal server error", 500)
            response, resource = self._refuse(error, request), "-"
        return Outcome(self._with_request_id(response, request.request_id), resource)

    def http_error(self, status: int, message: str) -> tuple[HttpResponse, str]:
        """A refusal at the HTTP level (before any request exists), and its request id.

        Rendered as the template's ``DEFAULT_4XX`` gateway response with the
        HTTP status, so a malformed request line, header block or body gets
        the same envelope and CORS headers as any other client error.
        """
        request_id = str(uuid.uuid4())
        error = GatewayError("DEFAULT_4XX", message, status)
        response = self.responses.render(error, request_id)
        return self._with_request_id(response, request_id), request_id

    @staticmethod
    def _with_request_id(response: HttpResponse, request_id: str) -> HttpResponse:
        headers = [*response.headers, ("x-amzn-RequestId", request_id)]
        if response.body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))  # the gateway's default
        return HttpResponse(response.status, headers, response.body)

    def without_stage(self, path: str) -> str:
        """``/dev/users`` -> ``/users``: the API also answers under its stage
        name, as the execute-api URL does, so a ``Location`` the handlers build
        from ``requestContext.path`` (``/dev/users/<id>``) resolves here too."""
        return self.split_prefix(path)[1]

    def split_prefix(self, path: str) -> tuple[str, str]:
        """(public prefix, API path): ``/dev/users`` -> ``("/dev", "/users")``.

        The prefix is what ``requestContext.path`` starts with: the stage
        name on the execute-api URL, or the custom domain's base path
        (``/v1/users`` -> ``("/v1", "/users")``), as on AWS; a path with
        neither is the stage's.
        """
        for name in (self.stage, self.base_path):
            prefix = f"/{name}"
            if name and (path == prefix or path.startswith(f"{prefix}/")):
                return prefix, path[len(prefix) :] or "/"
        return f"/{self.stage}", path

    def _dispatch(self, request: IncomingRequest) -> tuple[HttpResponse, str]:
        signed_path = request.path  # what a client signed: the URL it called
        public_prefix, path = self.split_prefix(single_leading_slash(request.path))
        path = single_leading_slash(path)
        request = replace(request, path=path)
        if len(request.body) > MAX_REQUEST_BYTES:
            error = GatewayError("REQUEST_TOO_LARGE", "Request Too Long", 413)
            return self._refuse(error, request), "-"
        if self.throttle is not None and not self.throttle.take():
            return self._refuse(GatewayError("THROTTLED", "Too Many Requests", 429), request), "-"
        match = self.router.match(request.method, request.path)
        if match is None:  # AWS's answer to a route the template does not catch
            message = "Missing Authentication Token"
            error = GatewayError("MISSING_AUTHENTICATION_TOKEN", message, 403)
            return self._refuse(error, request), "-"
        method = match.method
        headers = dict(request.headers)
        verdict = self.checks[method.authorization].check(request, signed_path, method)
        if not isinstance(verdict, Admission):
            return self._refuse(verdict.error, request), method.resource_path
        if self.api_keys is not None:
            refusal = self.api_keys.check(method, headers)
            if refusal is not None:
                return self._refuse(refusal, request), method.resource_path
        invalid = validate_request(method, headers, request.query, request.body)
        if invalid is not None:
            return self._refuse(invalid, request), method.resource_path
        if method.mock is not None:
            if refuse_mock_media_type(method, headers, request.body):
                error = GatewayError("UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", 415)
                return self._refuse(error, request), method.resource_path
            return mock_response(method, request.request_id), method.resource_path
        assert method.function is not None
        event: dict[str, Any] = proxy_event(
            request,
            resource_path=method.resource_path,
            path_parameters=match.path_parameters,
            stage=self.stage,
            public_prefix=public_prefix,
            api_key=self.api_keys.key_of(headers)
            if method.api_key_required and self.api_keys
            else None,
            access_key=verdict.access_key,
            authorizer=verdict.authorizer,
        )
        try:
            response = self.runner.invoke(method.function.logical_id, event)
        except LambdaFailure:
            return self._refuse(failure_error(), request), method.resource_path
        return response, method.resource_path
