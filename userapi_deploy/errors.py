"""The deploy's exceptions: ``userapi_cli.errors`` specialised, so one boundary prints them.

Every failure the user can act on is raised as a ``DeployError`` with one
clear line; the boundary in ``userapi_cli.main`` prints it and returns its
exit code, so no user mistake or AWS refusal ever ends in a traceback.
"""

from __future__ import annotations

from userapi_cli import errors as _cli
from userapi_cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "DeployError", "UsageError"]


class DeployError(_cli.UserapiError):
    """A deploy (or delete) failure with a one-line message and an exit code."""


class UsageError(DeployError, _cli.UsageError):
    """The command line asks for something impossible (exit 2)."""
