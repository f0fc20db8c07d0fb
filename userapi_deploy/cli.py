"""``scripts/deploy.py``: the ``userapi deploy`` command under its old name.

The options live in ``userapi_cli.commands.deploy`` and the error boundary in
``userapi_cli.main``; this keeps ``python scripts/deploy.py`` and
``userapi_deploy.cli.main`` working with the same words and exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence

PROG = "deploy.py"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the deploy; return the exit code."""
    from userapi_cli.main import run_command

    return run_command("deploy", argv, PROG)
