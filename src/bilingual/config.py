"""Defaults a publisher sets once: `bilingual.toml` in the current folder, or `--config FILE`.

Keys at the top level apply to every command that has that option (`translate`, `export`, ...);
keys under a `[translate]` or `[export]` table apply to that command only and win over the top
level. The `[llm]` table holds the `llm` engine's settings for `translate` without their prefix
(`url`, `model`, `concurrency`, `temperature`, `seed`, `prompt`, `timeout`); never the API key.
Any option can be spelled as on the command line (`cjk-font`, `output`) or as its parameter name
(`cjk_font`, `output_dir`). Relative paths are taken from the file's folder, so a project's
`bilingual.toml` works from anywhere. The command line always wins (the CLI passes
these values to click as defaults).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import read_bytes

CONFIG_NAME = "bilingual.toml"
SECTIONS = ("translate", "export")  # the commands whose options a bilingual.toml may set
ALIASES = {"formats": "format", "glossaries": "glossary"}
# A table of one engine's settings: its keys are the command's options without the prefix.
ENGINE_SECTIONS = {"llm": "llm_"}
# What a config file must never hold: the key is read from the environment only.
SECRETS = ("key", "api_key", "apikey", "token")


@dataclass
class CommandOptions:
    """What a command accepts, as the CLI describes it to the loader."""

    command: str
    names: dict[str, str]  # every accepted spelling (normalised) -> parameter name
    paths: set[str] = field(default_factory=set)  # parameters whose values are file paths
    multiple: set[str] = field(default_factory=set)  # parameters that take a list
    elsewhere: set[str] = field(default_factory=set)  # spellings other commands accept
    flags: list[str] = field(default_factory=list)  # the long options, for messages


def normalise(key: str) -> str:
    name = key.strip().lower().replace("-", "_")
    return ALIASES.get(name, name)


def find_config(path: str | Path | None) -> Path | None:
    """The file to read: `path` if given, else `./bilingual.toml` when present, else None."""
    if path is not None:
        return Path(path)
    candidate = Path.cwd() / CONFIG_NAME
    return candidate if candidate.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = read_bytes(path, "TOML file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML ({e})") from None


def load_config(path: str | Path | None, options: CommandOptions) -> dict[str, Any]:
    """Option defaults for `options.command` from the config file, keyed by parameter name.

    With `path` None, `./bilingual.toml` is read if present. Unknown keys and sections are a bad
    input file naming the file and the key (a typo must not be silently ignored).
    """
    found = find_config(path)
    if found is None:
        return {}
    data = read_toml(found)
    defaults: dict[str, Any] = {}
    section: Mapping[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            if key in ENGINE_SECTIONS:
                defaults.update(_engine_section(found, key, value, options))
                continue
            if key not in SECTIONS:
                known = ", ".join([*SECTIONS, *ENGINE_SECTIONS])
                raise InputError(f"{found}: unknown section [{key}] (sections: {known})")
            if key == options.command:
                section = value
            continue
        name = options.names.get(normalise(key))
        if name is None:
            if normalise(key) in options.elsewhere:
                continue  # another command's option (engine for translate, when exporting)
            raise InputError(f"{found}: unknown option {key!r} ({_known(options)})")
        defaults[name] = _value(found, key, name, value, options)
    for key, value in section.items():
        name = options.names.get(normalise(key))
        if name is None:
            raise InputError(
                f"{found}: unknown option {key!r} in [{options.command}] ({_known(options)})"
            )
        defaults[name] = _value(found, key, name, value, options)
    return defaults


def _engine_section(
    path: Path, table: str, values: Mapping[str, Any], options: CommandOptions
) -> dict[str, Any]:
    """An engine's table ([llm]): each key is the command's option with the table's prefix."""
    prefix = ENGINE_SECTIONS[table]
    defaults: dict[str, Any] = {}
    for key, value in values.items():
        if normalise(key) in SECRETS:
            raise InputError(
                f"{path}: [{table}] {key}: a key never goes in a file; set BILINGUAL_LLM_API_KEY"
            )
        name = options.names.get(normalise(prefix + key))
        if name is None:
            if normalise(prefix + key) in options.elsewhere:
                continue  # another command's (translate's, when exporting)
            accepted = sorted(f[len(prefix) :] for f in options.flags if f.startswith(prefix))
            raise InputError(
                f"{path}: unknown option {key!r} in [{table}] "
                f"({table} knows: {', '.join(accepted) or 'nothing for this command'})"
            )
        defaults[name] = _value(path, key, name, value, options)
    return defaults


def _known(options: CommandOptions) -> str:
    return f"{options.command} knows: {', '.join(sorted(options.flags))}"


def _value(path: Path, key: str, name: str, value: Any, options: CommandOptions) -> Any:
    if isinstance(value, dict):
        raise InputError(f"{path}: option {key!r} cannot be a table")
    if name == "format" and isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if name in options.multiple:
        value = list(value) if isinstance(value, list) else [value]
    elif isinstance(value, list):
        raise InputError(f"{path}: option {key!r} takes one value, not a list")
    if name in options.paths:
        value = (
            [_resolve(path, v) for v in value] if isinstance(value, list) else _resolve(path, value)
        )
    return value


def _resolve(config: Path, value: Any) -> str:
    """A relative path in the file means relative to the file's folder."""
    candidate = Path(str(value)).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    return str(config.parent / candidate)
