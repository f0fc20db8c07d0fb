"""The real template, rewritten just enough for moto to execute it.

moto 5.2.5 cannot execute the real template through a change set as is, so
``moto_template`` rewrites exactly these constructs of the REAL synthesized
template and nothing else (each is a moto gap, not a template bug). The
rules are generic: they apply to whatever resources of these kinds the
template has, so new routes or methods need no change here.

1. ``Fn::If [cond, {...}, AWS::NoValue]`` inside an IAM Role's ``Policies``
   list: moto keeps the ``None`` and crashes (``'NoneType' object is not
   subscriptable``); conditional policies (e.g. X-Ray) are dropped.
2. Integrations without ``IntegrationHttpMethod``/``Uri`` (MOCK, e.g. CORS
   OPTIONS methods): moto's Method reads both unconditionally
   (``KeyError``); placeholders are added.
3. ``AWS::SSM::Parameter`` ``Tags`` is a map in CloudFormation; moto expects
   a list of Key/Value pairs.
4. moto's change-set execution creates resources in template order and
   ignores ``DependsOn`` (its ``create_stack`` path honours it), so the API
   Deployment would precede its Methods; resources are re-ordered so that
   every ``DependsOn`` target comes first (same template semantics).

``python -m userapi_dev.moto_template DEPLOY-ARGS`` runs ``scripts/deploy.py``
(``userapi_deploy.cli.main``) with this rewrite, for benchmarks and manual
runs against ``moto_server`` (pass ``--endpoint-url``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def moto_template(text: str) -> str:
    """The real template with the four moto gaps above worked around."""
    template = json.loads(text)
    resources: dict[str, Any] = template["Resources"]
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role" and "Policies" in props:
            props["Policies"] = [p for p in props["Policies"] if "Fn::If" not in p]
        if resource["Type"] == "AWS::ApiGateway::Method" and "Integration" in props:
            props["Integration"].setdefault("IntegrationHttpMethod", "POST")
            props["Integration"].setdefault("Uri", "mock")
        if resource["Type"] == "AWS::SSM::Parameter" and isinstance(props.get("Tags"), dict):
            props["Tags"] = [{"Key": k, "Value": v} for k, v in props["Tags"].items()]
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        depends = resources[name].get("DependsOn", [])
        for target in [depends] if isinstance(depends, str) else depends:
            visit(target)
        order.append(name)

    for name in resources:
        visit(name)
    template["Resources"] = {name: resources[name] for name in order}
    return json.dumps(template, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The deploy CLI, rendering the template through ``moto_template``."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from userapi_deploy import cli, synthesis

    real_render = synthesis.render_template
    synthesis.render_template = lambda options=None: moto_template(real_render(options))
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
