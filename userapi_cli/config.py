"""``userapi.toml``: the flags a project would otherwise retype on every run.

Top-level keys apply to every command and environment; ``[environments.NAME]``
tables override them for ``--environment NAME``. The file sets argparse
*defaults* (``parser.set_defaults``) after a first pass has found
``--environment`` and ``--config``, so a flag on the command line always wins,
the file wins over the built-in defaults, and every value goes through the
same ``type=`` and ``choices`` checks as the flag it stands for. A key a
command does not take (``bucket`` for ``logs``) is simply not used by it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import UsageError

#: Looked for in the current directory when ``--config`` is not given.
CONFIG_FILE = "userapi.toml"
#: Keys that are not synthesis options: file key -> the option's argparse dest.
STACK_KEYS: dict[str, str] = {
    "region": "region",
    "profile": "profile",
    "endpoint_url": "endpoint_url",
    "stack_name": "stack_name",
    "bucket": "bucket",
    "parameters": "parameter",
}
#: File keys whose value is a table of KEY = value pairs (repeatable KEY=VALUE flags).
PAIR_KEYS = ("parameters", "tags")
ENVIRONMENTS = "environments"


def _synthesis_keys() -> dict[str, str]:
    """Every synthesis option (declared once in ``synthesis.py``) is a file key too."""
    from .synthesis import add_synthesis_options

    probe = argparse.ArgumentParser(add_help=False)
    add_synthesis_options(probe)
    keys = {}
    for action in probe._actions:
        keys["tags" if action.dest == "tag" else action.dest] = action.dest
    return keys


def file_keys() -> dict[str, str]:
    """All keys ``userapi.toml`` accepts, mapped to argparse dests."""
    return {**STACK_KEYS, **_synthesis_keys()}


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"read option defaults from this TOML file (default: ./{CONFIG_FILE} if present)",
    )


def _preparse(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """``--config`` and ``--environment`` as given (before the real parse)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config")
    pre.add_argument("--environment")
    known, _ = pre.parse_known_args(list(argv))
    return known.config, known.environment


def _load(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.9 and 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None


def _section(document: dict[str, Any], environment: str | None, path: Path) -> dict[str, Any]:
    """Top-level keys, then the environment's table over them."""
    allowed = file_keys()
    environments = document.get(ENVIRONMENTS, {})
    if not isinstance(environments, dict) or not all(
        isinstance(table, dict) for table in environments.values()
    ):
        raise UsageError(f"{path}: {ENVIRONMENTS}: expected tables [{ENVIRONMENTS}.NAME]")
    tables = [("", {k: v for k, v in document.items() if k != ENVIRONMENTS})]
    tables += [(f"{ENVIRONMENTS}.{name}.", table) for name, table in environments.items()]
    for prefix, table in tables:
        for key in table:
            if key not in allowed:
                raise UsageError(
                    f"{path}: unknown key {prefix}{key} (allowed: "
                    f"{', '.join(sorted(allowed))}, and [{ENVIRONMENTS}.NAME] tables)"
                )
    values = dict(tables[0][1])
    if environment is not None:
        values.update(environments.get(environment, {}))
    return values


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _convert(action: argparse.Action, key: str, value: Any, path: Path) -> Any:
    """``value`` as the flag's own ``type``/``choices`` would accept it, or one line."""

    def one(text: str) -> Any:
        if action.choices is not None and text not in action.choices:
            raise UsageError(
                f"{path}: {key}: invalid value {text!r} (allowed: "
                f"{', '.join(map(str, action.choices))})"
            )
        if action.type is None:
            return text
        try:
            return action.type(text)  # type: ignore[operator]
        except (argparse.ArgumentTypeError, ValueError) as error:
            raise UsageError(f"{path}: {key}: {error}") from None

    if key in PAIR_KEYS:
        if not isinstance(value, dict) or any(_text(v) is None for v in value.values()):
            raise UsageError(f"{path}: {key}: expected a table of KEY = value (string or number)")
        return [one(f"{name}={_text(item)}") for name, item in value.items()]
    if action.nargs == 0:  # a switch (store_true)
        if not isinstance(value, bool):
            raise UsageError(f"{path}: {key}: expected true or false, got {value!r}")
        return value
    text = _text(value)
    if text is None or isinstance(value, bool):
        raise UsageError(f"{path}: {key}: expected a string, got {value!r}")
    return one(text)


def apply_config(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Path | None:
    """Set ``parser``'s defaults from the config file ``argv`` names (or ./userapi.toml)."""
    given, environment = _preparse(argv)
    path = Path(given) if given else Path(CONFIG_FILE)
    if not given and not path.is_file():
        return None
    if environment is None:
        environment = parser.get_default("environment")
    values = _section(_load(path), environment, path)
    keys = file_keys()
    reference = {action.dest: action for action in _reference_parser()._actions}
    actions = {action.dest: action for action in parser._actions}
    defaults = {}
    for key, value in values.items():
        # Checked for every command, so a file is valid or not whatever the command...
        converted = _convert(reference[keys[key]], key, value, path)
        if keys[key] in actions:  # ...but a key this command does not take is not used
            defaults[keys[key]] = converted
    parser.set_defaults(**defaults)
    return path


def _reference_parser() -> argparse.ArgumentParser:
    """``deploy`` takes every file key: its options are the reference for checking values."""
    from .commands import BY_NAME

    reference = argparse.ArgumentParser(add_help=False)
    BY_NAME["deploy"].load().add_arguments(reference)
    missing = set(file_keys().values()) - {action.dest for action in reference._actions}
    assert not missing, f"deploy does not take {missing}"  # a key must have a flag
    return reference
