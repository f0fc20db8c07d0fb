"""Exit codes and the exceptions that carry them.

Every failure the user can act on is raised as a ``DeployError`` with one
clear line; ``cli.main`` prints it and returns its exit code, so no user
mistake or AWS refusal ever ends in a traceback.
"""

from __future__ import annotations

#: Deployed, or nothing to do.
EXIT_OK = 0
#: The deployment failed (AWS refused, a change set or stack operation failed).
EXIT_FAILED = 1
#: The command line was wrong (unknown parameter key, bad KEY=VALUE, ...).
EXIT_USAGE = 2


class DeployError(Exception):
    """A failure with a one-line message and an exit code."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(DeployError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = EXIT_USAGE
