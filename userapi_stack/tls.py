"""TLS of the API's endpoints: one SecurityPolicy / EndpointAccessMode pair.

Both are template Parameters, declared here once, and applied with
``tls_properties`` to every endpoint that terminates TLS: the REST API's
execute-api endpoint (api.py) and a custom domain when one is built
(``DomainName`` accepts the same two properties).

Why this default (AWS, "Security policies for REST APIs in API Gateway" and
"Supported security policies"): ``TLS_1_0`` and ``TLS_1_2`` are the legacy
policies; a ``SecurityPolicy_*`` one is "enhanced" and must come with an
EndpointAccessMode. ``SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09`` is the
strictest regional policy that still accepts TLS 1.2: TLS 1.3, plus TLS 1.2
with forward-secret (ECDHE) suites only, and a hybrid post-quantum key
exchange for clients that offer one. Every phone a registration app still
targets speaks TLS 1.2 with ECDHE (Android 5+, iOS 9+, whose App Transport
Security demands exactly that); TLS 1.3 is only on by default from Android 10
and iOS 12.2, so ``SecurityPolicy_TLS13_1_3_2025_09`` (TLS 1.3 only) would
refuse older phones, Java 8 clients before 8u261, and many corporate
TLS-inspecting proxies. It stays one Parameter value away.

``STRICT`` access mode rejects a request whose SNI host is not this API's
own host (no domain fronting through another API Gateway endpoint); every
HTTP stack that speaks TLS 1.2 sends SNI. ``BASIC`` is AWS's migration step.
"""

from __future__ import annotations

from troposphere import Parameter, Ref

#: Enhanced policies a REGIONAL endpoint accepts (the *_EDGE ones are for
#: edge-optimized endpoints). Legacy TLS_1_0/TLS_1_2 are left out: they take
#: no EndpointAccessMode, and TLS 1.0 has been deprecated since RFC 8996.
REGIONAL_SECURITY_POLICIES: tuple[str, ...] = (
    "SecurityPolicy_TLS13_1_3_2025_09",
    "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_Ext2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_Ext2_FIPS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_2021_06",
)
DEFAULT_SECURITY_POLICY = "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09"
ENDPOINT_ACCESS_MODES: tuple[str, ...] = ("STRICT", "BASIC")
DEFAULT_ENDPOINT_ACCESS_MODE = "STRICT"

#: Access log fields API Gateway offers for the negotiated TLS (same page).
TLS_ACCESS_LOG_FIELDS: dict[str, str] = {
    "tlsVersion": "$context.tlsVersion",
    "cipherSuite": "$context.cipherSuite",
}


def security_policy_parameter() -> Parameter:
    return Parameter(
        "ApiSecurityPolicy",
        Type="String",
        Default=DEFAULT_SECURITY_POLICY,
        AllowedValues=list(REGIONAL_SECURITY_POLICIES),
        Description="TLS policy of every API endpoint. Default: TLS 1.3, and TLS 1.2 with "
        "forward secrecy only. SecurityPolicy_TLS13_1_3_2025_09 (TLS 1.3 only) refuses "
        "phones older than Android 10 / iOS 12.2.",
    )


def endpoint_access_mode_parameter() -> Parameter:
    return Parameter(
        "ApiEndpointAccessMode",
        Type="String",
        Default=DEFAULT_ENDPOINT_ACCESS_MODE,
        AllowedValues=list(ENDPOINT_ACCESS_MODES),
        Description="STRICT: only requests whose SNI host is this endpoint's own "
        "(no domain fronting). BASIC: AWS's step for migrating an existing API.",
    )


def tls_properties(security_policy: Parameter, endpoint_access_mode: Parameter) -> dict[str, Ref]:
    """The two properties, for ``RestApi(...)`` or ``DomainName(...)``."""
    return {
        "SecurityPolicy": Ref(security_policy),
        "EndpointAccessMode": Ref(endpoint_access_mode),
    }
