"""The template, synthesized in-process by the code behind ``python -m userapi_stack``.

No ``template.json`` on disk can be stale: every deploy renders the template
with the same ``build_template`` + ``render`` the CLI uses, then reads what
the deploy needs from it (parameter names and rules, capabilities, size).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from userapi_stack.template import TemplateOptions, build_template, render

#: CloudFormation's limit for an inline ``TemplateBody``; larger goes through S3.
MAX_TEMPLATE_BODY_BYTES = 51_200

#: IAM resource types that need CAPABILITY_IAM, and the property that names each.
IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
}


@dataclass(frozen=True)
class Synthesized:
    """The rendered template and what the deploy reads from it."""

    text: str
    body: dict[str, Any] = field(repr=False)

    @property
    def size(self) -> int:
        """Bytes of the rendered template (UTF-8), as CloudFormation counts them."""
        return len(self.text.encode("utf-8"))

    @property
    def needs_s3(self) -> bool:
        """Over 51,200 bytes CloudFormation only accepts a ``TemplateURL``."""
        return self.size > MAX_TEMPLATE_BODY_BYTES

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        """The template's Parameters section (name -> declaration)."""
        return dict(self.body.get("Parameters", {}))

    @property
    def capabilities(self) -> list[str]:
        """What CloudFormation will demand: IAM, NAMED_IAM, AUTO_EXPAND (macros)."""
        needed: set[str] = set()
        for resource in self.body.get("Resources", {}).values():
            resource_type = resource.get("Type", "")
            if resource_type in IAM_NAME_PROPERTIES:
                needed.add("CAPABILITY_IAM")
                name_property = IAM_NAME_PROPERTIES[resource_type]
                if name_property and name_property in resource.get("Properties", {}):
                    needed.add("CAPABILITY_NAMED_IAM")
            elif resource_type in ("AWS::CloudFormation::Stack", "AWS::Serverless::Application"):
                needed.add("CAPABILITY_AUTO_EXPAND")
        if self.body.get("Transform"):
            needed.add("CAPABILITY_AUTO_EXPAND")
        return sorted(needed)


def render_template(options: TemplateOptions | None = None) -> str:
    """The template's text, exactly as ``userapi template`` writes it for ``options``."""
    return render(build_template(options or TemplateOptions()))


def synthesize(options: TemplateOptions | None = None) -> Synthesized:
    """Render the template and parse it back (what CloudFormation will read)."""
    text = render_template(options)
    return Synthesized(text=text, body=json.loads(text))
