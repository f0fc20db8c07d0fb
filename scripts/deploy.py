"""Deploy the Users API stack: ``.venv/bin/python scripts/deploy.py --environment dev``.

A thin entry point into ``userapi deploy`` (see ``--help``). Runs from a
checkout without installing: the repo root goes on ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from userapi_deploy.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
