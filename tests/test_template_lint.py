"""cfn-lint, informational rules included, reports nothing on the template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stack_fixture import _default_text

CFN_LINT = Path(sys.executable).with_name("cfn-lint")


def test_cfn_lint_reports_nothing_including_informational(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text(_default_text(), encoding="utf-8")
    result = subprocess.run(
        [str(CFN_LINT), "--include-checks", "I", "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0
