"""``python -m userapi_cli``: the same as the ``userapi`` console script."""

from __future__ import annotations

import sys

from .main import main

if __name__ == "__main__":
    sys.exit(main())
