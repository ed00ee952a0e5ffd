"""The request's user message: instructions from a Jinja2 template (the default below, or the
user's `--llm-prompt FILE`), then the group as one JSON object that maps each id to its Chinese.

A template gets these variables (docs/engines.md lists them for users):
  title     the document's title ("" when it has none)
  glossary  rows {source, rendering, also (list), ids (list: the segments it is for, set when
            the same Chinese has another rendering elsewhere in the group, the first mention)}
  context   rows {source, target}: the segments before the group, read-only; target is the
            English settled before the run ("" when none was)
  problems  what was wrong with a segment's previous English (asked again on its own)
  codes     placeholder codes (ZQX, ...) in the texts, which must come through unchanged
  ids       the segment ids, in order
The group's JSON object is always appended after the template's text, so that the message ends
with it whatever the template says.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ...errors import InputError
from .. import Group

DEFAULT_TEMPLATE = """\
Translate Chinese news and government text into English for publication.
Translate each segment of the JSON object at the end on its own, keeping its id: one English \
text per id. Do not merge, split, skip or comment on segments. Write no Chinese characters. Keep \
every number.
{%- if glossary %}

Write these terms exactly as given (a row marked with ids is for those segments only; \
"also" lists other accepted forms):
{%- for row in glossary %}
- {{ row.source }} → {{ row.rendering }}\
{% if row.also %} (also: {{ row.also | join("; ") }}){% endif %}\
{% if row.ids %} [{{ row.ids | join(", ") }}]{% endif %}
{%- endfor %}
{%- endif %}
{%- if codes %}

Copy the codes {{ codes | join(", ") }} unchanged: each stands for a name.
{%- endif %}
{%- if title or context %}

For reference only, do not translate:
{%- if title %}
Document title: {{ title }}
{%- endif %}
{%- for row in context %}
Before: {{ row.source }}{% if row.target %} = {{ row.target }}{% endif %}
{%- endfor %}
{%- endif %}
{%- if problems %}

Your previous English for this segment was wrong: {{ problems | join("; ") }}. Write it again, \
correctly.
{%- endif %}

Reply with one JSON object that maps each id to its English, and nothing else.
"""

_CODES = re.compile(r"(?<![A-Za-z0-9])Z[QXJVKW]{1,4}(?![A-Za-z0-9])")


class Prompt:
    """A loaded template; `digest` goes into the memory key, so a new prompt translates anew."""

    def __init__(self, path: str | Path | None = None) -> None:
        import jinja2

        if path is None:
            text, origin = DEFAULT_TEMPLATE, "<default prompt>"
        else:
            from ...files import read_bytes

            origin = str(path)
            try:
                text = read_bytes(Path(path), "prompt template").decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(f"{path}: not UTF-8 text") from None
        self.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        environment = jinja2.Environment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        try:
            self.template = environment.from_string(text)
        except jinja2.TemplateSyntaxError as e:
            raise InputError(f"{origin}: line {e.lineno}: {e.message}") from None
        self.origin = origin

    def message(self, group: Group) -> str:
        """The user message for `group`: the instructions, then its JSON object."""
        import jinja2

        ids = [segment.id for segment in group.segments]
        texts = [segment.source for segment in group.segments]
        variables: dict[str, Any] = {
            "title": group.title,
            "glossary": glossary_rows(group),
            "context": [{"source": s, "target": t} for s, t in group.context],
            "problems": list(group.problems),
            "codes": sorted({c for text in texts for c in _CODES.findall(text)}),
            "ids": ids,
        }
        try:
            instructions = self.template.render(**variables)
        except jinja2.TemplateError as e:
            raise InputError(f"{self.origin}: {e}") from None
        group_object = json.dumps(dict(zip(ids, texts, strict=True)), ensure_ascii=False)
        return f"{instructions.rstrip()}\n\n{group_object}"


def glossary_rows(group: Group) -> list[dict[str, Any]]:
    """The glossary rows whose source occurs in the group: Chinese -> its fixed rendering, the
    `also` forms, and the segments a rendering is for when the same Chinese has another one in
    the group (the first mention's longer form)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    renderings: dict[str, set[str]] = {}
    for segment in group.segments:
        for term in segment.terms:
            row = rows.setdefault(
                (term.source, term.rendering),
                {
                    "source": term.source,
                    "rendering": term.rendering,
                    "also": list(term.also or []),
                    "ids": [],
                },
            )
            if segment.id not in row["ids"]:
                row["ids"].append(segment.id)
            renderings.setdefault(term.source, set()).add(term.rendering)
    for (source, _), row in rows.items():
        if len(renderings[source]) == 1:
            row["ids"] = []
    return list(rows.values())
