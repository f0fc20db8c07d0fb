"""TLS: the REST API's enhanced security policy and access mode, and TLS in the access log."""

from __future__ import annotations

import json

import botocore.session
from stack_fixture import template_dict

from userapi_stack.tls import REGIONAL_SECURITY_POLICIES


def test_rest_api_takes_its_security_policy_and_access_mode_from_parameters() -> None:
    template = template_dict()
    api = template["Resources"]["RestApi"]["Properties"]
    assert api["SecurityPolicy"] == {"Ref": "ApiSecurityPolicy"}
    assert api["EndpointAccessMode"] == {"Ref": "ApiEndpointAccessMode"}
    policy = template["Parameters"]["ApiSecurityPolicy"]
    assert policy["Default"] == "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09"
    mode = template["Parameters"]["ApiEndpointAccessMode"]
    assert mode["Default"] == "STRICT"
    assert sorted(mode["AllowedValues"]) == ["BASIC", "STRICT"]


def test_only_enhanced_regional_policies_that_api_gateway_knows_are_allowed() -> None:
    """Checked against botocore's own API Gateway model, not a list typed twice."""
    model = botocore.session.get_session().get_service_model("apigateway")
    known = set(model.shape_for("SecurityPolicy").enum)
    allowed = template_dict()["Parameters"]["ApiSecurityPolicy"]["AllowedValues"]
    assert allowed == list(REGIONAL_SECURITY_POLICIES)
    assert set(allowed) <= known
    # Enhanced only (an access mode is required with them); none for edge endpoints.
    assert all(p.startswith("SecurityPolicy_") and not p.endswith("_EDGE") for p in allowed)
    assert set(model.shape_for("EndpointAccessMode").enum) == {"BASIC", "STRICT"}


def test_access_log_records_the_negotiated_tls_version_and_cipher() -> None:
    stage = template_dict()["Resources"]["ApiStage"]["Properties"]
    log_format = json.loads(stage["AccessLogSetting"]["Format"])
    assert log_format["tlsVersion"] == "$context.tlsVersion"
    assert log_format["cipherSuite"] == "$context.cipherSuite"
