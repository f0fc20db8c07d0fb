"""``python -m userapi_stack.bootstrap --github-repo OWNER/REPO``: the CI bootstrap template.

The same command as ``userapi bootstrap`` (userapi_cli.commands.bootstrap).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

PROG = "python -m userapi_stack.bootstrap"


def main(argv: Sequence[str] | None = None) -> int:
    from userapi_cli.main import run_command

    return run_command("bootstrap", argv, PROG)


if __name__ == "__main__":
    sys.exit(main())
