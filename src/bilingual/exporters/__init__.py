"""Exporters render a Document as one file format: a small protocol and a lazy registry by
format name. An exporter writes its output into a file it is handed (`Rendered.write`), as it
renders it, so that an output as large as the document is never whole in memory; it never opens
an output file itself (the pipeline writes them all, atomically) and never runs the checks (the
pipeline's check stage passes them the findings)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from ..document import Document, Segment, english_digest
from ..errors import OutputError, UsageError
from ..registry import load


@dataclass
class ExportOptions:
    """Layout and typography; every field can come from bilingual.toml or the command line."""

    layout: str = "side-by-side"  # or "interleaved"
    cjk_font: str | None = None  # None: the default for the source script (see docs/outputs.md)
    latin_font: str = "Calibri"
    paper: str = "a4"  # or "letter"
    landscape: bool = False
    glossary_appendix: bool = False
    source_script: str = "source"  # "source" keeps the input's script; "simplified" converts
    comments: bool = False  # check findings as DOCX comments
    keep_boilerplate: bool = False  # show boilerplate (延伸閱讀, 點我訂閱) in DOCX, HTML, Markdown
    # "review": a worksheet with the check marks and term hints; "reader": what goes to readers
    edition: str = "review"
    credit: str | None = None  # a line under the byline of the reader's edition
    require_reviewed: bool = False  # refuse a reader's edition of machine drafts or errors
    # The folder of the figures' images beside the outputs (the JSON form's `assets_folder`),
    # set by the run for the Markdown's image links; not a command-line or bilingual.toml option.
    assets: str = field(default="", metadata={"option": False})

    @property
    def reader(self) -> bool:
        return self.edition == "reader"


class Finding(Protocol):
    """A check finding as the exporters show it (`bilingual.check.Finding` is one)."""

    @property
    def segment_id(self) -> str: ...
    @property
    def severity(self) -> str: ...  # "error" | "warning"
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


# What writes an output's bytes into a binary file open for writing (the return value is ignored).
Write = Callable[[BinaryIO], object]


@dataclass
class Rendered:
    """One exporter's output: `write` writes the file's bytes into an open binary file (a
    temporary file beside the output, or a BytesIO for `to_bytes`; seekable either way), and
    lines for the user (characters removed, a tool missing).

    `write` is None when there is nothing to write (PDF without LibreOffice), for the reason
    given in `warnings`. An exporter that renders as it writes learns some of its warnings only
    while writing: `warnings` is complete once `write` has run. `write` runs once."""

    write: Write | None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, data: bytes | None, warnings: list[str] | None = None) -> Rendered:
        """An output made whole in memory (the small formats, the PDF LibreOffice wrote)."""
        write = None if data is None else (lambda handle: handle.write(data))
        return cls(write, list(warnings or []))

    @classmethod
    def streamed(cls, write: Callable[[BinaryIO], list[str]]) -> Rendered:
        """An output written as it is rendered: `write` writes it and returns the warnings it
        learnt on the way (characters removed), which join `warnings`."""
        warnings: list[str] = []

        def write_and_warn(handle: BinaryIO) -> None:
            warnings.extend(write(handle))

        return cls(write_and_warn, warnings)

    def to_bytes(self) -> bytes | None:
        """The whole output in memory (for tests), by writing it once."""
        if self.write is None:
            return None
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


class RenderError(OutputError):
    """A tool an exporter runs failed (LibreOffice for the PDF); the message says what happened
    and the pipeline puts the output file's name in front of it."""


class Exporter(Protocol):
    name: str
    extension: str
    media_type: str

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        """`document` as this format's bytes, written when `Rendered.write` is called; a
        document this format refuses raises here, before anything is written. `findings` are the
        check stage's findings, shown by the formats that show them (HTML rows; DOCX comments
        with `options.comments`)."""
        ...


# name -> "module:Class"; docx, lxml and jinja2 load only when their format is asked for.
EXPORTERS: dict[str, str] = {
    "json": "bilingual.exporters.json:JsonExporter",
    "docx": "bilingual.exporters.docx:DocxExporter",
    "html": "bilingual.exporters.html:HtmlExporter",
    "tmx": "bilingual.exporters.tmx:TmxExporter",
    "xliff": "bilingual.exporters.xliff:XliffExporter",
    "md": "bilingual.exporters.markdown:MarkdownExporter",
    # last: LibreOffice is slow, and when it is missing every other format is already written
    "pdf": "bilingual.exporters.pdf:PdfExporter",
}
DEFAULT_FORMATS = ("docx", "html")


# The identifier of a reader's edition starts so instead of `bilingual:`: `import` refuses it.
READER_FINGERPRINT = "bilingual-reader:"


def document_fingerprint(document: Document, *, reader: bool = False) -> str:
    """`bilingual:<meta.input>:<hash>`: which document a DOCX or XLIFF was made for
    (`bilingual-reader:…` for a reader's edition, which is not meant to be imported).

    The hash is the first 16 hex digits of the SHA-256 of the segment sources joined by \\n."""
    import hashlib

    # fed a segment at a time: the sources joined were twice the text of the document
    sha = hashlib.sha256()
    for index, segment in enumerate(document.segments):
        sha.update(b"\n" if index else b"")
        sha.update(segment.source.encode("utf-8", "surrogatepass"))
    digest = sha.hexdigest()[:16]
    prefix = READER_FINGERPRINT if reader else "bilingual:"
    return f"{prefix}{document.meta.get('input', '')}:{digest}"


REVISION_PREFIX = "rev_"  # DOCX bookmark rev_<id>_<revision>_<english digest>
REVISION_NOTE = "revision"  # XLIFF <note id="revision">: "<revision> <english digest>"
_STAMP = re.compile(r"([0-9a-f]{12})[ _]([0-9a-f]{8})")


def revision_stamp(segment: Segment, *, separator: str = " ") -> str:
    """What an exported DOCX or XLIFF records of a segment: its revision and the digest of its
    English, so that an import tells a row left as exported from an edited one, and a segment
    changed since the export from one that was not."""
    return f"{segment.revision}{separator}{english_digest(segment.target)}"


def read_revision_stamp(text: str) -> tuple[str, str] | None:
    """(revision, english digest) from a stamp, or None when it is not one (edited by hand)."""
    match = _STAMP.fullmatch(text.strip())
    return (match.group(1), match.group(2)) if match else None


def get_exporter(name: str) -> Exporter:
    try:
        target = EXPORTERS[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (choose from {', '.join(EXPORTERS)})") from None
    return load(target)()


def parse_formats(value: str | Sequence[str] | None) -> list[str]:
    """`docx,html` -> ["docx", "html"], checked against the registry, in registry order."""
    if value is None:
        return list(DEFAULT_FORMATS)
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    names = [v.strip().lower() for v in items if v.strip()]
    for name in names:
        if name not in EXPORTERS:
            raise UsageError(f"unknown format {name!r} (choose from {', '.join(EXPORTERS)})")
    return [n for n in EXPORTERS if n in names]
