"""SigV4 verification for AWS_IAM methods, by recomputing with botocore.

API Gateway checks an IAM-authorized request in this order: no
``Authorization`` header at all is ``MISSING_AUTHENTICATION_TOKEN`` (AWS's
own, misleading, "Missing Authentication Token"); a header that is malformed,
scoped to another region or service, too old, signed by an unknown key or
with the wrong signature is ``INVALID_SIGNATURE``. There is no IAM here, so
"known key" means the one access key id the server was started with, and the
signature is recomputed with its secret using botocore's own SigV4 code
(canonical request, string to sign, signing key): the same algorithm every
AWS SDK and ``curl --aws-sigv4`` sign with.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
ALGORITHM = "AWS4-HMAC-SHA256"
#: AWS refuses signatures dated more than 15 minutes away from its clock.
MAX_SKEW = dt.timedelta(minutes=15)
DEFAULT_ACCESS_KEY_ID = "testing"
DEFAULT_SECRET_ACCESS_KEY = "testing"

MISSING = "MISSING_AUTHENTICATION_TOKEN"
INVALID = "INVALID_SIGNATURE"

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM}\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the gateway response type and its message."""

    response_type: str
    message: str


@dataclass(frozen=True)
class LocalCredentials:
    """The one identity the local server accepts."""

    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    secret_access_key: str = DEFAULT_SECRET_ACCESS_KEY


class _ExactHeaders(SigV4Auth):
    """botocore's signer, restricted to the headers the client says it signed."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest):  # type: ignore[no-untyped-def]
        chosen = super().headers_to_sign(request)
        for name in list(chosen.keys()):
            if name not in self._signed:
                del chosen[name]
        return chosen


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def verify(
    method: str,
    raw_path_and_query: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    credentials: LocalCredentials,
    region: str,
    now: dt.datetime | None = None,
) -> Refusal | None:
    """None when the request is signed by ``credentials``, else why not."""
    authorization = _header(headers, "authorization")
    if not authorization:
        return Refusal(MISSING, "Missing Authentication Token")
    parsed = _AUTHORIZATION.match(authorization.strip())
    if not parsed:
        return Refusal(INVALID, "Authorization header is not a SigV4 signature")
    try:
        key_id, date, scope_region, service, terminal = parsed["credential"].split("/")
    except ValueError:
        return Refusal(INVALID, "Credential is not <key>/<date>/<region>/<service>/aws4_request")
    if (scope_region, service, terminal) != (region, SERVICE, "aws4_request"):
        return Refusal(INVALID, f"Credential should be scoped to {region}/{SERVICE}")
    amz_date = _header(headers, "x-amz-date") or ""
    try:
        signed_at = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return Refusal(INVALID, "X-Amz-Date is missing or malformed")
    now = now or dt.datetime.now(dt.timezone.utc)
    if abs(now - signed_at) > MAX_SKEW or not amz_date.startswith(date):
        return Refusal(INVALID, "Signature expired or dated outside the credential scope")
    if key_id != credentials.access_key_id:
        return Refusal(INVALID, "The security token included in the request is invalid")
    signed = parsed["signed"].split(";")
    host = _header(headers, "host") or "localhost"
    request = AWSRequest(
        method=method.upper(),
        url=f"http://{host}{raw_path_and_query}",
        headers={key: value for key, value in headers.items() if key.lower() in signed},
        data=body,
    )
    request.context["timestamp"] = amz_date
    signer = _ExactHeaders(
        Credentials(credentials.access_key_id, credentials.secret_access_key), region, signed
    )
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, parsed["signature"]):
        return Refusal(INVALID, "The request signature we calculated does not match")
    return None
