"""Read a synthesized template: resources by type, intrinsics resolved.

CloudFormation resolves ``Ref``, ``Fn::Sub``, ``Fn::GetAtt``, ``Fn::Join``
and ``Fn::If`` at deploy time; the local server has to do the same to learn
a function's environment, a table's name or an integration's target. Values
come from the template's own Parameter defaults (overridable, like
``--parameter-overrides``) and fixed pseudo parameters. Only the attributes
the API wiring uses are known; anything else is a clear error, not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: moto's default account; a stable fake keeps ARNs readable.
LOCAL_ACCOUNT_ID = "123456789012"
#: The RestApi id the local server pretends to have.
LOCAL_REST_API_ID = "local"
#: Returned by ``Ref: AWS::NoValue``; dict keys and list items holding it are dropped.
NO_VALUE = object()

#: The property holding a resource's physical name: what ``Ref`` returns for it.
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SSM::Parameter": "Name",
    "AWS::SNS::Topic": "TopicName",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class TemplateError(ValueError):
    """The template uses something the local server cannot resolve."""


@dataclass
class TemplateReader:
    """A template plus the values that make its intrinsics concrete."""

    template: Mapping[str, Any]
    overrides: Mapping[str, str] = field(default_factory=dict)
    region: str = "us-east-1"

    def __post_init__(self) -> None:
        declared = self.template.get("Parameters", {})
        unknown = set(self.overrides) - set(declared)
        if unknown:
            raise TemplateError(f"unknown template parameter(s): {', '.join(sorted(unknown))}")
        self.parameters: dict[str, str] = {}
        for name, spec in declared.items():
            if name in self.overrides:
                self.parameters[name] = str(self.overrides[name])
            elif "Default" in spec:
                self.parameters[name] = str(spec["Default"])
        #: Ids the emulated services assigned (a moto user pool's id and ARN):
        #: logical id -> {"Ref": ..., attribute: ...}, consulted before any rule.
        self.physical: dict[str, dict[str, str]] = {}
        self.pseudo: dict[str, str] = {
            "AWS::Region": self.region,
            "AWS::AccountId": LOCAL_ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
        }

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        return self.template.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        """Logical id -> raw properties, for every resource of one type."""
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's properties with every intrinsic resolved."""
        try:
            resource = self.resources[logical_id]
        except KeyError:
            raise TemplateError(f"no resource {logical_id!r} in the template") from None
        return self.resolve(resource.get("Properties", {}))

    def property(self, logical_id: str, name: str, default: Any = None) -> Any:
        """One resolved property: the others may need values nobody gave
        (a function's Code bucket), which local use never reads."""
        raw = self.resources.get(logical_id, {}).get("Properties", {})
        return self.resolve(raw[name]) if name in raw else default

    def resolve(self, value: Any) -> Any:
        """``value`` with ``Ref``/``Fn::*`` replaced by concrete values."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::GetAtt":
                names = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(names[0], names[1])
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(part) for part in self.resolve(parts))
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if key.startswith("Fn::"):
                raise TemplateError(f"the local server does not resolve {key}")
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def ref(self, name: str) -> Any:
        """What ``Ref`` returns: a parameter value, a pseudo value or a physical id."""
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.template.get("Parameters", {}):
            raise TemplateError(f"template parameter {name} has no default: pass a value")
        if name in self.physical:
            return self.physical[name]["Ref"]
        resource = self.resources.get(name)
        if resource is None:
            raise TemplateError(f"Ref to unknown name {name!r}")
        if resource["Type"] == "AWS::ApiGateway::RestApi":
            return LOCAL_REST_API_ID
        prop = _NAME_PROPERTY.get(resource["Type"])
        if prop and prop in resource.get("Properties", {}):
            return self.resolve(resource["Properties"][prop])
        return name  # CloudFormation would generate an id; the logical id is stable

    def get_att(self, logical_id: str, attribute: str) -> str:
        """The ``Fn::GetAtt`` values the API wiring needs."""
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"Fn::GetAtt to unknown resource {logical_id!r}")
        kind = resource["Type"]
        if attribute in self.physical.get(logical_id, {}):
            return self.physical[logical_id][attribute]
        prefix = f"arn:aws:{{}}:{self.region}:{LOCAL_ACCOUNT_ID}"
        if attribute == "Arn" and kind == "AWS::Lambda::Function":
            return f"{prefix.format('lambda')}:function:{self.ref(logical_id)}"
        if attribute == "Arn" and kind == "AWS::DynamoDB::Table":
            return f"{prefix.format('dynamodb')}:table/{self.ref(logical_id)}"
        if attribute == "Arn" and kind == "AWS::Logs::LogGroup":
            return f"{prefix.format('logs')}:log-group:{self.ref(logical_id)}:*"
        if attribute == "Arn" and kind == "AWS::IAM::Role":
            return f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{logical_id}"
        if attribute == "RootResourceId" and kind == "AWS::ApiGateway::RestApi":
            return "/"
        raise TemplateError(f"the local server does not know {logical_id}.{attribute} ({kind})")

    def exists(self, logical_id: str) -> bool:
        """False for a resource whose ``Condition`` is false (CloudFormation skips it)."""
        name = self.resources.get(logical_id, {}).get("Condition")
        return name is None or self.condition(name)

    def condition(self, name: str) -> bool:
        """Evaluate one of the template's Conditions."""
        try:
            expression = self.template["Conditions"][name]
        except KeyError:
            raise TemplateError(f"unknown condition {name!r}") from None
        return self._evaluate(expression)

    def _evaluate(self, expression: Any) -> bool:
        ((key, arg),) = expression.items()
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._evaluate(arg[0])
        if key == "Fn::And":
            return all(self._evaluate(item) for item in arg)
        if key == "Fn::Or":
            return any(self._evaluate(item) for item in arg)
        if key == "Condition":
            return self.condition(arg)
        raise TemplateError(f"the local server does not evaluate {key}")

    def _sub(self, arg: str | list[Any]) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        local = {key: self.resolve(value) for key, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local:
                return str(local[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return self.get_att(*name.split(".", 1))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, text)
