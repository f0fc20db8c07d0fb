"""``build_template``: the whole stack, assembled from one module per concern.

Pure: no AWS calls, no clock, no randomness. Same options, same bytes.
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import Template

from .account import add_account_role
from .api import add_api, add_rest_api, add_stage
from .auth import add_auth, auth_mode
from .configuration import add_configuration
from .domain import add_domain
from .functions import add_functions
from .monitoring import add_monitoring
from .options import TemplateOptions
from .outputs import add_outputs
from .parameters import add_parameters
from .storage import add_tables
from .tags import apply_tags, common_tags
from .usage_plan import API_KEY_ERRORS, add_usage_plan, require_api_keys
from .waf import WAF_ERRORS, add_waf

__all__ = ["TemplateOptions", "build_template", "render"]

DESCRIPTION = "Users API: REST API Gateway, one Lambda per route, DynamoDB (userapi_stack)"


def build_template(options: TemplateOptions | None = None) -> Template:
    """Synthesize the CloudFormation template of the Users API."""
    options = options or TemplateOptions()
    if options.api_keys:
        options = replace(options, routes=require_api_keys(options.routes))
    feature_errors = (
        *(API_KEY_ERRORS if options.api_keys else ()),
        *(WAF_ERRORS if options.waf else ()),
    )
    template = Template(Description=DESCRIPTION)
    template.set_version()
    params = add_parameters(template)
    tables = add_tables(template)
    config = add_configuration(template, params)
    functions = add_functions(template, options, params, tables, config)
    account = add_account_role(template)
    rest_api = add_rest_api(template, params)
    mode = auth_mode(options.auth)
    add_auth(template, mode, rest_api)
    add_api(template, params, functions, rest_api, mode, feature_errors)
    # Modules adding methods or gateway responses go above this line: the
    # stage's Deployment snapshots (and hashes) what the template holds now.
    api = add_stage(template, params, rest_api, account)
    topic = add_monitoring(template, params, functions, tables)
    add_outputs(template, api, tables, functions, topic)
    add_domain(template, api, params, options.domain)
    add_usage_plan(template, api, options.api_keys)
    add_waf(template, api, params, topic, options.waf)
    apply_tags(template, common_tags(options, params))
    return template


def render(template: Template, fmt: str = "json") -> str:
    """The template as text: sorted-key JSON (or YAML), newline-terminated."""
    if fmt == "yaml":
        return template.to_yaml()
    return template.to_json(indent=1, sort_keys=True) + "\n"
