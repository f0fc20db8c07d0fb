"""Common tags, applied to every resource whose type has a Tags property.

Rather than remembering to pass ``Tags=`` to each resource, ``apply_tags``
walks the finished template and tags every resource whose troposphere class
declares ``Tags``: a resource added later is tagged without anyone thinking
of it. ``tests/test_template_tags.py`` checks the result against cfn-lint's
resource schemas, so a class missing the property would be caught.
"""

from __future__ import annotations

from troposphere import AWSHelperFn, Ref, Tags, Template

from .options import DEFAULT_TAGS, TemplateOptions
from .parameters import Parameters


def common_tags(options: TemplateOptions, params: Parameters) -> dict[str, str | AWSHelperFn]:
    """Default tags, then ``--tag`` values over them, then ``Environment``."""
    tags: dict[str, str | AWSHelperFn] = {"Application": Ref(params.app_name), **DEFAULT_TAGS}
    tags.update(dict(options.tags))
    tags["Environment"] = Ref(params.environment)
    return dict(sorted(tags.items()))


#: The properties resource types keep their tags in (a Cognito user pool's
#: is ``UserPoolTags``; every other type here uses ``Tags``).
TAG_PROPERTIES = ("Tags", "UserPoolTags")


def apply_tags(template: Template, tags: dict[str, str | AWSHelperFn]) -> None:
    """Set the tags of every taggable resource, in the form its class expects."""
    for resource in template.resources.values():
        for name in TAG_PROPERTIES:
            spec = resource.props.get(name)
            if spec is None:
                continue
            expected_type = spec[0]
            # AWS::SSM::Parameter (and a few others) take a plain key/value map.
            setattr(resource, name, dict(tags) if expected_type is dict else Tags(tags))
