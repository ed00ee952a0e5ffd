"""Defaults a publisher sets once: `bilingual.toml` in the current folder, or `--config FILE`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import InputError

CONFIG_NAME = "bilingual.toml"


def load_config(path: str | Path | None, *, known: set[str]) -> dict[str, Any]:
    """Option defaults from a TOML file, keyed by option name (dashes or underscores).

    With `path` None, `bilingual.toml` of the current folder is read if present. Keys may sit at
    the top level or under `[translate]` / `[export]`; unknown keys are an error naming the file.
    """
    if path is None:
        candidate = Path.cwd() / CONFIG_NAME
        if not candidate.is_file():
            return {}
        path = candidate
    path = Path(path)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML ({e})") from None
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in ("translate", "export"):
            flat.update(value)
        else:
            flat[key] = value
    defaults: dict[str, Any] = {}
    for key, value in flat.items():
        name = key.replace("-", "_")
        aliases = {"formats": "format", "glossaries": "glossary"}
        name = aliases.get(name, name)
        if name not in known:
            raise InputError(f"{path}: unknown option {key!r} (known: {', '.join(sorted(known))})")
        if name == "format" and isinstance(value, list):
            value = ",".join(value)
        if name == "glossary" and isinstance(value, str):
            value = [value]
        defaults[name] = value
    return defaults
