"""GitHub's OIDC subject claims (``sub``) for one repository, in either form.

GitHub puts the repository and the job's context into ``sub``:
``repo:OWNER/REPO:environment:NAME`` for a job that names an environment,
``repo:OWNER/REPO:pull_request`` for a pull-request job without one,
``repo:OWNER/REPO:ref:refs/heads/BRANCH`` for a branch job without one.
Repositories created (or renamed, or transferred) from mid-2026 on, and those
that opt in, get the *immutable* form that appends numeric ids:
``repo:OWNER@OWNER_ID/REPO@REPO_ID:...``; a trust policy written for the old
form then fails ``AssumeRoleWithWebIdentity``. A role trusts exactly one form:
the immutable form exists so that a recycled name cannot mint a matching
token, so trusting the name form as well would give that protection away.
"""

from __future__ import annotations

from .options import BootstrapOptions

#: GitHub's token issuer, and the audience configure-aws-credentials asks for.
ISSUER_HOST = "token.actions.githubusercontent.com"
ISSUER_URL = f"https://{ISSUER_HOST}"
AUDIENCE = "sts.amazonaws.com"


def repository_prefix(options: BootstrapOptions) -> str:
    """``repo:OWNER/REPO`` or ``repo:OWNER@ID/REPO@ID``."""
    if options.immutable:
        return f"repo:{options.owner}@{options.owner_id}/{options.repo}@{options.repo_id}"
    return f"repo:{options.github_repo}"


def environment_subject(options: BootstrapOptions, environment: str) -> str:
    return f"{repository_prefix(options)}:environment:{environment}"


def branch_subject(options: BootstrapOptions, branch: str) -> str:
    return f"{repository_prefix(options)}:ref:refs/heads/{branch}"


def pull_request_subject(options: BootstrapOptions) -> str:
    return f"{repository_prefix(options)}:pull_request"


def deploy_subjects(options: BootstrapOptions, environment: str) -> list[str]:
    """Who may assume the deploy role of one environment."""
    subjects = [environment_subject(options, environment)]
    if options.branch is not None:
        subjects.append(branch_subject(options, options.branch))
    return subjects
