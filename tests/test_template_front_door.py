"""The front door: --domain, --api-keys, --waf, alone and in every combination.

Each combination (8, in both auth modes) must synthesize the same bytes twice, lint clean with the
informational rules, leave the function roles exactly as the default
template has them, and move the Deployment id exactly when the API
definition (what the stage's snapshot holds) moves.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from openapi_spec_validator import validate
from stack_fixture import resources_of_type
from troposphere.apigateway import GatewayResponse

from userapi_local.template_reader import TemplateReader
from userapi_stack.openapi import build_openapi_document
from userapi_stack.options import AUTH_MODES
from userapi_stack.template import TemplateOptions, build_template, render

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
FLAGS = ("domain", "api_keys", "waf")
#: Every combination of the three flags (default first), in every auth mode.
FLAG_SETS = [
    dict(zip(FLAGS, values, strict=True)) for values in itertools.product((False, True), repeat=3)
]
COMBINATIONS = [{**flags, "auth": auth} for auth in AUTH_MODES for flags in FLAG_SETS]
DEFAULT = {"domain": False, "api_keys": False, "waf": False, "auth": "none"}
#: What a Deployment snapshots: the API definition (AWS::ApiGateway::* below
#: the RestApi), not the stage, domain, plan or firewall around it.
SNAPSHOT_TYPES = {
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Authorizer",
}


def _name(combo: dict[str, Any]) -> str:
    flags = "+".join(flag for flag in FLAGS if combo[flag]) or "default"
    return f"{flags}-auth-{combo.get('auth', 'none')}"


@cache
def _text(domain: bool, api_keys: bool, waf: bool, auth: str = "none") -> str:
    options = TemplateOptions(domain=domain, api_keys=api_keys, waf=waf, auth=auth)
    return render(build_template(options))


def _template(**combo: Any) -> dict[str, Any]:
    return json.loads(_text(**combo))


def _deployment_id(template: dict[str, Any]) -> str:
    [logical_id] = resources_of_type(template, "AWS::ApiGateway::Deployment")
    return logical_id


def _snapshot(template: dict[str, Any]) -> dict[str, Any]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in SNAPSHOT_TYPES
    }


@pytest.mark.parametrize("combo", COMBINATIONS, ids=_name)
def test_every_combination_synthesizes_the_same_bytes_twice(combo: dict[str, Any]) -> None:
    options = TemplateOptions(**combo)
    assert render(build_template(options)) == render(build_template(options))


def test_every_combination_is_lint_clean_including_informational(tmp_path: Path) -> None:
    paths = []
    for combo in COMBINATIONS:
        path = tmp_path / f"{_name(combo)}.json"
        path.write_text(_text(**combo), encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        [str(CFN_LINT), "--include-checks", "I", "--", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_without_flags_there_is_no_front_door(auth: str) -> None:
    template = _template(**{**DEFAULT, "auth": auth})
    types = {resource["Type"] for resource in template["Resources"].values()}
    assert not types & {
        "AWS::ApiGateway::DomainName",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::ApiGateway::UsagePlan",
        "AWS::WAFv2::WebACL",
        "AWS::CertificateManager::Certificate",
        "AWS::Route53::RecordSet",
    }
    methods = resources_of_type(template, "AWS::ApiGateway::Method").values()
    assert not any("ApiKeyRequired" in method["Properties"] for method in methods)


@pytest.mark.parametrize("combo", COMBINATIONS, ids=_name)
def test_roles_are_those_of_the_same_auth_mode_without_flags(combo: dict[str, Any]) -> None:
    """The front door adds no role and changes none: keys, WAF and the domain
    are API Gateway's business, not the functions'."""
    plain = resources_of_type(_template(**{**DEFAULT, "auth": combo["auth"]}), "AWS::IAM::Role")
    assert resources_of_type(_template(**combo), "AWS::IAM::Role") == plain
    assert len(plain) >= 5


def test_deployment_id_moves_exactly_when_the_snapshot_does() -> None:
    templates = {_name(combo): _template(**combo) for combo in COMBINATIONS}
    for (name_a, a), (name_b, b) in itertools.combinations(templates.items(), 2):
        same_definition = _snapshot(a) == _snapshot(b)
        same_id = _deployment_id(a) == _deployment_id(b)
        assert same_id == same_definition, (name_a, name_b)
    # And what moves it: keys change the methods, WAF adds a gateway
    # response, a domain changes neither.
    for auth in AUTH_MODES:
        default = templates[f"default-auth-{auth}"]
        assert _deployment_id(templates[f"domain-auth-{auth}"]) == _deployment_id(default)
        assert _deployment_id(templates[f"api_keys-auth-{auth}"]) != _deployment_id(default)
        assert _deployment_id(templates[f"waf-auth-{auth}"]) != _deployment_id(default)


@pytest.mark.parametrize("combo", COMBINATIONS, ids=_name)
def test_the_deployment_waits_for_every_method_and_gateway_response(
    combo: dict[str, Any],
) -> None:
    template = _template(**combo)
    [deployment] = resources_of_type(template, "AWS::ApiGateway::Deployment").values()
    expected = {
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in {"AWS::ApiGateway::Method", "AWS::ApiGateway::GatewayResponse"}
    }
    assert expected <= set(deployment["DependsOn"])


# -- API keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_api_keys_are_required_on_every_api_method_and_not_on_preflights_or_catch_alls(
    auth: str,
) -> None:
    """Keys combine with either auth mode: the method keeps its authorization."""
    plain = resources_of_type(_template(**{**DEFAULT, "auth": auth}), "AWS::ApiGateway::Method")
    methods = resources_of_type(
        _template(**{**DEFAULT, "api_keys": True, "auth": auth}), "AWS::ApiGateway::Method"
    )
    lambda_methods = {
        logical_id: method
        for logical_id, method in methods.items()
        if method["Properties"]["Integration"]["Type"] == "AWS_PROXY"
    }
    assert len(lambda_methods) == 5
    for logical_id, method in lambda_methods.items():
        assert method["Properties"]["ApiKeyRequired"] is True
        without_key = dict(method["Properties"])
        del without_key["ApiKeyRequired"]
        assert without_key == plain[logical_id]["Properties"]
    for logical_id, method in methods.items():
        if logical_id not in lambda_methods:
            assert "ApiKeyRequired" not in method["Properties"], logical_id
            assert method["Properties"]["HttpMethod"] in ("OPTIONS", "ANY")


def test_preflights_allow_the_api_key_header_only_when_keys_are_on() -> None:
    def allowed(template: dict[str, Any]) -> set[str]:
        values = set()
        for method in resources_of_type(template, "AWS::ApiGateway::Method").values():
            if method["Properties"]["HttpMethod"] == "OPTIONS":
                [response] = method["Properties"]["Integration"]["IntegrationResponses"]
                header = "method.response.header.Access-Control-Allow-Headers"
                values.add(response["ResponseParameters"][header])
        [value] = values
        return set(value.strip("'").split(","))

    assert "X-Api-Key" in allowed(_template(domain=False, api_keys=True, waf=False))
    assert "X-Api-Key" not in allowed(_template(domain=False, api_keys=False, waf=False))


def test_usage_plan_is_on_the_stage_with_throttle_and_optional_quota_parameters() -> None:
    template = _template(domain=False, api_keys=True, waf=False)
    [plan] = resources_of_type(template, "AWS::ApiGateway::UsagePlan").values()
    props = plan["Properties"]
    # A Ref to the Stage resource: the plan is created after it.
    assert props["ApiStages"] == [{"ApiId": {"Ref": "RestApi"}, "Stage": {"Ref": "ApiStage"}}]
    assert props["Throttle"] == {
        "RateLimit": {"Ref": "UsagePlanThrottleRateLimit"},
        "BurstLimit": {"Ref": "UsagePlanThrottleBurstLimit"},
    }
    assert props["Quota"]["Fn::If"][0] == "HasUsagePlanQuota"
    assert template["Outputs"]["UsagePlanId"]["Value"] == {"Ref": "UsagePlan"}
    # No key in the template: a key's value is a secret (userapi api-key makes them).
    assert not resources_of_type(template, "AWS::ApiGateway::ApiKey")


def test_the_quota_exists_only_when_its_limit_is_set() -> None:
    template = _template(domain=False, api_keys=True, waf=False)
    off = TemplateReader(template)
    on = TemplateReader(template, {"UsagePlanQuotaLimit": "5000", "UsagePlanQuotaPeriod": "DAY"})
    assert "Quota" not in off.properties("UsagePlan")
    assert on.properties("UsagePlan")["Quota"] == {"Limit": "5000", "Period": "DAY"}


def _gateway_responses(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"]["ResponseType"]: resource["Properties"]
        for resource in resources_of_type(template, "AWS::ApiGateway::GatewayResponse").values()
    }


@pytest.mark.parametrize(
    ("flag", "response_type", "status", "code"),
    [
        ("api_keys", "INVALID_API_KEY", "403", "forbidden"),
        ("api_keys", "QUOTA_EXCEEDED", "429", "too_many_requests"),
        ("waf", "WAF_FILTERED", "403", "forbidden"),
    ],
)
def test_feature_refusals_answer_in_the_envelope_with_cors(
    flag: str, response_type: str, status: str, code: str
) -> None:
    combo = {name: name == flag for name in FLAGS}
    response = _gateway_responses(_template(**combo))[response_type]
    assert response["StatusCode"] == status
    body = response["ResponseTemplates"]["application/json"]
    envelope = json.loads(body.replace("$context.requestId", "r-1"))
    assert envelope["error"]["code"] == code
    assert envelope["error"]["request_id"] == "r-1"
    assert "gatewayresponse.header.Access-Control-Allow-Origin" in response["ResponseParameters"]
    assert response_type not in _gateway_responses(
        _template(domain=False, api_keys=False, waf=False)
    )


def test_waf_filtered_needs_the_widened_class_troposphere_lags_behind_botocore() -> None:
    """Fails once troposphere accepts WAF_FILTERED: then the subclass can go."""
    model = botocore.session.get_session().get_service_model("apigateway")
    assert "WAF_FILTERED" in model.shape_for("GatewayResponseType").enum
    with pytest.raises(ValueError, match="WAF_FILTERED is not a valid ResponseType"):
        GatewayResponse("Probe", RestApiId="api", ResponseType="WAF_FILTERED")


# -- domain ---------------------------------------------------------------------------------


def test_domain_is_regional_with_an_enhanced_tls_policy_and_maps_the_stage() -> None:
    template = _template(domain=True, api_keys=False, waf=False)
    reader = TemplateReader(template, {"ApiDomainName": "api.example.com"})
    [domain_id] = resources_of_type(template, "AWS::ApiGateway::DomainName")
    domain = template["Resources"][domain_id]["Properties"]
    assert domain["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    policy = reader.resolve(domain["SecurityPolicy"])
    assert policy.startswith("SecurityPolicy_")  # enhanced: needs an access mode
    assert reader.resolve(domain["EndpointAccessMode"]) == "STRICT"
    [mapping] = resources_of_type(template, "AWS::ApiGateway::BasePathMapping").values()
    assert mapping["Properties"]["Stage"] == {"Ref": "ApiStage"}  # waits for the stage
    assert mapping["Properties"]["DomainName"] == {"Ref": domain_id}
    assert set(template["Outputs"]) >= {"ApiInvokeUrl", "ApiCustomUrl", "ApiDomainTarget"}


def test_domain_certificate_is_the_given_one_or_issued_and_validated_in_the_zone() -> None:
    template = _template(domain=True, api_keys=False, waf=False)
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
    given = TemplateReader(template, {"ApiDomainName": "api.example.com", "ApiCertificateArn": arn})
    assert given.properties("ApiDomain")["RegionalCertificateArn"] == arn
    assert not given.condition("CreateApiCertificate")
    assert not given.condition("HasApiHostedZone")  # no record without a zone

    issued = TemplateReader(
        template, {"ApiDomainName": "api.example.com", "ApiHostedZoneId": "Z123ABC"}
    )
    assert issued.condition("CreateApiCertificate")
    assert issued.condition("HasApiHostedZone")
    certificate = issued.properties("ApiCertificate")
    assert certificate["ValidationMethod"] == "DNS"
    assert certificate["DomainValidationOptions"] == [
        {"DomainName": "api.example.com", "HostedZoneId": "Z123ABC"}
    ]
    record = template["Resources"]["ApiDomainRecord"]
    assert record["Condition"] == "HasApiHostedZone"
    assert record["Properties"]["AliasTarget"]["DNSName"] == {
        "Fn::GetAtt": ["ApiDomain", "RegionalDomainName"]
    }


def test_a_domain_without_certificate_or_zone_is_refused_by_a_template_rule() -> None:
    template = _template(domain=True, api_keys=False, waf=False)
    [rule] = template["Rules"].values()
    [assertion] = rule["Assertions"]
    assert assertion["Assert"] == {
        "Fn::Or": [
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiCertificateArn"}, ""]}]},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiHostedZoneId"}, ""]}]},
        ]
    }


@pytest.mark.parametrize(
    ("base_path", "url"), [("", "https://api.example.com"), ("v1", "https://api.example.com/v1")]
)
def test_custom_url_output_carries_the_base_path(base_path: str, url: str) -> None:
    template = _template(domain=True, api_keys=False, waf=False)
    reader = TemplateReader(
        template, {"ApiDomainName": "api.example.com", "ApiBasePath": base_path}
    )
    assert reader.resolve(template["Outputs"]["ApiCustomUrl"]["Value"]) == url
    mapping = reader.properties("ApiBasePathMapping")
    assert mapping.get("BasePath") == (base_path or None)


# -- WAF ------------------------------------------------------------------------------------


def test_waf_rate_limits_per_source_ip_with_parameters_and_optional_managed_rules() -> None:
    template = _template(domain=False, api_keys=False, waf=True)
    [acl] = resources_of_type(template, "AWS::WAFv2::WebACL").values()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    rate_rule, managed = props["Rules"]
    assert rate_rule["Action"] == {"Block": {}}
    assert rate_rule["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": {"Ref": "WafRateLimit"},
        "EvaluationWindowSec": {"Ref": "WafRateWindowSeconds"},
    }
    with_rules = TemplateReader(template).resolve(props["Rules"])
    without = TemplateReader(template, {"WafManagedCommonRules": "false"}).resolve(props["Rules"])
    assert [rule["Name"] for rule in with_rules] == ["rate-limit-per-ip", "aws-common-rule-set"]
    assert [rule["Name"] for rule in without] == ["rate-limit-per-ip"]
    statement = with_rules[1]["Statement"]["ManagedRuleGroupStatement"]
    assert statement == {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}


def test_waf_is_associated_with_the_stage() -> None:
    template = _template(domain=False, api_keys=False, waf=True)
    [association] = resources_of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    reader = TemplateReader(template)
    arn = reader.resolve(association["Properties"]["ResourceArn"])
    assert arn == "arn:aws:apigateway:us-east-1::/restapis/local/stages/ApiStage"
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}


def test_waf_logs_blocks_only_with_credentials_redacted_and_the_stack_retention() -> None:
    template = _template(domain=False, api_keys=False, waf=True)
    [logging] = resources_of_type(template, "AWS::WAFv2::LoggingConfiguration").values()
    props = logging["Properties"]
    reader = TemplateReader(template)
    [destination] = reader.resolve(props["LogDestinationConfigs"])
    group = reader.properties("WafLogGroup")
    assert group["LogGroupName"].startswith("aws-waf-logs-")
    assert destination == f"arn:aws:logs:us-east-1:123456789012:log-group:{group['LogGroupName']}"
    assert template["Resources"]["WafLogGroup"]["Properties"]["RetentionInDays"] == {
        "Ref": "LogRetentionDays"
    }
    redacted = {field["SingleHeader"]["Name"] for field in props["RedactedFields"]}
    assert redacted == {"authorization", "x-api-key", "cookie"}
    assert props["LoggingFilter"]["DefaultBehavior"] == "DROP"
    [keep] = props["LoggingFilter"]["Filters"]
    kept = {condition["ActionCondition"]["Action"] for condition in keep["Conditions"]}
    assert (keep["Behavior"], kept) == ("KEEP", {"BLOCK", "COUNT"})


def test_waf_blocks_alarm_on_the_web_acl_metric() -> None:
    template = _template(domain=False, api_keys=False, waf=True)
    alarm = template["Resources"]["WafBlockedRequestsAlarm"]["Properties"]
    reader = TemplateReader(template)
    dimensions = {d["Name"]: reader.resolve(d["Value"]) for d in alarm["Dimensions"]}
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/WAFV2", "BlockedRequests")
    assert dimensions == {
        "WebACL": reader.properties("WebAcl")["Name"],
        "Region": "us-east-1",
        "Rule": "ALL",
    }
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert alarm["Threshold"] == {"Ref": "WafBlockedRequestsThreshold"}


# -- the OpenAPI document of --api-keys ----------------------------------------------------


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_openapi_requires_the_key_together_with_the_callers_proof(auth: str) -> None:
    document = build_openapi_document(options=TemplateOptions(auth=auth, api_keys=True))
    validate(document)
    plain = build_openapi_document(options=TemplateOptions(auth=auth))
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-api-key")
    for path, operations in document["paths"].items():
        for verb, operation in operations.items():
            if verb == "options":
                assert "security" not in operation, path
                continue
            # One requirement object holding both: AND, not OR.
            [requirement] = operation["security"]
            before = plain["paths"][path][verb].get("security", [{}])
            assert requirement == {**before[0], "ApiKey": []}, (path, verb)
            assert "403" in operation["responses"]
    assert "ApiKey" not in json.dumps(plain)
