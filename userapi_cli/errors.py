"""Exit statuses and the two exceptions every subcommand raises for a user-facing failure.

A subcommand never prints its own error: it raises one of these with one
line, and the boundary in ``userapi_cli.main`` prints ``<prog>: error: <line>``
and exits with the status, so the same mistake reads the same everywhere.
"""

from __future__ import annotations

#: Done, or nothing to do.
EXIT_OK = 0
#: The operation failed (AWS refused, a stack operation failed, declined).
EXIT_FAILED = 1
#: The command line (or the config file) asks for something impossible.
EXIT_USAGE = 2
#: Interrupted with Ctrl-C (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED = 130


class UserapiError(Exception):
    """A failure with a one-line message and an exit status (default 1)."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(UserapiError):
    """A mistake in the invocation (exit 2), caught after argparse has parsed it."""

    exit_code = EXIT_USAGE
