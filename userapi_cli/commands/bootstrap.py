"""``userapi bootstrap`` (also ``python -m userapi_stack.bootstrap``): the CI bootstrap template.

Prints the one-time stack that lets a GitHub repository deploy without
stored AWS keys (userapi_stack.bootstrap). No AWS calls: deploy the output
once per account and region, as the README's "Deploy from CI" shows.
"""

from __future__ import annotations

import argparse

from ..common import add_output_option, write_output
from ..errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from userapi_stack.bootstrap.options import DEFAULT_ENVIRONMENTS

    parser.description = (
        "Print the one-time CI bootstrap stack: the GitHub OIDC provider, a deploy role "
        "and a CloudFormation execution role per environment, a review role for pull "
        "requests, the artifact bucket (no AWS calls)."
    )
    parser.add_argument(
        "--github-repo", required=True, metavar="OWNER/REPO", help="the repository that deploys"
    )
    parser.add_argument(
        "--environment",
        action="append",
        dest="environments",
        metavar="NAME",
        help="a GitHub environment (= userapi environment) allowed to deploy, repeatable "
        f"(default: {' '.join(DEFAULT_ENVIRONMENTS)})",
    )
    parser.add_argument(
        "--branch",
        metavar="NAME",
        help="also let jobs on this branch that use no GitHub environment deploy "
        "(they skip the environment's protection rules; off by default)",
    )
    parser.add_argument(
        "--owner-id",
        type=int,
        metavar="ID",
        help="numeric owner id: trust the immutable subject form (with --repo-id)",
    )
    parser.add_argument(
        "--repo-id", type=int, metavar="ID", help="numeric repository id (with --owner-id)"
    )
    parser.add_argument("--format", choices=("json", "yaml"), default="json", help="default json")
    add_output_option(parser)


def run(args: argparse.Namespace) -> int:
    try:
        import cfnlint  # noqa: F401  (the execution policy reads its resource schemas)
    except ModuleNotFoundError:
        raise UsageError(
            "the bootstrap reads cfn-lint's resource schemas: pip install 'userapi[bootstrap]'"
        ) from None
    from userapi_stack.bootstrap import BootstrapOptions, build_bootstrap_template
    from userapi_stack.bootstrap.options import DEFAULT_ENVIRONMENTS
    from userapi_stack.template import render

    try:
        options = BootstrapOptions(
            github_repo=args.github_repo,
            environments=tuple(args.environments or DEFAULT_ENVIRONMENTS),
            branch=args.branch,
            owner_id=args.owner_id,
            repo_id=args.repo_id,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    write_output(render(build_bootstrap_template(options), args.format), args.output)
    return 0
