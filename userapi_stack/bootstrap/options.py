"""What the bootstrap stack trusts: one GitHub repository, its environments, a branch.

These are synthesis options (they change the template's shape: one deploy
role per environment), checked here so a typo fails before any AWS call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ``OWNER/REPO`` as GitHub spells it: owner 1-39 of ``[A-Za-z0-9-]``, repository
#: ``[A-Za-z0-9._-]`` (GitHub's own rules for user, organization and repository names).
REPOSITORY = re.compile(
    r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]{1,100})$"
)
#: A git branch name as it appears after ``refs/heads/`` (no wildcard: a subject
#: condition here is always an exact StringEquals).
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}(?<![/.])$")
#: The environments the shipped workflow deploys.
DEFAULT_ENVIRONMENTS = ("dev", "prod")
#: The README names the bootstrap stack ``<AppName>-bootstrap``: an environment of that
#: name would put the bootstrap's own roles under an execution role's ``<stack>-*``.
RESERVED_ENVIRONMENTS = ("bootstrap",)


@dataclass(frozen=True)
class BootstrapOptions:
    """One repository; the environments (and optionally a branch) allowed to deploy."""

    github_repo: str
    environments: tuple[str, ...] = DEFAULT_ENVIRONMENTS
    #: Jobs on this branch that run *without* a GitHub environment may deploy too.
    #: Off by default: such jobs skip the environment's protection rules.
    branch: str | None = None
    #: Numeric ids for the immutable subject form (repositories created or renamed
    #: since mid-2026, or opted in): both or neither.
    owner_id: int | None = None
    repo_id: int | None = None

    def __post_init__(self) -> None:
        if not REPOSITORY.match(self.github_repo) or self.github_repo.split("/")[1] in (".", ".."):
            raise ValueError(f"--github-repo must be OWNER/REPO, got {self.github_repo!r}")
        if not self.environments:
            raise ValueError("at least one environment is needed")
        pattern = re.compile(environment_pattern())
        for name in self.environments:
            if not pattern.match(name):
                raise ValueError(
                    f"environment {name!r} must match {pattern.pattern} "
                    "(the main template's Environment parameter)"
                )
            if name in RESERVED_ENVIRONMENTS:
                raise ValueError(f"environment {name!r} is reserved for the bootstrap stack")
        if len(set(self.environments)) != len(self.environments):
            raise ValueError("each environment may be given once")
        if self.branch is not None and not BRANCH.match(self.branch):
            raise ValueError(f"--branch {self.branch!r} is not a branch name (no wildcards)")
        if (self.owner_id is None) != (self.repo_id is None):
            raise ValueError("--owner-id and --repo-id go together (the immutable subject form)")
        for what, value in (("--owner-id", self.owner_id), ("--repo-id", self.repo_id)):
            if value is not None and value <= 0:
                raise ValueError(f"{what} must be a positive number, got {value}")

    @property
    def owner(self) -> str:
        return self.github_repo.split("/")[0]

    @property
    def repo(self) -> str:
        return self.github_repo.split("/")[1]

    @property
    def immutable(self) -> bool:
        """True when the subject claims carry the numeric ids."""
        return self.owner_id is not None


def environment_pattern() -> str:
    """The main template's rule for an environment name (one definition)."""
    from ..template import build_template

    return str(build_template().parameters["Environment"].properties["AllowedPattern"])
