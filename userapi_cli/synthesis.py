"""The synthesis options, declared once: every command that builds the template reads them.

``template``, ``openapi``, ``deploy`` and ``local`` call ``add_synthesis_options``
and build with ``template_options(args)``, so a ``--runtime`` (or any opt-in
feature's flag) chosen for one of them means the same template in all.
A feature adds its flag in ``add_synthesis_options`` and its field in
``template_options``, nowhere else.
"""

from __future__ import annotations

import argparse

from userapi_stack.cli_args import key_value
from userapi_stack.options import (
    AUTH_MODES,
    AUTH_NONE,
    DEFAULT_ARCHITECTURE,
    DEFAULT_RUNTIME,
    SUPPORTED_ARCHITECTURES,
    SUPPORTED_RUNTIMES,
    TemplateOptions,
    validate_tag,
)


def tag(text: str) -> tuple[str, str]:
    """A ``--tag KEY=VALUE``, checked against CloudFormation's tag rules at parse time."""
    key, value = key_value(text)
    try:
        validate_tag(key, value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return key, value


def add_synthesis_options(parser: argparse.ArgumentParser) -> None:
    """The flags that change the template's shape (see ``userapi_stack.options``)."""
    group = parser.add_argument_group("synthesis options (the same for every command)")
    group.add_argument(
        "--runtime",
        choices=SUPPORTED_RUNTIMES,
        default=DEFAULT_RUNTIME,
        help=f"Lambda runtime (default: {DEFAULT_RUNTIME})",
    )
    group.add_argument(
        "--architecture",
        choices=SUPPORTED_ARCHITECTURES,
        default=DEFAULT_ARCHITECTURE,
        help=f"Lambda architecture (default: {DEFAULT_ARCHITECTURE})",
    )
    group.add_argument(
        "--tag",
        type=tag,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra tag on every taggable resource (repeatable; a later KEY wins; "
        "overrides the defaults)",
    )
    group.add_argument(
        "--auth",
        choices=AUTH_MODES,
        default=AUTH_NONE,
        help="how owner-only routes prove their caller: none (open; the default) or "
        "cognito (a Cognito user-pool ID token; each user reaches only their own profile)",
    )
    group.add_argument(
        "--domain",
        action="store_true",
        help="serve the API on a custom domain with an enhanced TLS policy "
        "(Parameters ApiDomainName and ApiCertificateArn or ApiHostedZoneId)",
    )
    group.add_argument(
        "--api-keys",
        action="store_true",
        help="require an API key of a usage plan on every route (keys meter callers, "
        "they do not authorize them; create one with `userapi api-key`)",
    )
    group.add_argument(
        "--waf",
        action="store_true",
        help="put a WAF web ACL (per-IP rate limit, AWS common rules) in front of the stage",
    )


def template_options(args: argparse.Namespace) -> TemplateOptions:
    """The ``TemplateOptions`` the parsed synthesis flags ask for."""
    return TemplateOptions(
        runtime=args.runtime,
        architecture=args.architecture,
        tags=tuple(dict(args.tag).items()),  # a later --tag KEY wins
        auth=args.auth,
        domain=args.domain,
        api_keys=args.api_keys,
        waf=args.waf,
    )
