"""The lazy lookup every registry shares (engines, readers, exporters, importers, executors, the
CLI's commands): a table of `"module:attribute"` strings, each module imported on first use, so
that naming a backend costs nothing until a run needs it (importing them all is slow)."""

from __future__ import annotations

import importlib
from typing import Any


def load(target: str) -> Any:
    """The attribute (a class, a factory, a command) that `target`, `"module:attribute"`, names,
    its module imported now."""
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)
