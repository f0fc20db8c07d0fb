"""Where the handler code lives, and the modules the template shares with it.

The handlers are in ``functions/`` of the repository and ship inside the
distribution as the package ``userapi_handlers.users`` (setup.cfg maps the
folder), so they are found with ``importlib.resources`` both in a checkout
(editable install) and in an installed wheel, from any working directory.

The template and the Lambda code share two things: the user schema
(``users.schema``) and the names of environment variables and SSM parameters
(``users.settings``). Both are stdlib-only modules, loaded here by file path
under private names so that importing them never puts the handler package on
``sys.path`` as a side effect.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType

#: The Lambda import root's package: handler strings are "users.create.handler".
HANDLER_PACKAGE = "users"
#: The same package as the distribution names it.
DISTRIBUTED_PACKAGE = f"userapi_handlers.{HANDLER_PACKAGE}"


def _functions_dir() -> Path:
    """The folder holding ``users/``: zipped as the Lambda artifact's root."""
    package = resources.files(DISTRIBUTED_PACKAGE)
    if not isinstance(package, Path):  # e.g. a zipimport: the zip builder needs real files
        raise ImportError(f"{DISTRIBUTED_PACKAGE} must be installed as files, not in {package}")
    return package.parent


#: The folder zipped into the Lambda artifact; its root is the Lambda
#: import root, so handler strings are relative to it ("users.create.handler").
FUNCTIONS_DIR = _functions_dir()


@cache
def shared_module(name: str) -> ModuleType:
    """Load ``users/<name>.py`` of the shipped handlers under a private module name."""
    path = resources.files(DISTRIBUTED_PACKAGE).joinpath(f"{name}.py")
    module_name = f"_userapi_handler_shared_{name}"
    spec = importlib.util.spec_from_file_location(module_name, str(path))
    if spec is None or spec.loader is None:  # pragma: no cover - a broken install
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def user_schema_module() -> ModuleType:
    """``users/schema.py``: the user schema and its request schemas."""
    return shared_module("schema")


def settings_module() -> ModuleType:
    """``users/settings.py``: env var and SSM parameter names."""
    return shared_module("settings")
