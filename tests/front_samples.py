"""Articles as reporters file them, for the reader's edition tests: a DOCX whose headline is in
Word's `Title` style, a page with an `<h1>`, and plain text without a headline, in Traditional
and in Simplified script; and their English, as a translator would give it."""

from __future__ import annotations

from pathlib import Path

HEADLINE = "外交部長今日出訪歐洲三國"
DATELINE = "2026-01-29 記者王小明／台北報導"
PARAGRAPHS = [
    "外交部長林佳龍今天啟程訪問歐洲三國，將與各國政要會談。他表示，台灣願意與理念相近的國家深化合作。",
    "此行預計為期一週，外交部將隨時公布行程。",
]
# Traditional source -> English (the Simplified source is looked up by its Traditional form)
ENGLISH = {
    HEADLINE: "Foreign Minister Leaves for Three European Countries Today",
    "2026-01-29 ": "January 29, 2026",
    "記者王小明／台北報導": "Reporter Wang Hsiao-ming, Taipei",
    "外交部長林佳龍今天啟程訪問歐洲三國，將與各國政要會談。": (
        "Foreign Minister Lin Chia-lung left today to visit three European countries, where he "
        "will meet their leaders."
    ),
    "他表示，台灣願意與理念相近的國家深化合作。": (
        "He said Taiwan is willing to deepen cooperation with like-minded countries."
    ),
    "此行預計為期一週，外交部將隨時公布行程。": (
        "The trip is expected to last a week; the ministry will publish the schedule as it goes."
    ),
}
SCRIPTS = ("zh-Hant", "zh-Hans")


def in_script(text: str, script: str) -> str:
    if script == "zh-Hant":
        return text
    import opencc

    return opencc.OpenCC("t2s").convert(text)


def english_of(source: str) -> str | None:
    """The English of a segment's source, in either script."""
    import opencc

    simplified = opencc.OpenCC("t2s").convert
    wanted = simplified(source).strip()
    return next((en for zh, en in ENGLISH.items() if simplified(zh).strip() == wanted), None)


def write_docx(folder: Path, script: str) -> Path:
    """A DOCX with the headline in Word's Title style."""
    import docx

    document = docx.Document()
    document.add_paragraph(in_script(HEADLINE, script), style="Title")
    document.add_paragraph(in_script(DATELINE, script))
    for text in PARAGRAPHS:
        document.add_paragraph(in_script(text, script))
    path = folder / f"title-{script}.docx"
    document.save(str(path))
    return path


def write_html(folder: Path, script: str) -> Path:
    """A news page with the headline in an <h1> (and a <title> naming the site)."""
    body = "".join(f"<p>{in_script(t, script)}</p>" for t in PARAGRAPHS)
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新聞網</title></head><body>'
        f"<article><h1>{in_script(HEADLINE, script)}</h1><p>{in_script(DATELINE, script)}</p>"
        f"{body}</article></body></html>"
    )
    path = folder / f"page-{script}.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_text(folder: Path, script: str) -> Path:
    """Plain text as filed, without a headline line."""
    lines = [in_script(DATELINE, script), *[in_script(t, script) for t in PARAGRAPHS]]
    path = folder / f"report-0129-{script}.txt"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def fill_english(document, *, status: str = "human") -> None:  # type: ignore[no-untyped-def]
    """Give every translatable segment its English, as a reviewer (`human`) or an engine
    (`machine`) would."""
    for segment in document.translatable_segments:
        english = english_of(segment.source) or f"English of {segment.id}."
        if status == "human":
            segment.apply_human(english, {"source": segment.source, "renderings": [], "at": ""})
        else:
            segment.apply_draft(english, [], [None] * len(segment.terms))
