"""A custom domain (opt-in, ``--domain``): ``https://api.example.com/<base path>``.

A regional ``AWS::ApiGateway::DomainName`` with an enhanced TLS security
policy, mapped to the stage; the certificate is either one that exists
(``ApiCertificateArn``, in the stack's region: regional endpoints take a
regional certificate) or, given the hosted zone, one ACM issues and
validates by itself through DNS (``DomainValidationOptions.HostedZoneId``).
With a hosted zone, a Route 53 alias record points the name at the domain's
regional endpoint; without one, Output ``ApiDomainTarget`` is what to point
a CNAME at.

Values (the name, certificate, zone, base path) are Parameters, and the TLS
policy is the REST API's own pair (tls.py: one policy for every endpoint
that terminates TLS); a template
Rule refuses a deployment that gives neither a certificate nor a zone, so the
mistake is one line from CloudFormation before anything is created.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import (
    And,
    Condition,
    Equals,
    GetAtt,
    If,
    Not,
    NoValue,
    Or,
    Parameter,
    Ref,
    Sub,
    Template,
)
from troposphere.apigateway import BasePathMapping, DomainName, EndpointConfiguration
from troposphere.certificatemanager import Certificate, DomainValidationOption
from troposphere.route53 import AliasTarget, RecordSetType

from .api import Api
from .outputs import export_output
from .parameters import Parameters
from .tls import tls_properties

HAS_CERTIFICATE_ARN = "HasApiCertificateArn"
HAS_HOSTED_ZONE = "HasApiHostedZone"
CREATE_CERTIFICATE = "CreateApiCertificate"
HAS_BASE_PATH = "HasApiBasePath"


@dataclass(frozen=True)
class DomainParameters:
    """The domain's Parameters, for ``Ref``."""

    name: Parameter
    certificate_arn: Parameter
    hosted_zone_id: Parameter
    base_path: Parameter


def _add_parameters(template: Template) -> DomainParameters:
    params = DomainParameters(
        name=Parameter(
            "ApiDomainName",
            Type="String",
            AllowedPattern="^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$",
            Description="Custom domain of the API, e.g. api.example.com (lower case).",
        ),
        certificate_arn=Parameter(
            "ApiCertificateArn",
            Type="String",
            Default="",
            AllowedPattern="^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$",
            Description="ARN of an existing ACM certificate for ApiDomainName, in this "
            "region; empty: ACM issues one, validated through ApiHostedZoneId.",
        ),
        hosted_zone_id=Parameter(
            "ApiHostedZoneId",
            Type="String",
            Default="",
            AllowedPattern="^$|^Z[A-Z0-9]{1,32}$",
            Description="Route 53 hosted zone of ApiDomainName: creates the alias record "
            "(and validates the certificate ACM issues). Empty: point DNS yourself at "
            "Output ApiDomainTarget.",
        ),
        base_path=Parameter(
            "ApiBasePath",
            Type="String",
            Default="",
            AllowedPattern="^$|^[a-z0-9][a-z0-9._-]{0,63}$",
            Description="Path segment the API is served under on the domain (v1 gives "
            "https://<domain>/v1/users); empty: the domain's root.",
        ),
    )
    for parameter in vars(params).values():
        template.add_parameter(parameter)
    template.add_condition(HAS_CERTIFICATE_ARN, Not(Equals(Ref(params.certificate_arn), "")))
    template.add_condition(HAS_HOSTED_ZONE, Not(Equals(Ref(params.hosted_zone_id), "")))
    template.add_condition(
        CREATE_CERTIFICATE, And(Not(Condition(HAS_CERTIFICATE_ARN)), Condition(HAS_HOSTED_ZONE))
    )
    template.add_condition(HAS_BASE_PATH, Not(Equals(Ref(params.base_path), "")))
    template.add_rule(
        "ApiDomainCertificateSource",
        {
            "Assertions": [
                {
                    "Assert": Or(
                        Not(Equals(Ref(params.certificate_arn), "")),
                        Not(Equals(Ref(params.hosted_zone_id), "")),
                    ),
                    "AssertDescription": "--domain needs ApiCertificateArn (an existing "
                    "certificate) or ApiHostedZoneId (ACM issues one)",
                }
            ]
        },
    )
    return params


def add_domain(
    template: Template, api: Api, params: Parameters, enabled: bool
) -> DomainName | None:
    """The custom domain, its certificate, mapping, record and Outputs; None when off."""
    if not enabled:
        return None
    domain_params = _add_parameters(template)
    certificate = template.add_resource(
        Certificate(
            "ApiCertificate",
            Condition=CREATE_CERTIFICATE,
            DomainName=Ref(domain_params.name),
            ValidationMethod="DNS",
            DomainValidationOptions=[
                DomainValidationOption(
                    DomainName=Ref(domain_params.name),
                    HostedZoneId=Ref(domain_params.hosted_zone_id),
                )
            ],
        )
    )
    domain = template.add_resource(
        DomainName(
            "ApiDomain",
            DomainName=Ref(domain_params.name),
            RegionalCertificateArn=If(
                HAS_CERTIFICATE_ARN, Ref(domain_params.certificate_arn), Ref(certificate)
            ),
            EndpointConfiguration=EndpointConfiguration(Types=["REGIONAL"]),
            # The REST API's own TLS Parameters: one policy for every endpoint.
            **tls_properties(params.security_policy, params.endpoint_access_mode),
        )
    )
    template.add_resource(
        BasePathMapping(
            "ApiBasePathMapping",
            DomainName=Ref(domain),
            RestApiId=Ref(api.rest_api),
            # A Ref to the Stage resource, not its name as text: that makes the
            # mapping wait for the stage ("Invalid stage identifier" otherwise,
            # aws/chalice#2003, aws/serverless-application-model#192).
            Stage=Ref(api.stage),
            BasePath=If(HAS_BASE_PATH, Ref(domain_params.base_path), NoValue),
        )
    )
    template.add_resource(
        RecordSetType(
            "ApiDomainRecord",
            Condition=HAS_HOSTED_ZONE,
            HostedZoneId=Ref(domain_params.hosted_zone_id),
            Name=Ref(domain_params.name),
            Type="A",
            AliasTarget=AliasTarget(
                DNSName=GetAtt(domain, "RegionalDomainName"),
                HostedZoneId=GetAtt(domain, "RegionalHostedZoneId"),
                EvaluateTargetHealth=False,
            ),
        )
    )
    export_output(
        template,
        "ApiCustomUrl",
        If(
            HAS_BASE_PATH,
            Sub(f"https://${{{domain_params.name.title}}}/${{{domain_params.base_path.title}}}"),
            Sub(f"https://${{{domain_params.name.title}}}"),
        ),
        "Base URL of the API on its custom domain",
    )
    export_output(
        template,
        "ApiDomainTarget",
        GetAtt(domain, "RegionalDomainName"),
        "Regional endpoint the custom domain's DNS record points at",
    )
    return domain
