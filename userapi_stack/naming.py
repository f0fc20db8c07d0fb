"""Physical names and logical ids, derived in one place.

Physical names start with ``${AppName}-${Environment}`` so two environments
(or two apps) deploy side by side in one account and region without a clash.
Logical ids are PascalCase nouns stemmed from the route name.
"""

from __future__ import annotations

import re

from troposphere import Sub

#: Prefix of every physical name, as a ``Sub`` fragment.
PREFIX = "${AppName}-${Environment}"


def physical_name(suffix: str) -> Sub:
    """``<AppName>-<Environment>-<suffix>``, e.g. ``userapi-dev-users``."""
    return Sub(f"{PREFIX}-{suffix}")


def kebab(name: str) -> str:
    """``CreateUser`` -> ``create-user`` (function names read better in consoles)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def pascal(text: str) -> str:
    """``user_id`` / ``APP_NAME`` / ``{user_id}`` -> ``UserId`` / ``AppName``."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def function_name_fragment(route_name: str) -> str:
    """The ``Sub`` text of a function's physical name (used by logs and the dashboard)."""
    return f"{PREFIX}-{kebab(route_name)}"
