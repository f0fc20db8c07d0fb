"""Serve the Users API on 127.0.0.1 with no AWS account: see ``userapi_local``.

Run from the repository root: ``.venv/bin/python scripts/local_api.py [--port 3000]``
(or ``userapi local``: this is a thin entry point into it).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable from a plain checkout (no install): the repo root holds the packages.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from userapi_local.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
