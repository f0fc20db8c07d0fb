"""Optional parts of the distribution (setup.cfg extras), checked before they are needed.

A subcommand that needs an extra calls ``require_extra`` first, so a plain
``pip install userapi`` answers ``userapi local`` with one line naming the
pip command instead of a ``ModuleNotFoundError`` traceback from deep inside.
"""

from __future__ import annotations

import importlib.util

from .errors import UserapiError

#: The modules each extra provides (the distributions setup.cfg lists for it;
#: a test keeps the two in step).
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "local": ("moto", "jsonschema", "joserfc"),
}


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    return [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]


def require_extra(extra: str) -> None:
    """Raise one line naming the pip command when ``extra`` is not installed."""
    missing = missing_modules(extra)
    if missing:
        raise UserapiError(
            f"this command needs the {extra!r} extra ({', '.join(missing)} not installed): "
            f"pip install 'userapi[{extra}]' (in a clone: pip install '.[{extra}]')"
        )
