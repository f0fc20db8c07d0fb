"""CloudWatch log groups: every one this stack creates, built the same way.

Retention comes from the LogRetentionDays Parameter (log groups never expire
otherwise), and deleting the stack deletes them: logs are diagnostics, not
records.
"""

from __future__ import annotations

from troposphere import Ref, Sub
from troposphere.logs import LogGroup

from .parameters import Parameters
from .scanner import Skip, accept

#: Why no customer-managed key (the README's security choices, machine-readable).
NO_LOG_CMK = Skip(
    "CKV_AWS_158",
    "CloudWatch Logs encrypts every group at rest already; these logs hold request ids, "
    "routes, statuses and client IPs, never bodies or headers (API.md); a CMK adds $1/month",
)


def log_group(title: str, name: str, params: Parameters, no_cmk: Skip = NO_LOG_CMK) -> LogGroup:
    """A log group named ``name`` (a ``Sub`` text) with the stack's retention.

    ``no_cmk`` is the reason it needs no customer-managed key, for a group
    whose content differs from the API's own logs (WAF's).
    """
    return accept(
        LogGroup(
            title,
            LogGroupName=Sub(name),
            RetentionInDays=Ref(params.log_retention_days),
            DeletionPolicy="Delete",
            UpdateReplacePolicy="Delete",
        ),
        no_cmk,
    )
