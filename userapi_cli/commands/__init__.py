"""The subcommands of ``userapi``: one line each in ``COMMANDS``.

A subcommand is a module ``userapi_cli/commands/<name>.py`` with
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported only
when their command runs (or its ``--help`` is asked for), so ``userapi --help``
and a command's start-up never pay for the others' imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, the module that implements it, its one-line help."""

    name: str
    module: str
    help: str

    def load(self) -> ModuleType:
        """Import the implementing module (relative to this package)."""
        return importlib.import_module(f"{__name__}.{self.module}")


#: Every subcommand, in the order ``userapi --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("template", "template", "print the CloudFormation template (no AWS calls)"),
    Command("openapi", "openapi", "print the OpenAPI 3 document of the API (no AWS calls)"),
    Command("deploy", "deploy", "package, upload, create a change set and execute it"),
    Command("local", "local", "serve the API on 127.0.0.1 with no AWS account"),
    Command("outputs", "outputs", "show the deployed stack's outputs (table or --json)"),
    Command("logs", "logs", "read or follow the functions' and the access log, one line each"),
    Command("delete", "delete", "delete the stack; tables and other data always stay"),
    Command("token", "token", "print an ID token for a test user of `local --auth cognito`"),
    Command("secret", "secret", "set or list the environment's secrets (SSM SecureString)"),
    Command("api-key", "api_key", "create a caller's API key on the usage plan, print it once"),
    Command("bootstrap", "bootstrap", "print the one-time CI bootstrap stack (GitHub OIDC roles)"),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
