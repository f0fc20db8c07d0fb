"""Synthesis options: the structural choices fixed when the template is built.

Environment-specific values (names, sizes, thresholds) are CloudFormation
Parameters so one template serves every environment. What is here changes
the template's *shape* (runtime, architecture, tags, the route table), so it
is chosen at synthesis time, with safe defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .handler_code import settings_module
from .routes import ROUTES, Route

#: Lambda Python runtimes the handlers support (ARCHITECTURE.md: 3.9 to 3.14).
#: 3.9 and 3.10 are accepted but lint with W2531 (deprecated) from cfn-lint.
SUPPORTED_RUNTIMES: tuple[str, ...] = tuple(f"python3.{minor}" for minor in range(9, 15))
DEFAULT_RUNTIME = "python3.13"
#: Supported runtimes AWS has deprecated, with the date (cfn-lint W2531 and
#: checkov CKV_AWS_363 flag them; a template built for one records why).
DEPRECATED_RUNTIMES: dict[str, str] = {"python3.9": "2025-12-15", "python3.10": "2026-10-31"}

#: Lambda instruction sets; arm64 (Graviton) is ~20% cheaper per GB-second.
SUPPORTED_ARCHITECTURES: tuple[str, ...] = ("arm64", "x86_64")
DEFAULT_ARCHITECTURE = "arm64"

#: How owner-only routes prove their caller (``--auth``; see auth.py). The
#: names are the handlers' (settings.py): the template passes one to them.
AUTH_NONE: str = settings_module().AUTH_NONE
AUTH_COGNITO: str = settings_module().AUTH_COGNITO
AUTH_MODES: tuple[str, ...] = tuple(settings_module().AUTH_MODES)

#: Tags every taggable resource carries unless ``--tag`` overrides them.
#: ``Application`` and ``Environment`` come from Parameters (see tags.py).
DEFAULT_TAGS: dict[str, str] = {"ManagedBy": "userapi"}

#: Tag keys the template sets from Parameters; ``--tag`` may not set them.
PARAMETER_TAG_KEYS: tuple[str, ...] = ("Environment",)


#: How the security scan covers an option (``field(metadata=...)``), so a new
#: option is scanned in every combination without touching the scan:
#: a ``bool`` field takes both values; a field with ``metadata={"choices":
#: (...)}`` each of them, combined with every other option's values; one
#: that also says ``"scan": "each"`` only changes a property that checks
#: read alone (the runtime, the architecture), so each of its values is
#: scanned once rather than multiplied in; ``"scan": "fixed"`` marks what is
#: not a user choice of template shape (free-form tags, the test-only routes).
#: See userapi_stack/scanner.py ``option_combinations``.
SCAN_EACH = "each"
SCAN_FIXED = "fixed"


@dataclass(frozen=True)
class TemplateOptions:
    """Everything ``build_template`` needs besides the route table defaults."""

    runtime: str = field(
        default=DEFAULT_RUNTIME, metadata={"choices": SUPPORTED_RUNTIMES, "scan": SCAN_EACH}
    )
    architecture: str = field(
        default=DEFAULT_ARCHITECTURE,
        metadata={"choices": SUPPORTED_ARCHITECTURES, "scan": SCAN_EACH},
    )
    #: Extra tags, merged over the defaults (``--tag KEY=VALUE``).
    tags: tuple[tuple[str, str], ...] = field(default=(), metadata={"scan": SCAN_FIXED})
    #: How owner-only routes prove their caller: ``none`` (open, the default:
    #: the original requirement) or ``cognito`` (a user-pool ID token).
    auth: str = field(default=AUTH_NONE, metadata={"choices": AUTH_MODES})
    #: The routes to deploy; a parameter only so tests can vary it.
    routes: tuple[Route, ...] = field(default=ROUTES, metadata={"scan": SCAN_FIXED})
    #: A custom domain (``api.example.com``) with an enhanced TLS policy (domain.py).
    domain: bool = False
    #: API keys and a usage plan for third-party callers (usage_plan.py).
    api_keys: bool = False
    #: A WAF web ACL with a per-IP rate limit in front of the stage (waf.py).
    waf: bool = False

    def __post_init__(self) -> None:
        if self.runtime not in SUPPORTED_RUNTIMES:
            raise ValueError(
                f"unsupported runtime {self.runtime!r}; choose one of "
                + ", ".join(SUPPORTED_RUNTIMES)
            )
        if self.architecture not in SUPPORTED_ARCHITECTURES:
            raise ValueError(
                f"unsupported architecture {self.architecture!r}; choose one of "
                + ", ".join(SUPPORTED_ARCHITECTURES)
            )
        if self.auth not in AUTH_MODES:
            raise ValueError(
                f"unsupported auth mode {self.auth!r}; choose one of " + ", ".join(AUTH_MODES)
            )
        for key, value in self.tags:
            validate_tag(key, value)


def validate_tag(key: str, value: str) -> None:
    """Reject tags CloudFormation would refuse only at deploy time."""
    if not key or len(key) > 128:
        raise ValueError(f"tag key must be 1 to 128 characters: {key!r}")
    if len(value) > 256:
        raise ValueError(f"tag value for {key!r} must be at most 256 characters")
    if key.lower().startswith("aws:"):
        raise ValueError(f"tag key {key!r}: the aws: prefix is reserved")
    if key in PARAMETER_TAG_KEYS:
        raise ValueError(f"tag {key!r} comes from the {key} Parameter; it cannot be set")
