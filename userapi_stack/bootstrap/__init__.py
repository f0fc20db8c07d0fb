"""The CI bootstrap stack: GitHub OIDC roles for deploying userapi without stored keys."""

from __future__ import annotations

from .options import BootstrapOptions
from .template import build_bootstrap_template

__all__ = ["BootstrapOptions", "build_bootstrap_template"]
