"""The document model (Document -> Block -> Segment) and its JSON form.

The JSON form is the project file of a translation.

A reader returns a RawText, `segment` turns it into a Document, every later stage changes one
and every exporter consumes one.
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar, cast

from .errors import InputError
from .files import read_bytes

FORMAT = "bilingual-document"
# Version 2: the kinds byline, caption, boilerplate, footnote and code, and a heading's level.
# Version 3: a segment's `via` (how its machine English was obtained) and the term placement
# "model". Version 4: the kind figure (a photo of the article, its bytes in the assets folder
# beside the form). Older forms still load (they are version 4 without those).
VERSION = 4
VERSIONS = (1, 2, 3, 4)

# How a segment's machine English was obtained, in the order the translate stage tries them: the
# model's first answer, the model asked again on its own, the placeholder path, the fallback.
Via = Literal["model", "retry", "placeholders", "fallback"]
VIAS: tuple[Via, ...] = ("model", "retry", "placeholders", "fallback")

# What a block is. `footnote` and `code` come from structured readers (a DOCX footnote, a
# Markdown code block: never sent to the engine, shown as it is); `caption`, `byline` and
# `boilerplate` are the parts of a news page a reader or the news pass can tell apart.
BlockKind = Literal[
    "dateline",
    "title",
    "heading",
    "paragraph",
    "source_note",
    "footnote",
    "code",
    "caption",
    "byline",
    "boilerplate",
    "figure",
]
# Where a segment's target stands: empty, a machine draft, or a human's.
Status = Literal["empty", "machine", "human"]

# Image file types a figure may hold: raster formats only (an SVG can carry script).
IMAGE_TYPES = ("png", "jpeg", "gif", "webp")

# Kinds whose text is never sent to the engine or given an English version: code is shown as it
# is; boilerplate (延伸閱讀, 點我訂閱) is kept so nothing is lost, and used by no consumer.
UNTRANSLATED_KINDS = ("code", "boilerplate")


@dataclass(slots=True)
class Term:
    """One glossary occurrence in a segment's source: `source[start:end]` gets `rendering`."""

    source: str
    rendering: str
    start: int
    end: int
    # How the engine placed it: "model" (a language model wrote it, and the checks found it),
    # "protected" (through a placeholder) or "fallback".
    placed: str | None = None
    note: str | None = None
    also: list[str] | None = None  # other renderings the glossary accepts (the checks do)
    # The entry's other form (its first-mention form, or its usual one at the first mention):
    # a review made for it stands, as one made where the first mention used to fall does.
    other_form: str | None = None

    def accepts(self, rendering: str) -> bool:
        """Whether a review made for `rendering` still stands for this occurrence."""
        return rendering in (self.rendering, self.other_form, *(self.also or []))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class Figure:
    """A photo of the article, in its place in the reading order. It holds no text: its caption
    is the `caption` block that follows it. The bytes are kept apart (`Document.assets`, and in
    the assets folder beside the JSON form), named by their content hash."""

    sha256: str  # of the image bytes, 64 hex digits
    ext: str  # one of IMAGE_TYPES
    width: int  # pixels
    height: int  # pixels
    # The size the source displayed it at, in points, when it said (a DOCX extent, <img width>).
    display_width: float | None = None
    display_height: float | None = None
    alt: str = ""  # the source's alternative text, kept for the HTML edition

    @property
    def name(self) -> str:
        """The asset's file name: `<sha256>.<ext>`."""
        return f"{self.sha256}.{self.ext}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}


# Why a human segment needs looking at again; set when a later run finds its review outdated.
SOURCE_CHANGED = "source changed since review"
GLOSSARY_CHANGED = "glossary changed since review"
REVIEW_FLAGS = (SOURCE_CHANGED, GLOSSARY_CHANGED)
REVISION_SIZE = 12  # hex digits of a segment's revision
E = TypeVar("E")  # a human edit, as wherever it is kept holds one


def english_digest(text: str) -> str:
    """8 hex digits identifying an English text, whitespace collapsed: an exported file records
    it beside the revision, so an import can tell a row left as exported from an edited one."""
    import hashlib

    squashed = " ".join(text.split())
    return hashlib.sha256(squashed.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _refuse(shared: Any, *args: Any, **kwargs: Any) -> Any:
    raise TypeError(
        f"a shared empty {type(shared).__mro__[1].__name__} cannot change; assign a new one"
    )


class _NoItems(list):
    """The one empty list that every segment without terms, notes or flags shares (a million
    segments: about 170 MB less than three lists each). It cannot grow, so no segment can
    change another's: `Segment`'s methods give a segment a list of its own when it gets one."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


_NO_ITEMS: list[Any] = _NoItems()


def no_items() -> list[Any]:
    """The shared empty list of terms, notes or flags (see `_NoItems`)."""
    return _NO_ITEMS


class _NoMeta(dict):
    """The one empty `meta` that every raw block without one shares (a million lines: 64 MB
    less); like `_NoItems`, it cannot change."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = setdefault = update = pop = popitem = clear = _refuse


_NO_META: dict[str, Any] = _NoMeta()


def no_meta() -> dict[str, Any]:
    """The shared empty meta of a raw block (see `_NoMeta`)."""
    return _NO_META


def _items(values: Sequence[Any]) -> list[Any]:
    """`values` as a segment's own list, or the shared empty one."""
    return list(values) if values else _NO_ITEMS


@dataclass(slots=True)
class Segment:
    """One sentence: the unit of alignment, translation, memory and review.

    Its target changes in three ways only, each one method: `apply_draft` (a machine draft),
    `apply_human` (a person's edit) and `clear_target`; its notes and flags grow only through
    `add_note`, `add_flag` and `flag_outdated_review`.
    """

    id: str
    source: str
    target: str = ""
    status: Status = "empty"
    # empty, the three lists are the one shared `no_items()`; the methods below replace it
    terms: list[Term] = field(default_factory=no_items)
    notes: list[str] = field(default_factory=no_items)
    # Set by review import: what the human edit was made for, so later runs can tell when the
    # source or the renderings in force changed since the review.
    review: dict[str, Any] | None = None
    flags: list[str] = field(default_factory=no_items)
    via: Via | None = None  # how a machine draft was obtained (see `Via`)

    def apply_draft(
        self,
        target: str,
        notes: Sequence[str],
        placed: Sequence[str | None],
        *,
        via: Via | None = None,
    ) -> None:
        """Take a machine draft: its target, the engine's notes, how each term was placed and
        how the English was obtained."""
        self.target = target
        self.notes = _items(notes)
        for term, how in zip(self.terms, placed, strict=True):
            term.placed = how
        self.status = "machine" if target else "empty"
        self.via = via if target else None

    def apply_human(
        self, target: str, review: dict[str, Any], *, flags: Sequence[str] | None = None
    ) -> None:
        """Take a person's target; `review` records what it was made for (source, renderings, at).

        `flags` replace the segment's own when given. Either way the review flags go: a person
        has just decided, so the reasons to look again are settled (the caller adds back any
        that still hold).
        """
        self.target = target
        self.status = "human"
        self.review = review
        kept = self.flags if flags is None else flags
        self.flags = [f for f in kept if f not in REVIEW_FLAGS]  # few: a list of its own
        self.via = None
        for term in self.terms:
            term.placed = None  # placed by a person, not by the engine

    def clear_target(self) -> None:
        """Drop the target and what came with it (notes, term placement): untranslated again."""
        self.target = ""
        self.notes = _NO_ITEMS
        for term in self.terms:
            term.placed = None
        self.status = "empty"
        self.via = None

    def add_note(self, note: str) -> None:
        """Say `note` about the target, once."""
        if note not in self.notes:
            self.notes = [*self.notes, note]

    def add_flag(self, flag: str) -> None:
        """Ask a person to look again, for the reason `flag` (once)."""
        if flag not in self.flags:
            self.flags = [*self.flags, flag]

    def flag_outdated_review(self) -> None:
        """Flag a human edit whose review was made for another source or for renderings the
        glossary no longer accepts (`SOURCE_CHANGED`, `GLOSSARY_CHANGED`)."""
        review = self.review or {}
        if "source" in review and review["source"] != self.source:
            self.add_flag(SOURCE_CHANGED)
        if "renderings" in review and not still_accepted(list(review["renderings"]), self):
            self.add_flag(GLOSSARY_CHANGED)

    @property
    def revision(self) -> str:
        """A short hash of the target, the status and the review record: what an edit was made
        on. A save (the editor, `import`) made on another revision than the segment's own is
        refused, so that nothing is overwritten unseen; no counter and no field in the JSON form."""
        import hashlib

        state = json.dumps(
            [self.target, self.status, self.review], ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()[:REVISION_SIZE]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "status": self.status,
            "terms": [t.to_dict() for t in self.terms],
            "notes": list(self.notes),
        }
        if self.review is not None:
            data["review"] = self.review
        if self.flags:
            data["flags"] = list(self.flags)
        if self.via is not None:
            data["via"] = self.via
        return data


def renderings_in_force(segment: Segment) -> list[str]:
    """A segment's renderings, in term order: what a human edit records it was made for.

    A later run compares them with the renderings then in force to flag "glossary changed
    since review".
    """
    return [term.rendering for term in segment.terms]


def still_accepted(reviewed: list[str], segment: Segment) -> bool:
    """Whether the renderings a review was made for are still accepted, term by term: the one in
    force, the entry's other form (a review made when the first mention fell elsewhere) or one
    of the glossary's `also` (a review made for "the 6th" stands when the glossary now writes
    "the sixth" and also accepts "the 6th")."""
    if reviewed == renderings_in_force(segment):
        return True
    return len(reviewed) == len(segment.terms) and all(
        term.accepts(rendering) for rendering, term in zip(reviewed, segment.terms, strict=True)
    )


def edit_for(
    segment: Segment,
    sources: Collection[str],
    by_source: Callable[[str], E | None],
    at_id: Callable[[str], E | None] | None,
    reviewed_source: Callable[[E], str],
) -> E | None:
    """The human edit `segment` takes, wherever edits are kept (a previous JSON form, the memory).

    The edit made for its source, wherever that sentence stood; else the edit at its id, even
    though the source there changed (it is then flagged until a person decides), unless the
    sentence that edit was made for is still in the text (`sources`): it moved, and took its
    edit along. Without `at_id`, an edit goes only where its Chinese is.
    """
    edit = by_source(segment.source)
    if edit is None and at_id is not None:
        edit = at_id(segment.id)
        if edit is not None and reviewed_source(edit) in sources:
            return None
    return edit


@dataclass(slots=True)
class Block:
    """A paragraph-level unit: a heading, a paragraph, a footnote... (see `BlockKind`)."""

    id: str
    kind: BlockKind
    segments: list[Segment] = field(default_factory=list)
    # A heading's level (1 for `Heading 1`, `<h1>`, `#`) when its reader knew it.
    level: int | None = None
    figure: Figure | None = None  # a `figure` block's picture (it has no segments)

    @property
    def source(self) -> str:
        """The block's source text: its segments joined, exactly as read."""
        return "".join(s.source for s in self.segments)

    @property
    def target(self) -> str:
        return " ".join(s.target.strip() for s in self.segments if s.target.strip())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.level is not None:
            data["level"] = self.level
        if self.figure is not None:
            data["figure"] = self.figure.to_dict()
        data["segments"] = [s.to_dict() for s in self.segments]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        segments = [
            Segment(
                id=s["id"],
                source=s["source"],
                target=s.get("target", ""),
                status=_one(s.get("status", "empty")),
                terms=_items([Term(**t) for t in s.get("terms", [])]),
                notes=_items(s.get("notes", [])),
                review=s.get("review"),
                flags=_items(s.get("flags", [])),
                via=_one(s.get("via")),
            )
            for s in data["segments"]
        ]
        figure = Figure(**data["figure"]) if "figure" in data else None
        return cls(
            id=data["id"],
            kind=_one(data["kind"]),
            segments=segments,
            level=data.get("level"),
            figure=figure,
        )


_Word = TypeVar("_Word", bound=str | None)


def _one(word: _Word) -> _Word:
    """The one string equal to `word` (a status, a kind): a million segments read from a form
    share a few strings instead of holding one each (about 110 MB)."""
    return cast(_Word, sys.intern(word)) if word is not None else word


@dataclass
class Document:
    """A whole text: its blocks in order, the languages and the metadata of the run."""

    blocks: list[Block] = field(default_factory=list)
    source_lang: str = "zh-Hant"
    target_lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)
    # The version of the JSON form it was loaded from (a new document: this one); it is always
    # written as the current version.
    form_version: int = VERSION
    # The bytes of the figures' images, by `Figure.name`; read by the readers, written to and
    # loaded from the assets folder beside the JSON form.
    assets: dict[str, bytes] = field(default_factory=dict)

    @property
    def segments(self) -> list[Segment]:
        return [s for b in self.blocks for s in b.segments]

    @property
    def translatable_segments(self) -> list[Segment]:
        """The segments an engine is given and the checks look at: not those of code or
        boilerplate, nor a dateline's date (its first segment, written out by the segmenter)."""
        return [
            s
            for b in self.blocks
            if b.kind not in UNTRANSLATED_KINDS
            for i, s in enumerate(b.segments)
            if not (b.kind == "dateline" and i == 0)
        ]

    def segment(self, segment_id: str) -> Segment | None:
        for s in self.segments:
            if s.id == segment_id:
                return s
        return None

    @property
    def title(self) -> str:
        """The headline, else the first heading, else the opening words of the first sentence of
        the article: what every output shows as the title (never the input's name)."""
        return str(self.meta.get("title") or "") or _fallback_title(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_dict_head(), "blocks": [b.to_dict() for b in self.blocks]}

    def to_dict_head(self) -> dict[str, Any]:
        """The JSON form without its blocks."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "meta": self.meta,
        }

    def to_json(self) -> str:
        return form_text(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            blocks=[Block.from_dict(b) for b in data["blocks"]],
            source_lang=data["source_lang"],
            target_lang=data.get("target_lang", "en"),
            meta=dict(data.get("meta", {})),
            form_version=int(data.get("version", VERSION)),
        )


# Where the opening words of a sentence end when they make a title: the first clause.
_CLAUSE_END = re.compile(r"[，。！？；：,.!?;:、（(「『“]")
TITLE_WORDS = 24  # characters of the first sentence a title without a headline keeps
# Kinds that are not the text of the article: a title made of its opening words skips them.
_NOT_BODY = ("dateline", "byline", "caption", "boilerplate", "code", "source_note", "footnote")


def _fallback_title(blocks: Sequence[Block]) -> str:
    for block in blocks:
        if block.kind == "heading" and block.source.strip():
            return block.source.strip()
    for block in blocks:
        if block.kind in _NOT_BODY:
            continue
        for segment in block.segments:
            if segment.source.strip():
                return opening_words(segment.source)
    return "Untitled"


def opening_words(text: str) -> str:
    """The first clause of a sentence, cut to TITLE_WORDS characters, with an ellipsis when
    something was left out."""
    text = " ".join(text.split())
    end = _CLAUSE_END.search(text)
    clause = text[: end.start()] if end and end.start() >= 4 else text
    if len(clause) > TITLE_WORDS:
        return clause[:TITLE_WORDS].rstrip() + "…"
    return clause + ("…" if len(clause) < len(text) else "")


@dataclass(slots=True)
class RawBlock:
    """What a reader found, before segmentation: one block's text and what the reader knows of it.

    `kind` is a hint from a structured reader (a DOCX `Heading 2` style, an `<h1>`, a Markdown
    code fence): `segment` keeps it and classifies only the blocks without one. `meta` holds what
    the reader knows beyond the kind, such as {"level": 2} for a heading.
    """

    text: str
    kind: str | None = None
    meta: dict[str, Any] = field(default_factory=no_meta)  # shared when empty (`_NoMeta`)
    # A picture found in its place (kind "figure", empty text) and its bytes.
    figure: Figure | None = None
    image: bytes | None = None


@dataclass
class RawText:
    """A reader's whole result: the raw blocks in reading order and the input's metadata
    (`input`, `encoding`, and whatever the format knows: title, author, date, site)."""

    blocks: list[RawBlock] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # What the reader could not read (a picture left out, text nested too deep), one line each,
    # naming the file: the run says them with its other warnings.
    warnings: list[str] = field(default_factory=list)


def renumber(blocks: list[Block]) -> None:
    """Give blocks and segments their positional ids: b1, b2, ...; b3s1, b3s2, ... (1-based)."""
    for bi, block in enumerate(blocks, 1):
        block.id = f"b{bi}"
        for si, segment in enumerate(block.segments, 1):
            segment.id = f"{block.id}s{si}"


SCHEMA_PATH = Path(__file__).parent / "schema" / "document.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of the JSON form, shipped in the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: Any, *, origin: str = "<json>") -> None:
    """Raise InputError naming the first failing field when `data` is not a valid JSON form.

    The blocks are checked one at a time, so that a form of a million segments never holds
    the validator's state for all of them at once.
    """
    check = FormCheck(origin)
    if isinstance(data, dict) and isinstance(data.get("blocks"), list):
        check.head({**data, "blocks": []})
        for index, b in enumerate(data["blocks"]):
            check.block(b, index)
    else:
        check.head(data)


@functools.cache
def _compiled() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    import fastjsonschema  # compiles the schema to Python: about 7 µs a block, not 0.5 ms

    # without its `$id`, which the compiler would fetch to resolve the `$ref`s against
    whole = {k: v for k, v in schema().items() if k != "$id"}
    one_block = {"$defs": whole["$defs"], "$ref": "#/$defs/block"}
    return fastjsonschema.compile(whole), fastjsonschema.compile(one_block)


class FormCheck:
    """The JSON Schema of the form, applied to its head and then to one block at a time (as a
    form is read or written), and its segment ids checked for repeats.

    The schema is compiled (fastjsonschema) to decide; only a form that fails is checked again
    by jsonschema, whose messages name the first failing field in the order of the form.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._head, self._block = _compiled()
        self._seen: set[str] = set()

    def head(self, data: Any) -> None:
        """Check everything but the blocks (give `"blocks": []`)."""
        self._check(self._head, data, None)

    def block(self, data: Any, index: int) -> None:
        """Check block number `index` (from 0) and that its segment ids are new."""
        self._check(self._block, data, index)
        for s in data["segments"]:
            if s["id"] in self._seen:
                raise InputError(f"{self.origin}: field blocks: segment id {s['id']} occurs twice")
            self._seen.add(s["id"])

    def _check(self, compiled: Callable[[Any], Any], data: Any, index: int | None) -> None:
        import fastjsonschema

        try:
            compiled(data)
        except fastjsonschema.JsonSchemaValueException as e:
            import jsonschema

            whole = schema()
            prefix: tuple[Any, ...] = ()
            if index is not None:
                whole = {"$defs": whole["$defs"], "$ref": "#/$defs/block"}
                prefix = ("blocks", index)
            _raise_first(
                jsonschema.Draft202012Validator(whole).iter_errors(data), self.origin, prefix
            )
            where = "/".join(str(p) for p in (*prefix, *e.path[1:])) or "(top level)"
            raise InputError(f"{self.origin}: field {where}: {e.message}") from None


def _raise_first(errors: Any, origin: str, prefix: tuple[Any, ...]) -> None:
    found = sorted(errors, key=lambda e: list(e.absolute_path))
    if found:
        err = found[0]
        where = "/".join(str(p) for p in (*prefix, *err.absolute_path)) or "(top level)"
        # A field the schema forbids in this place (a picture outside a figure block) fails
        # "not {}", whose own message just repeats the value.
        message = "not allowed here" if err.validator == "not" else err.message
        raise InputError(f"{origin}: field {where}: {message}")


def load(path: str | Path, *, human_only: bool = False) -> Document:
    """Read and validate a JSON form from `path`.

    With `human_only`, the Document keeps only the segments with a person's English (and their
    blocks, without pictures): what a later run carries, without the whole form beside the new
    text.
    """
    import gc

    from . import formstream

    path = Path(path)
    # A form is acyclic: the cycle collector, run again and again over the growing Document,
    # took as long as the rest of reading a million segments.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if formstream.streamable(path):
            try:
                document = _streamed_form(path, human_only)
            except (formstream.NotStreamed, InputError):
                document = _whole_form(path, human_only)  # which names what is wrong
        else:
            document = _whole_form(path, human_only)
    finally:
        if collecting:
            gc.enable()
    if not human_only:
        document.assets = load_assets(document, path)
    return document


def _whole_form(path: Path, human_only: bool) -> Document:
    """The form parsed whole (json.loads), then made into a Document a block at a time."""
    raw = read_bytes(path, "JSON form")
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{path}: a zip file (DOCX?), not a JSON form: give the .json written beside it"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text (a JSON form is UTF-8)") from None
    del raw  # the bytes, the text and the parsed form are never all held at once
    try:
        data = json.loads(text)
        del text
        return _document_from_form(data, str(path), human_only)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: line {e.lineno}: not valid JSON ({e.msg})") from None
    except RecursionError:  # a hand-edited `[[[[…` thousands deep
        raise InputError(f"{path}: not a JSON form (nested too deeply)") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        limit = sys.get_int_max_str_digits()
        raise InputError(
            f"{path}: not a JSON form (a number of more than {limit} digits)"
        ) from None


def _document_from_form(data: Any, origin: str, human_only: bool = False) -> Document:
    """Validate a parsed JSON form and make its Document, one block at a time: each block's
    dict is dropped once its Block is made, so the parsed form and the Document are not both
    whole in memory (together about twice the Document)."""
    check = FormCheck(origin)
    if not (isinstance(data, dict) and isinstance(data.get("blocks"), list)):
        check.head(data)  # raises: the form has no list of blocks
    dicts = data["blocks"]
    data["blocks"] = []
    made = _Blocks(check, human_only)
    made.head(data)
    for index in range(len(dicts)):
        block, dicts[index] = dicts[index], None
        made.block(block, index)
    return made.document(origin)


def _streamed_form(path: Path, human_only: bool) -> Document:
    """The form read a block at a time (`formstream`): never its whole dict."""
    from . import formstream

    made = _Blocks(FormCheck(str(path)), human_only)
    formstream.read(path, made.head, made.block)
    return made.document(str(path))


class _Blocks:
    """A Document made from a form's head and its blocks, each checked as it comes."""

    def __init__(self, check: FormCheck, human_only: bool) -> None:
        self.check = check
        self.human_only = human_only
        self.blocks: list[Block] = []
        self.data: dict[str, Any] | None = None
        self.any_segment = False

    def head(self, data: dict[str, Any]) -> None:
        self.check.head(data)
        self.data = data

    def block(self, data: Any, index: int) -> None:
        self.check.block(data, index)
        block = Block.from_dict(data)
        self.any_segment = self.any_segment or bool(block.segments)
        if self.human_only:
            block.segments = [s for s in block.segments if s.status == "human"]
            if not block.segments:
                return
            block.figure = None
        self.blocks.append(block)

    def document(self, origin: str) -> Document:
        if not self.any_segment:
            raise InputError(f"{origin}: the JSON form has no segments")
        assert self.data is not None  # the head comes with the blocks
        document = Document.from_dict(self.data)
        document.blocks = self.blocks
        return document


ASSETS_SUFFIX = ".assets"


def assets_folder(json_path: str | Path) -> Path:
    """Where the pictures of the JSON form at `json_path` are: `<stem>.assets/` beside it."""
    json_path = Path(json_path)
    return json_path.with_name(f"{json_path.stem}{ASSETS_SUFFIX}")


def load_assets(document: Document, json_path: Path) -> dict[str, bytes]:
    """The bytes of the figures of `document`, from the assets folder beside its JSON form; a
    missing file, or one whose content no longer matches its name, is a one-line InputError."""
    import hashlib

    assets: dict[str, bytes] = {}
    folder = assets_folder(json_path)
    for block in document.blocks:
        figure = block.figure
        if figure is None or figure.name in assets:
            continue
        path = folder / figure.name
        where = f"the picture of block {block.id} of {json_path}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(
                f"{path}: missing ({where}); put the assets folder back beside the JSON form"
            ) from None
        except OSError as e:
            raise InputError(f"{path}: cannot read {where} ({e.strerror})") from None
        if hashlib.sha256(data).hexdigest() != figure.sha256:
            raise InputError(f"{path}: altered ({where}): its content no longer matches its name")
        assets[figure.name] = data
    return assets


def dump(document: Document, path: str | Path) -> Path:
    """Validate and write the JSON form atomically, its pictures' files first."""
    from .files import write_all

    path = Path(path)
    form = functools.partial(write_form, document, str(path))
    return write_all([*asset_files(document, path), (path, form)])[-1]


def asset_files(document: Document, json_path: Path) -> list[tuple[Path, bytes]]:
    """The files of the pictures the JSON form at `json_path` names, to write with it (before
    it): `<stem>.assets/<sha256>.<ext>`, each once, and only those not already there whole."""
    import hashlib

    folder = assets_folder(json_path)
    files: dict[Path, bytes] = {}
    for block in document.blocks:
        if block.figure is None:
            continue
        name = block.figure.name
        data = document.assets.get(name)
        if data is None:
            raise InputError(
                f"{json_path}: block {block.id}: the bytes of the picture {name} are not in "
                "the document"
            )
        path = folder / name
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() == block.figure.sha256:
                continue  # written by an earlier run: a name is its content
        except OSError:
            pass
        files[path] = data
    return list(files.items())


def form_text(data: dict[str, Any]) -> str:
    """The text of a JSON form as written: UTF-8-ready JSON, two-space indented.

    A lone surrogate (a hand-edited "\\ud800") cannot be UTF-8: it is kept as the JSON escape it
    came in as, so the JSON form still holds the text as it was (the XML exporters remove it).
    """
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_form(document: Document, origin: str, handle: BinaryIO) -> None:
    """Write the JSON form of `document` into `handle` as `form_text` writes it, made, validated
    and written block by block, so that neither the whole form as a dict (about 4 KB a segment)
    nor its text (260 MB for a million segments) is ever in memory; `origin` names the
    document in a validation error (the writer then removes the file begun)."""
    check = FormCheck(origin)
    head = {**document.to_dict_head(), "blocks": []}
    check.head(head)
    opening = form_text(head)
    opening = opening[: opening.rindex("[")]  # "blocks" is the last key
    handle.write(opening.encode("utf-8") + b"[")
    for index, block in enumerate(document.blocks):
        data = block.to_dict()
        check.block(data, index)
        text = form_text(data)[:-1].replace("\n", "\n    ")
        handle.write(b"%s\n    %s" % (b"," if index else b"", text.encode("utf-8")))
    handle.write(b"\n  ]\n}\n" if document.blocks else b"]\n}\n")


def form_bytes(document: Document, origin: str) -> bytes:
    """The JSON form of `document` in memory, as `write_form` writes it (tests, small forms)."""
    buffer = io.BytesIO()
    write_form(document, origin, buffer)
    return buffer.getvalue()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
