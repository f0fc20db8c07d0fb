"""Every synthesis-option combination of the main template whose shape differs.

The execution role must be able to create every resource any deployment of
the main template may contain, so its policy is derived from the resource
types of *all* combinations: each boolean feature field of TemplateOptions
on and off, and each string feature field over the values its options
module declares (``SUPPORTED_<FIELD>S`` or ``<FIELD>_MODES``). A feature
added later as such a field is covered without touching this module.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from .. import options as options_module
from ..options import TemplateOptions
from ..template import build_template, render

#: Fields that change values inside resources, never which resources exist.
SHAPE_NEUTRAL = {"runtime", "architecture", "tags", "routes"}


def _choices(field: dataclasses.Field[Any]) -> tuple[Any, ...]:
    default = field.default
    if isinstance(default, bool):
        return (False, True)
    if isinstance(default, str):
        upper = field.name.upper()
        for name in (f"SUPPORTED_{upper}S", f"{upper}_MODES", f"{upper}_CHOICES"):
            values = getattr(options_module, name, None)
            if isinstance(values, (tuple, list, frozenset, set)) and default in values:
                return tuple(sorted(values))
    return (default,)


def option_variants() -> Iterator[TemplateOptions]:
    """TemplateOptions for every combination of the shape-changing fields."""
    fields = [f for f in dataclasses.fields(TemplateOptions) if f.name not in SHAPE_NEUTRAL]
    for values in itertools.product(*(_choices(f) for f in fields)):
        try:
            yield TemplateOptions(**dict(zip((f.name for f in fields), values)))
        except ValueError:  # a combination the options reject (e.g. a feature needing another)
            continue


@cache
def synthesized_variants() -> tuple[str, ...]:
    """The rendered JSON of every variant (cached: synthesis is pure)."""
    return tuple(render(build_template(options)) for options in option_variants())


def variant_templates() -> list[dict[str, Any]]:
    """Every variant, parsed (fresh copies)."""
    return [json.loads(text) for text in synthesized_variants()]
