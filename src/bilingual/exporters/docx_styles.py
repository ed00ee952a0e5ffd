"""The Word styles of the bilingual DOCX: Word's own Title, Heading 1, Normal and Caption,
re-dressed, and the few styles of our own a publisher may restyle once for the whole document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MUTED = "6B6B6B"
INK = "1F2933"


@dataclass
class Styles:
    """Style ids of the paragraph and character styles the body uses."""

    chinese: str
    english: str
    dateline: str
    source_note: str
    hints: str
    label: str
    byline: str
    term: str
    caption: str = "Caption"  # Word's own, so a caption list and restyling work
    code: str = ""
    figure: str = ""  # a photo's paragraph: centred, kept with its caption


def setup_styles(doc: Any, cjk: str, latin: str, tag: str, *, term_style: bool = True) -> Styles:
    """Word's own Title / Heading 1 / Normal (so the navigation pane and a TOC work), re-dressed
    without theme fonts and heavy rules, plus the few styles a publisher may want to restyle
    (the glossary terms' underline only with `term_style`: a reader's edition marks none)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt, RGBColor, Twips

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, cjk, latin)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), tag)
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "80")
    spacing.set(qn("w:line"), "264")

    def dress(name: str, size: float, *, bold: bool | None = None, color: str = INK) -> Any:
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor.from_string(color)
        _set_fonts(style.element.get_or_add_rPr(), cjk, latin)
        return style

    normal = dress("Normal", 10.5)
    normal.paragraph_format.space_after = Twips(80)
    title = dress("Title", 20, bold=True)
    title_ppr = title.element.pPr
    if title_ppr is not None and title_ppr.find(qn("w:pBdr")) is not None:
        title_ppr.remove(title_ppr.find(qn("w:pBdr")))  # the default template's blue rule
    title.paragraph_format.space_after = Pt(6)
    title.font.spacing = Pt(0)
    h1 = dress("Heading 1", 13, bold=True, color="1F3A5F")
    h1.paragraph_format.space_before = Pt(12)
    h1.paragraph_format.space_after = Pt(4)
    h2 = dress("Heading 2", 11.5, bold=True, color="1F3A5F")
    h2.paragraph_format.space_before = Pt(10)
    for name in ("Header", "Footer"):
        dress(name, 8, color=MUTED)

    def paragraph_style(
        name: str, size: float, *, color: str = INK, italic: bool = False, bold: bool = False
    ) -> str:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(color)
        style.font.italic = italic or None
        style.font.bold = bold or None
        return style.style_id

    ids = Styles(
        chinese=paragraph_style("Chinese Text", 10.5),
        english=paragraph_style("English Text", 10.5),
        dateline=paragraph_style("Dateline", 9, color=MUTED),
        source_note=paragraph_style("Source Note", 9, color=MUTED),
        hints=paragraph_style("Term Hints", 8.5, color=MUTED, italic=True),
        label=paragraph_style("Column Label", 8.5, color=MUTED, bold=True),
        byline=paragraph_style("Byline", 9.5, color=MUTED),
        term="",
    )
    _news_styles(styles, ids, paragraph_style)
    if not term_style:
        return ids
    term = styles.add_style("Glossary Term", WD_STYLE_TYPE.CHARACTER)
    term.quick_style = True
    term_rpr = term.element.get_or_add_rPr()
    # a quiet dotted underline: visible to a reviewer, harmless in print
    term_rpr.append(OxmlElement("w:u", {qn("w:val"): "dotted", qn("w:color"): "8AA4C8"}))
    ids.term = term.style_id
    return ids


def _news_styles(styles: Any, ids: Styles, paragraph_style: Any) -> None:
    """Word's Caption for captions (dressed quietly), a monospace style for code blocks, and
    the paragraph that holds a photo."""
    from docx.shared import Pt, RGBColor

    caption = styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = None
    caption.font.italic = True
    caption.font.color.rgb = RGBColor.from_string(MUTED)
    ids.caption = caption.style_id
    ids.code = paragraph_style("Code Block", 9)
    styles["Code Block"].font.name = "Consolas"
    ids.figure = paragraph_style("Figure", 10.5)
    figure = styles["Figure"].paragraph_format
    figure.alignment = 1  # centre
    figure.keep_with_next = True  # the caption under it stays on its page
    figure.space_before = Pt(6)


def _set_fonts(rpr: Any, cjk: str, latin: str) -> None:
    """Explicit fonts instead of theme fonts (a theme's East Asian font is often a Japanese one)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), cjk)
    fonts.set(qn("w:cs"), latin)
