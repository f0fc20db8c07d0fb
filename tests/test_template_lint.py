"""cfn-lint, informational rules included, reports nothing on the template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from userapi_stack.options import AUTH_MODES
from userapi_stack.template import TemplateOptions, build_template, render

CFN_LINT = Path(sys.executable).with_name("cfn-lint")


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_cfn_lint_reports_nothing_including_informational(tmp_path: Path, auth: str) -> None:
    path = tmp_path / "template.json"
    path.write_text(render(build_template(TemplateOptions(auth=auth))), encoding="utf-8")
    result = subprocess.run(
        [str(CFN_LINT), "--include-checks", "I", "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0
