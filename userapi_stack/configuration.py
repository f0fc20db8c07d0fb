"""SSM Parameter Store: the runtime configuration the functions read.

The names come from ``functions/users/settings.py`` (CONFIG_PARAMETERS), the
values from template Parameters. They are String parameters, and nothing in
them is secret. Secrets (settings.SECRET_PARAMETERS) sit under the same path
as SecureString parameters, which CloudFormation cannot create: the template
only grants them (``route_secrets``), the tool writes them.
"""

from __future__ import annotations

from awacs import ssm as ssm_actions
from troposphere import Ref, Sub, Template
from troposphere.ssm import Parameter as SsmParameter

from .handler_code import settings_module
from .naming import pascal
from .parameters import Parameters

#: ``CONFIG_PATH`` as a ``Sub`` text: ``/dev/api/`` for Environment ``dev``.
CONFIG_PATH = "/${Environment}/api/"


def environment_config_path(environment: str) -> str:
    """CONFIG_PATH for one environment: ``/dev/api/``."""
    return CONFIG_PATH.replace("${Environment}", environment)


def config_parameter_logical_id(setting: str) -> str:
    """``APP_NAME`` -> ``AppNameConfigParameter`` (distinct from the ``AppName`` Parameter)."""
    return f"{pascal(setting)}ConfigParameter"


def config_parameter_arn(setting: str) -> Sub:
    """The exact ARN of one configuration parameter (names start with ``/``)."""
    return Sub(
        ssm_actions.ARN(
            resource=f"parameter{CONFIG_PATH}{setting}",
            region="${AWS::Region}",
            account="${AWS::AccountId}",
        ).data
    )


def add_configuration(template: Template, params: Parameters) -> dict[str, SsmParameter]:
    """One String parameter per ``settings.CONFIG_PARAMETERS`` name."""
    values = {"APP_NAME": Ref(params.app_name), "CORS_ALLOW_ORIGIN": Ref(params.cors_allow_origin)}
    names = settings_module().CONFIG_PARAMETERS
    unknown = set(names) - set(values)
    if unknown:  # settings.py grew a name the template has no value for
        raise ValueError(f"no template value for SSM settings: {sorted(unknown)}")
    return {
        name: template.add_resource(
            SsmParameter(
                config_parameter_logical_id(name),
                Name=Sub(f"{CONFIG_PATH}{name}"),
                Type="String",
                Value=values[name],
                Description=f"{name} for the Users API functions (read once per container).",
            )
        )
        for name in names
    }


def route_secrets(route_name: str, route_names: set[str]) -> tuple[str, ...]:
    """The secrets ``route_name``'s function reads (settings.SECRET_PARAMETERS).

    ``route_names`` are the routes being deployed: a secret declared for a
    route that does not exist is a typo that would grant nothing, so it stops
    synthesis.
    """
    settings = settings_module()
    for name, readers in settings.SECRET_PARAMETERS.items():
        unknown = set(readers) - route_names
        if unknown:
            raise ValueError(f"secret {name}: no such route {sorted(unknown)} (routes.py)")
    return settings.secrets_of(route_name)
