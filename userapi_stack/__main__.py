"""``python -m userapi_stack``: write the template (or the OpenAPI document).

The same command as ``userapi template`` (see ``userapi_cli.commands.template``):
one line on stderr and exit status 2 for a mistake, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

PROG = "python -m userapi_stack"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, synthesize, write. Returns the exit status."""
    from userapi_cli.main import run_command

    return run_command("template", argv, PROG)


if __name__ == "__main__":
    sys.exit(main())
