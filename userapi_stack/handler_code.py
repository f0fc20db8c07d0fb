"""Where the handler code lives, and the modules the template shares with it.

The template and the Lambda code share two things: the user schema
(``users.schema``) and the names of environment variables and SSM parameters
(``users.settings``). Both are stdlib-only modules in ``functions/``, loaded
here by file path so that importing them never puts the handler package on
``sys.path`` as a side effect.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

#: The folder zipped into the Lambda artifact; its root is the Lambda
#: import root, so handler strings are relative to it ("users.create.handler").
FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
HANDLER_PACKAGE = "users"


@cache
def shared_module(name: str) -> ModuleType:
    """Load ``functions/users/<name>.py`` under a private module name."""
    path = FUNCTIONS_DIR / HANDLER_PACKAGE / f"{name}.py"
    module_name = f"_userapi_handler_shared_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken checkout
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def user_schema_module() -> ModuleType:
    """``functions/users/schema.py``: the user schema and its request schemas."""
    return shared_module("schema")


def settings_module() -> ModuleType:
    """``functions/users/settings.py``: env var and SSM parameter names."""
    return shared_module("settings")
