"""Reading a language model's reply leniently: the first JSON object in it, whatever surrounds it
(a thinking block, code fences, chatter), kept to the ids that were asked for."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

# A reasoning model's thinking, closed or cut off (it never reaches the answer then).
_THINKING = re.compile(r"<think(?:ing)?>.*?(?:</think(?:ing)?>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[A-Za-z]*")


def first_object(text: str, wanted: Collection[str] = ()) -> dict[str, Any] | None:
    """The first JSON object in `text` (with a key of `wanted`, when given), else None."""
    text = _FENCE.sub("", _THINKING.sub("", text))
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and (not wanted or any(k in value for k in wanted)):
            return value
    return None


def answers(text: str, ids: Collection[str]) -> dict[str, str] | None:
    """Each asked-for id's English from a reply; None when the reply holds no usable object.

    A value that is not a string (a list of sentences, say) is joined into one; ids the model
    invented are dropped, ids it left out are simply absent.
    """
    found = first_object(text, ids)
    if found is None:
        return None
    return {key: _text(value) for key, value in found.items() if key in ids}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    if value is None:
        return ""
    return str(value)
