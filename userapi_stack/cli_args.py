"""Command-line pieces every userapi CLI shares (synthesizer, deploy, local server).

One behaviour for user mistakes across the tools: a single ``prog: error:``
line and exit status 2, never argparse's usage dump or a traceback; and one
reading of ``KEY=VALUE`` arguments.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

#: Exit status of a command-line mistake (argparse's own convention).
USAGE_ERROR = 2


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad option or value is one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def split_key_value(text: str) -> tuple[str, str]:
    """``"K=V"`` -> ``("K", "V")``: the value may be empty or hold ``=``; the key may not."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def key_value(text: str) -> tuple[str, str]:
    """``split_key_value`` as an argparse ``type=``."""
    try:
        return split_key_value(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
