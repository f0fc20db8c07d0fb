"""The deploy, step by step: package, upload once, change set, review, execute.

Every step prints one line (or a table) so a CI log reads as a story; the
order is chosen so that nothing in AWS changes before the user could have
said no, except the artifact uploads (content-addressed, harmless) and, on
first use, the managed bucket.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botocore.exceptions import WaiterError

from userapi_cli.common import (
    DEFAULT_MAX_WAIT_MINUTES,
    DEFAULT_POLL_DELAY,
    aws_clients,
    max_attempts,
)
from userapi_stack.handler_code import FUNCTIONS_DIR
from userapi_stack.options import TemplateOptions

from . import synthesis
from .account import decide_account_role
from .bucket import TEMPLATE_PREFIX, resolve_bucket, template_url, upload_once
from .changeset import (
    NoChanges,
    StackState,
    change_set_type,
    create_change_set,
    delete_stack,
    describe_stack,
    discard,
    is_unchanged,
)
from .errors import EXIT_FAILED, EXIT_OK, DeployError, UsageError
from .events import EventStream, latest_event_id
from .packaging import build_artifact
from .parameters import (
    ACCOUNT_ROLE,
    APP_NAME,
    ARTIFACT_BUCKET,
    ARTIFACT_KEY,
    ENVIRONMENT,
    check_overrides,
    check_value,
    parse_pairs,
    stack_parameters,
    stack_tags,
)
from .review import parameter_changes, render_changes, render_outputs, render_parameter_changes
from .review_markdown import render_markdown
from .secret_store import require_secrets

#: Parameters the deploy sets from its own options and checks.
SET_BY_DEPLOY = {
    ENVIRONMENT: "use --environment",
    ARTIFACT_BUCKET: "the deploy sets it (use --bucket)",
    ARTIFACT_KEY: "the deploy sets it from the artifact's sha256",
}
SUCCESS = {"CREATE": "CREATE_COMPLETE", "UPDATE": "UPDATE_COMPLETE"}
#: An IAM role ARN in any partition (``--role-arn``).
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")


@dataclass(frozen=True)
class DeployOptions:
    """The command line, as the flow needs it."""

    environment: str = "dev"
    stack_name: str | None = None
    region: str = "us-east-1"
    profile: str | None = None
    endpoint_url: str | None = None
    bucket: str | None = None
    parameters: tuple[str, ...] = ()
    #: What to synthesize; its tags also go on the stack.
    template: TemplateOptions = field(default_factory=TemplateOptions)
    yes: bool = False
    no_execute: bool = False
    replace_failed_stack: bool = False
    outputs_file: str | None = None
    #: CloudFormation service role: the stack's resources are created with it.
    role_arn: str | None = None
    #: Create and show the change set, then delete it (pull-request reviews).
    review_only: bool = False
    #: Also write the review as markdown here.
    review_markdown: str | None = None
    poll_delay: float = DEFAULT_POLL_DELAY
    max_wait_minutes: float = DEFAULT_MAX_WAIT_MINUTES
    functions_dir: Path = field(default=FUNCTIONS_DIR)

    @classmethod
    def from_args(cls, args: argparse.Namespace, template: TemplateOptions) -> DeployOptions:
        return cls(
            environment=args.environment,
            stack_name=args.stack_name,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            bucket=args.bucket,
            parameters=tuple(args.parameter),
            template=template,
            yes=args.yes,
            no_execute=args.no_execute,
            replace_failed_stack=args.replace_failed_stack,
            outputs_file=args.outputs_file,
            role_arn=args.role_arn,
            review_only=args.review_only,
            review_markdown=args.review_markdown,
            poll_delay=args.poll_delay,
            max_wait_minutes=args.max_wait,
            functions_dir=args.functions_dir or FUNCTIONS_DIR,
        )

    @property
    def max_attempts(self) -> int:
        """Waiter attempts that add up to ``max_wait_minutes``."""
        return max_attempts(self.poll_delay, self.max_wait_minutes)


def say(text: str) -> None:
    """Progress for humans and CI logs (stdout, flushed so it interleaves right)."""
    print(text, flush=True)


def is_interactive() -> bool:
    """Whether a person can answer the prompt."""
    return sys.stdin is not None and sys.stdin.isatty()


def ask(prompt: str) -> bool:
    """``[y/N]``: only an explicit yes deploys."""
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _clients(options: DeployOptions) -> dict[str, Any]:
    return aws_clients(
        "s3",
        "sts",
        "cloudformation",
        "apigateway",
        "ssm",
        region=options.region,
        profile=options.profile,
        endpoint_url=options.endpoint_url,
        agent="userapi-deploy",
    )


def _checked_overrides(
    options: DeployOptions, declared: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    overrides = parse_pairs(options.parameters, "--parameter")
    for name, why in SET_BY_DEPLOY.items():
        if name in overrides:
            raise UsageError(f"--parameter {name}: {why}")
    check_overrides(overrides, declared)
    check_value(ENVIRONMENT, options.environment, declared[ENVIRONMENT])
    return overrides


def _check_same_environment(stack: StackState | None, stack_name: str, environment: str) -> None:
    deployed = stack.parameters.get(ENVIRONMENT) if stack else None
    if deployed is not None and deployed != environment:
        raise UsageError(
            f"stack {stack_name} is the {deployed!r} environment; pass --environment "
            f"{deployed} (changing it would rename and replace every resource)"
        )


def _check_modes(options: DeployOptions) -> None:
    if options.review_only and (options.yes or options.no_execute):
        raise UsageError(
            "--review-only deletes the change set: it goes with neither --yes nor --no-execute"
        )
    if options.role_arn is not None and not ROLE_ARN.match(options.role_arn):
        raise UsageError(
            f"--role-arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), "
            f"got {options.role_arn!r}"
        )


def _write_review(options: DeployOptions, text: str) -> None:
    if not options.review_markdown:
        return
    try:
        Path(options.review_markdown).write_text(text, encoding="utf-8")
    except OSError as error:
        raise DeployError(
            f"cannot write --review-markdown {options.review_markdown}: {error.strerror}"
        ) from None


def deploy(options: DeployOptions) -> int:
    """Run the whole deploy; return the exit code (errors raise DeployError)."""
    _check_modes(options)
    if not (options.yes or options.no_execute or options.review_only or is_interactive()):
        raise UsageError(
            "no terminal to confirm the deployment: pass --yes to deploy without asking, "
            "or --no-execute to only create and show the change set (nothing was changed)"
        )
    template = synthesis.synthesize(options.template)
    declared = template.parameters
    overrides = _checked_overrides(options, declared)
    extra_tags = dict(options.template.tags)
    app_name = overrides.get(APP_NAME, str(declared.get(APP_NAME, {}).get("Default", "userapi")))
    stack_name = options.stack_name or f"{app_name}-{options.environment}"
    tags = stack_tags(app_name, options.environment, extra_tags)

    artifact = build_artifact(options.functions_dir)
    say(f"Artifact: {artifact.size} bytes, sha256 {artifact.sha256}")
    say(f"Template: {template.size} bytes, capabilities {', '.join(template.capabilities)}")

    clients = _clients(options)
    cfn = clients["cloudformation"]
    stack = describe_stack(cfn, stack_name)
    _check_same_environment(stack, stack_name, options.environment)
    # The template grants the secrets but cannot create them (SecureString):
    # refuse now, before anything changes, if one is missing.
    require_secrets(clients["ssm"], options.environment, tags, say, create=not options.review_only)
    change_type = change_set_type(stack, stack_name, options.replace_failed_stack)
    if change_type == "REPLACE":
        assert stack is not None
        say(f"Stack {stack_name} is in ROLLBACK_COMPLETE; deleting it (--replace-failed-stack)")
        delete_stack(cfn, stack.stack_id, options.poll_delay, options.max_attempts)
        stack, change_type = None, "CREATE"

    plain_http = (options.endpoint_url or "").startswith("http://")
    bucket, created = resolve_bucket(
        clients["s3"], clients["sts"], options.region, options.bucket, tls_only=not plain_http
    )
    if created:
        tls = "no TLS-only policy: the endpoint is plain HTTP" if plain_http else "TLS-only"
        say(f"Created artifact bucket s3://{bucket} (encrypted, private, {tls}, expiring)")
    code = upload_once(clients["s3"], bucket, artifact.key, artifact.data, "application/zip")
    template_source: dict[str, str] = {"TemplateBody": template.text}
    uploads = [("artifact", code)]
    if template.needs_s3:
        digest = hashlib.sha256(template.text.encode("utf-8")).hexdigest()
        body = upload_once(
            clients["s3"],
            bucket,
            f"{TEMPLATE_PREFIX}{digest}.json",
            template.text.encode("utf-8"),
            "application/json",
        )
        uploads.append(("template", body))
        template_source = {"TemplateURL": template_url(bucket, body.key, options.region)}
    details = "; ".join(
        f"{what} {up.bytes_sent} bytes to {up.uri}"
        if up.bytes_sent
        else f"{what} already in {up.uri}"
        for what, up in uploads
    )
    say(f"Uploaded {sum(up.bytes_sent for _, up in uploads)} bytes ({details})")

    previous = stack.parameters if stack is not None and change_type == "UPDATE" else None
    decision = decide_account_role(clients["apigateway"], previous, overrides.get(ACCOUNT_ROLE))
    say(decision.message)
    values = {
        **overrides,
        ENVIRONMENT: options.environment,
        ARTIFACT_BUCKET: bucket,
        ARTIFACT_KEY: artifact.key,
        ACCOUNT_ROLE: decision.value,
    }
    parameters = stack_parameters(declared, values, previous)

    if (
        stack is not None
        and change_type == "UPDATE"
        and is_unchanged(cfn, stack, template.body, parameters, tags)
    ):
        outcome = (
            f"Stack {stack_name} is up to date "
            "(same template, parameters and tags; no change set created)."
        )
        say(f"No changes to deploy. {outcome}")
        _write_review(options, _markdown(stack_name, options, None, [], [], outcome))
        return EXIT_OK

    now = datetime.now(timezone.utc)
    name = f"userapi-deploy-{now:%Y%m%d%H%M%S}-{artifact.sha256[:8]}"
    say(f"Creating {change_type} change set {name} for stack {stack_name} in {options.region}")
    try:
        change_set = create_change_set(
            cfn,
            stack_name=stack_name,
            name=name,
            change_type=change_type,
            template=template_source,
            parameters=parameters,
            tags=tags,
            capabilities=template.capabilities,
            role_arn=options.role_arn,
            description=f"deploy.py, artifact {artifact.sha256[:12]}",
            delay=options.poll_delay,
            max_attempts=options.max_attempts,
        )
    except NoChanges:
        outcome = f"Stack {stack_name} is up to date (empty change set deleted)."
        say(f"No changes to deploy. {outcome}")
        _write_review(options, _markdown(stack_name, options, None, [], [], outcome))
        return EXIT_OK

    say("")
    say(render_changes(change_set.changes, change_set.property_values))
    changed_parameters = parameter_changes(previous, parameters, declared)
    if changed_parameters:
        say("")
        say(render_parameter_changes(changed_parameters))
    say("")
    if options.review_only:
        discard(cfn, change_set.arn, change_set.stack_id, change_type)
        outcome = "Review only: the change set was deleted and nothing was changed."
    elif options.no_execute:
        outcome = f"Change set `{name}` is left for review; nothing was changed yet."
    else:
        outcome = f"Change set `{name}` is being executed."
    _write_review(
        options,
        _markdown(
            stack_name, options, change_type, change_set.changes, changed_parameters, outcome
        ),
    )
    if options.review_only:
        say("Change set deleted (--review-only): nothing was changed.")
        return EXIT_OK
    if options.no_execute:
        say(f"Change set left for review (--no-execute): {change_set.arn}")
        say(f"Execute it with: aws cloudformation execute-change-set --change-set-name '{name}' \\")
        say(f"  --stack-name {stack_name} --region {options.region}")
        return EXIT_OK
    if not options.yes and not ask("Deploy this change set? [y/N] "):
        discard(cfn, change_set.arn, change_set.stack_id, change_type)
        say("Not deployed; change set deleted.")
        return EXIT_FAILED
    return _execute(cfn, change_set, stack_name, options)


def _markdown(
    stack_name: str,
    options: DeployOptions,
    change_type: str | None,
    changes: list[dict[str, Any]],
    changed_parameters: list[tuple[str, str, str]],
    outcome: str,
) -> str:
    return render_markdown(
        stack_name=stack_name,
        region=options.region,
        change_type=change_type,
        changes=changes,
        parameter_changes=changed_parameters,
        outcome=outcome,
    )


def _execute(cfn: Any, change_set: Any, stack_name: str, options: DeployOptions) -> int:
    marker = latest_event_id(cfn, change_set.stack_id)
    cfn.execute_change_set(ChangeSetName=change_set.arn, ClientRequestToken=change_set.name)
    say(f"Executing change set {change_set.name}; stack events:")
    waiter_name = (
        "stack_create_complete" if change_set.change_type == "CREATE" else "stack_update_complete"
    )
    waiter = cfn.get_waiter(waiter_name)
    with EventStream(cfn, change_set.stack_id, marker, say) as stream:
        with contextlib.suppress(WaiterError):  # the final status below says what happened
            waiter.wait(
                StackName=change_set.stack_id,
                WaiterConfig={"Delay": options.poll_delay, "MaxAttempts": options.max_attempts},
            )
        stream.poll()
    final = describe_stack(cfn, change_set.stack_id)
    status = final.status if final else "DELETE_COMPLETE"
    if status != SUCCESS[change_set.change_type]:
        return _report_failure(stream, stack_name, status)
    described = cfn.describe_stacks(StackName=change_set.stack_id)["Stacks"][0]
    outputs = described.get("Outputs") or []
    if outputs:
        say("")
        say(render_outputs(outputs))
    if options.outputs_file:
        _write_outputs(options.outputs_file, outputs)
    verb = "created" if change_set.change_type == "CREATE" else "updated"
    say(f"\nSuccessfully {verb} stack {stack_name} in {options.region} ({status})")
    return EXIT_OK


def report_failure(stream: EventStream, heading: str) -> None:
    """What failed, from the streamed events, on stderr (after ``heading``)."""
    print(f"\n{heading}", file=sys.stderr, flush=True)
    failures = stream.failures()
    for logical_id, resource_type, reason in failures:
        print(f"  {logical_id} ({resource_type}): {reason}", file=sys.stderr, flush=True)
    if not failures:
        print("  (no failed resource reported; see the stack events)", file=sys.stderr)


def _report_failure(stream: EventStream, stack_name: str, status: str) -> int:
    report_failure(stream, f"Deployment of {stack_name} failed: stack is {status}")
    if status == "DELETE_COMPLETE":
        print(
            "  The new stack was deleted (OnStackFailure=DELETE); fix and deploy again.",
            file=sys.stderr,
        )
    return EXIT_FAILED


def _write_outputs(path: str, outputs: list[dict[str, Any]]) -> None:
    data = {item["OutputKey"]: item.get("OutputValue", "") for item in outputs}
    try:
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        raise DeployError(
            f"deployed, but cannot write --outputs-file {path}: {error.strerror}"
        ) from None
    say(f"Outputs written to {path}")
