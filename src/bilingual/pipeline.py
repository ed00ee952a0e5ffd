"""The whole flow as functions: read -> segment -> glossary -> translate -> check -> export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .document import Document
from .engines import EngineOptions
from .errors import InputError
from .exporters import ExportOptions, get_exporter, parse_formats
from .files import ensure_folder

Progress = Callable[[int, int], None]  # (segments done, segments in all)


@dataclass
class RunResult:
    """What a run produced and the figures for its summary line."""

    document: Document
    written: list[Path] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = self.stats
        parts = [f"{s.get('segments', 0)} segments"]
        if "translated" in s:
            parts.append(f"{s['translated']} translated")
        if s.get("from_memory"):
            parts.append(f"{s['from_memory']} from memory")
        if s.get("human"):
            parts.append(f"{s['human']} kept from review")
        if s.get("protected") or s.get("fallback"):
            parts.append(
                f"{s['terms']} terms ({s.get('protected', 0)} protected, "
                f"{s.get('fallback', 0)} fallback)"
            )
        elif "terms" in s:  # a worksheet: the terms are found, none is placed
            parts.append(f"{s['terms']} terms found")
        if "seconds" in s:
            parts.append(f"{s['seconds']:.1f} s")
        return ", ".join(parts)


def read_document(path: str | Path) -> Document:
    """Read and segment an input file."""
    from .readers import read
    from .segment import segment

    return segment(read(path))


def export_document(
    document: Document,
    output_dir: str | Path,
    *,
    stem: str,
    formats: Sequence[str] | str | None = None,
    options: ExportOptions | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the JSON form and each requested format; return the paths and warnings."""
    options = options or ExportOptions()
    folder = ensure_folder(Path(output_dir))
    if not document.segments:
        raise InputError(f"{document.meta.get('input', 'document')}: the document has no segments")
    written: list[Path] = []
    warnings: list[str] = []
    names = ["json", *[f for f in parse_formats(formats) if f != "json"]]
    for name in names:
        exporter = get_exporter(name)
        path = folder / f"{stem}{exporter.extension}"
        done = exporter.export(document, path, options)
        if done is not None:  # pdf without LibreOffice writes nothing and says so in a warning
            written.append(done)
        warnings.extend(getattr(exporter, "warnings", []))
    # several exporters clean the same text: say each removed character once
    return written, list(dict.fromkeys(warnings))


def translate_file(
    input_path: str | Path,
    output_dir: str | Path = "output",
    *,
    engine: str = "auto",
    engine_options: EngineOptions | None = None,
    formats: Sequence[str] | str | None = None,
    export_options: ExportOptions | None = None,
    glossary_paths: Sequence[str | Path] | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    progress: Progress | None = None,
) -> RunResult:
    """Translate one input file and write its bilingual outputs; the main job of the tool."""
    import time

    from .engines import open_engine
    from .glossary import annotate, load_glossary
    from .translate import translate_document

    started = time.perf_counter()
    engine_options = engine_options or EngineOptions()
    input_path = Path(input_path)
    parse_formats(formats)  # a bad --format fails before any work is done
    ensure_folder(Path(output_dir))
    document = read_document(input_path)
    # The previous run's reviewed English stays (the engine run skips human segments and flags
    # those whose source or renderings changed since the review).
    from .review import carry_reviews, load_previous

    previous = load_previous(Path(output_dir) / f"{input_path.stem}.json", document)
    carry_reviews(document, previous)
    translator = open_engine(engine, engine_options)
    glossary = load_glossary(glossary_paths)
    annotate(document, glossary)
    result = RunResult(document=document, warnings=list(translator.warnings))
    result.stats = translate_document(
        document,
        translator,
        glossary=glossary,
        memory_path=memory_path,
        use_memory=use_memory,
        progress=progress,
    )
    description = translator.describe()
    document.meta["signature"] = {
        "tool": f"bilingual {__version__}",
        "engine": description.get("engine", translator.name),
        "model": description.get("model"),
        "options": description.get("options", {}),
        "glossary": glossary.digest(),
    }
    result.written, warnings = export_document(
        document, output_dir, stem=input_path.stem, formats=formats, options=export_options
    )
    result.warnings.extend(warnings)
    result.stats["seconds"] = time.perf_counter() - started
    return result


def export_file(
    json_path: str | Path,
    output_dir: str | Path | None = None,
    *,
    formats: Sequence[str] | str | None = None,
    options: ExportOptions | None = None,
) -> RunResult:
    """Write the outputs of an existing JSON form (after a review, or with other options)."""
    from .document import load

    json_path = Path(json_path)
    document = load(json_path)
    folder = Path(output_dir) if output_dir is not None else json_path.parent
    result = RunResult(document=document, stats={"segments": len(document.segments)})
    result.written, result.warnings = export_document(
        document, folder, stem=json_path.stem, formats=formats, options=options
    )
    return result
