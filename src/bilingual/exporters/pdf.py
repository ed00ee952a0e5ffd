"""PDF: the DOCX converted by LibreOffice headless (`soffice --convert-to pdf`).

The DOCX is converted in a temporary folder and the PDF's bytes returned. When LibreOffice is not
installed the exporter renders nothing and gives one warning saying what to install; the other
formats of the run are still written. The DOCX made for the PDF uses fonts
that are installed here when the Word defaults are not (Noto Sans CJK for Microsoft JhengHei,
Carlito for Calibri), so the PDF shows the intended script forms, not some other fallback.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..document import Document
from . import ExportOptions, Finding, Rendered, RenderError
from .docx import write_docx
from .text import chinese_tag, cjk_font, require_segments

INSTALL_HINT = (
    "pdf not written: LibreOffice is not installed "
    "(install it with `apt-get install libreoffice-writer-nogui fonts-noto-cjk`)"
)
TIMEOUT = 300  # seconds; a long document on a slow machine takes a minute

# Installed fonts to use in the PDF when the Word default is missing, by Chinese language tag.
CJK_STAND_INS = {
    "zh-TW": ["Noto Sans CJK TC", "Source Han Sans TC", "Noto Sans TC", "AR PL UMing TW"],
    "zh-CN": ["Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "AR PL UMing CN"],
}
LATIN_STAND_INS = {"Calibri": ["Carlito"], "Cambria": ["Caladea"]}


class PdfExporter:
    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        """The PDF's bytes, or nothing (with a warning) when LibreOffice is not installed."""
        require_segments(document)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            return Rendered.of(None, [INSTALL_HINT])
        with tempfile.TemporaryDirectory(prefix="bilingual-pdf-") as folder:
            work = Path(folder)
            # the name is not seen: LibreOffice takes the PDF's title from the DOCX properties
            source = work / "document.docx"
            with source.open("wb") as handle:
                fonts = _installed_fonts(document, options)
                warnings = write_docx(document, fonts, findings, handle)
            pdf = _convert(soffice, source, work)
            return Rendered.of(pdf.read_bytes(), warnings)


def _convert(soffice: str, source: Path, work: Path) -> Path:
    command = [
        soffice,
        # a profile of its own: a running LibreOffice of the user's, or another conversion
        # running at the same time, would otherwise block or take the job
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        str(source),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"LibreOffice did not finish the PDF in {TIMEOUT} s") from None
    pdf = source.with_suffix(".pdf")
    if done.returncode != 0 or not pdf.is_file():
        said = (done.stderr or done.stdout or "").strip().splitlines()
        reason = said[-1] if said else f"exit status {done.returncode}"
        raise RenderError(f"LibreOffice could not convert the DOCX to PDF ({reason})")
    return pdf


def _installed_fonts(document: Document, options: ExportOptions) -> ExportOptions:
    """The options with installed stand-ins for default fonts that are missing here."""
    families = _font_families()
    if not families:
        return options  # no fontconfig to ask: let LibreOffice substitute
    changes: dict[str, Any] = {}
    if options.cjk_font is None and cjk_font(document, options).lower() not in families:
        for name in CJK_STAND_INS[chinese_tag(document, options)]:
            if name.lower() in families:
                changes["cjk_font"] = name
                break
    if options.latin_font.lower() not in families:
        for name in LATIN_STAND_INS.get(options.latin_font, []):
            if name.lower() in families:
                changes["latin_font"] = name
                break
    return dataclasses.replace(options, **changes) if changes else options


def _font_families() -> set[str]:
    """Lower-cased family names fontconfig knows (empty when fc-list is not there)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    try:
        done = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {name.strip().lower() for line in done.stdout.splitlines() for name in line.split(",")}
