"""Defaults the ``local`` command's options show, importable without the ``local`` extra.

``userapi local --help`` and the missing-extra message must work on a plain
install: the modules that need moto or jsonschema are imported only once the
extra is known to be there, so the values the options need live here.
"""

from __future__ import annotations

#: Seconds a connection may stay silent: while idle between keep-alive
#: requests (then it is closed) or in the middle of a body (then 408).
DEFAULT_READ_TIMEOUT_SECONDS = 30.0
