"""API Gateway's account-level CloudWatch role: read it, never take it over.

Stage logging needs the region's API Gateway account setting
(``cloudwatchRoleArn``). It is ONE value per account and region, shared by
every API there, so this script only asks the template to create it
(``CreateApiGatewayAccountRole=true``) when none is set, and says so. When
one is set by someone else it passes ``false`` and leaves it alone. When this
stack already created it (its deployed parameter is ``true``), it keeps
``true``: flipping to ``false`` because the setting now exists (this stack
set it) would remove the resources from the stack on every other deploy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .parameters import ACCOUNT_ROLE


@dataclass(frozen=True)
class AccountRoleDecision:
    """The parameter value and the sentence that explains it."""

    value: str
    message: str


def decide_account_role(
    apigateway: Any, previous: Mapping[str, str] | None, override: str | None
) -> AccountRoleDecision:
    """Choose ``CreateApiGatewayAccountRole`` for this deploy."""
    if override is not None:
        return AccountRoleDecision(
            override, f"API Gateway account role: {ACCOUNT_ROLE}={override} (from --parameter)"
        )
    if previous is not None and previous.get(ACCOUNT_ROLE) == "true":
        return AccountRoleDecision(
            "true", "API Gateway account role: managed by this stack (kept as it is)"
        )
    role_arn = apigateway.get_account().get("cloudwatchRoleArn")
    if role_arn:
        return AccountRoleDecision(
            "false",
            f"API Gateway account role: already set to {role_arn}; leaving it alone "
            f"({ACCOUNT_ROLE}=false)",
        )
    return AccountRoleDecision(
        "true",
        "API Gateway account role: none is set in this region; this stack will create it "
        f"({ACCOUNT_ROLE}=true, retained if the stack is deleted)",
    )
