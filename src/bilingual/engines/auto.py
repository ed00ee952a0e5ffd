"""The `auto` engine: Argos when a zh->en package is installed, else the worksheet with a hint."""

from __future__ import annotations

from . import Engine, EngineOptions
from .argos.packages import CARRY_HINT

NO_MODEL_HINT = (
    "no zh->en model is installed, so the targets are left empty (a worksheet); "
    "install one with `bilingual models install zh_en` (needs a network) or "
    "`bilingual models install --file PATH.argosmodel`, or pass `--model PATH.argosmodel`; "
    + CARRY_HINT
)


def open_engine(options: EngineOptions) -> Engine:
    from . import argos
    from .none import NoEngine

    if options.model or argos.find_installed() is not None:
        return argos.open_engine(options)
    return NoEngine(options, warnings=[NO_MODEL_HINT])
