"""Photos in the outputs: DOCX (both layouts and editions), HTML, Markdown, PDF, TMX and XLIFF,
a review DOCX with photos imported again, and a photo whose image is missing."""

from __future__ import annotations

import base64
import copy
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml import etree

from bilingual.document import Document, assets_folder
from bilingual.exporters import ExportOptions, get_exporter
from bilingual.exporters.docx import MARGIN, PAPER
from bilingual.exporters.docx_markup import EMU_PER_POINT
from bilingual.pipeline import export_document
from bilingual.review import import_edits
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.docx_edits import EditedDocx
from tests.figure_samples import JPEG, JPEG_SIZE, TEXTS, figure_document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
SCRIPTS = ("zh-Hant", "zh-Hans")
LAYOUTS = ("side-by-side", "interleaved")
EDITIONS = ("review", "reader")


def render(document: Document, fmt: str, **options: object) -> tuple[bytes, list[str]]:
    rendered = get_exporter(fmt).render(document, ExportOptions(**options))  # type: ignore[arg-type]
    data = rendered.to_bytes()
    assert data is not None
    return data, rendered.warnings


def paragraph_text(paragraph: etree._Element) -> str:
    return "".join(paragraph.itertext())


class Docx:
    """An exported DOCX read back: its body, its media and the relationships to them."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.body = etree.fromstring(archive.read("word/document.xml")).find(f"{{{W}}}body")
            rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
            self.targets = {r.get("Id"): r.get("Target") for r in rels}
            self.media = {
                n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")
            }
            self.types = archive.read("[Content_Types].xml").decode()

    def drawings(self) -> list[etree._Element]:
        return self.body.findall(".//w:drawing", NS)

    def image(self, drawing: etree._Element) -> bytes:
        rid = drawing.find(".//a:blip", NS).get(f"{{{NS['r']}}}embed")
        return self.media[f"word/{self.targets[rid]}"]

    def size_points(self, drawing: etree._Element) -> tuple[float, float]:
        extent = drawing.find("wp:inline/wp:extent", NS)
        return int(extent.get("cx")) / EMU_PER_POINT, int(extent.get("cy")) / EMU_PER_POINT

    def paragraphs_after(self, drawing: etree._Element, count: int) -> list[str]:
        """The texts of the `count` non-empty paragraphs that follow the drawing's paragraph
        in document order."""
        paragraphs = list(self.body.iter(f"{{{W}}}p"))
        at = paragraphs.index(next(drawing.iterancestors(f"{{{W}}}p")))
        texts = [paragraph_text(p) for p in paragraphs[at + 1 :]]
        return [t for t in texts if t.strip()][:count]


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_docx_holds_each_photo_with_its_caption_under_it(script, layout, edition):
    document = figure_document(script)
    data, warnings = render(document, "docx", layout=layout, edition=edition)
    assert warnings == []
    docx = Docx(data)
    drawings = docx.drawings()
    assert len(drawings) == 2
    wide = document.blocks[2].figure
    assert wide is not None
    assert docx.image(drawings[0]) == document.assets[wide.name]
    assert docx.image(drawings[1]) == JPEG
    assert "image/jpeg" in docx.types and "image/png" in docx.types
    # the caption's Chinese and English, in that order, are the paragraphs under each photo
    text = TEXTS[script]
    assert docx.paragraphs_after(drawings[0], 2) == list(text["c1"])
    after = " ".join(docx.paragraphs_after(drawings[1], 4))
    assert after.index("。") < after.index("Rescue workers")  # Chinese first
    for word in ("Rescue workers clear rocks.", text["c2"][0].split("。")[0]):
        assert word in after
    # alt text as the drawing's description, escaped as XML
    assert drawings[0].find("wp:inline/wp:docPr", NS).get("descr") == text["alt"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("paper,landscape", [("a4", False), ("letter", True)])
def test_docx_photo_sizes_are_capped_to_the_text_width(layout, paper, landscape):
    document = figure_document("zh-Hant", wide=(1200, 600))
    data, _ = render(document, "docx", layout=layout, paper=paper, landscape=landscape)
    docx = Docx(data)
    wide, small = (docx.size_points(d) for d in docx.drawings())
    page_width = PAPER[paper][1 if landscape else 0]
    text_width = (page_width - 2 * MARGIN) / 20
    # displayed 900 pt wide: wider than any page, so as wide as the text (its column padding
    # inside the merged row), with its 2:1 aspect ratio
    assert wide[0] <= text_width
    assert wide[0] >= text_width - 15
    assert wide[0] / wide[1] == pytest.approx(2, rel=0.01)
    # no displayed size: 160 × 100 pixels at 96 dpi are 120 × 75 points
    assert small == pytest.approx((JPEG_SIZE[0] * 0.75, JPEG_SIZE[1] * 0.75), abs=0.01)


def test_docx_side_by_side_photo_spans_both_columns():
    data, _ = render(figure_document("zh-Hans"), "docx")
    docx = Docx(data)
    for drawing in docx.drawings():
        cell = next(drawing.iterancestors(f"{{{W}}}tc"))
        assert cell.find("w:tcPr/w:gridSpan", NS).get(f"{{{W}}}val") == "2"
        row = cell.getparent()
        assert len(row.findall("w:tc", NS)) == 1


def test_docx_a_tall_photo_fits_the_page_too():
    document = figure_document("zh-Hant", wide=(300, 3000))
    docx = Docx(render(document, "docx")[0])
    width, height = docx.size_points(docx.drawings()[0])
    assert height <= (PAPER["a4"][1] - 2 * MARGIN) / 20
    assert height / width == pytest.approx(10, rel=0.01)


def test_the_same_image_twice_is_stored_once():
    document = figure_document("zh-Hant")
    second = copy.deepcopy(document.blocks[2])
    second.id = "b9"
    document.blocks.append(second)
    docx = Docx(render(document, "docx")[0])
    assert len(docx.drawings()) == 3
    assert len(docx.media) == 2
    ids = [d.find("wp:inline/wp:docPr", NS).get("id") for d in docx.drawings()]
    assert len(set(ids)) == 3  # drawing ids are unique in the document


# --- a photo whose image is missing --------------------------------------------------------------


def without_first_image(script: str = "zh-Hant") -> Document:
    document = figure_document(script)
    figure = document.blocks[2].figure
    assert figure is not None
    del document.assets[figure.name]
    return document


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
@pytest.mark.parametrize("edition", EDITIONS)
def test_a_missing_image_is_left_out_with_one_warning(fmt, edition):
    document = without_first_image()
    data, warnings = render(document, fmt, edition=edition)
    name = document.blocks[2].figure.name  # type: ignore[union-attr]
    assert warnings == [f"figure b3: image {name} is missing from the assets; left out"]
    assert name.encode() not in data
    # the other photo and both captions are still there
    if fmt == "docx":
        docx = Docx(data)
        assert [docx.image(d) for d in docx.drawings()] == [JPEG]
        data = etree.tostring(docx.body, encoding="unicode").encode()  # the text of the body
    elif fmt == "html":
        assert data.count(b"<figure") == 1 and base64.b64encode(JPEG) in data
    else:
        assert data.count(b"![") == 1 and document.blocks[5].figure.name.encode() in data  # type: ignore[union-attr]
    assert "太魯閣國家公園".encode() in data and b"Taroko National Park" in data


def test_every_exporter_says_a_missing_image_in_the_same_words():
    # the run says each distinct line once: the same line from each format is one line
    # (a run never gets here: loading a JSON form whose picture file is gone is refused)
    document = without_first_image("zh-Hans")
    lines = {fmt: render(document, fmt)[1] for fmt in ("docx", "html", "md")}
    assert len({tuple(w) for w in lines.values()}) == 1
    assert "figure b3" in lines["docx"][0]


def test_alt_text_loses_what_xml_cannot_carry_in_the_same_words_everywhere():
    document = figure_document("zh-Hant")
    document.blocks[2].figure.alt = "入口\x01照片"  # type: ignore[union-attr]
    line = "figure b3 (alt text): removed 1 character(s) XML and HTML cannot carry (U+0001)"
    for fmt in ("docx", "html", "md"):
        data, warnings = render(document, fmt)
        assert warnings == [line]
        if fmt == "docx":
            data = etree.tostring(Docx(data).body, encoding="unicode").encode()
        assert "入口照片".encode() in data and b"\x01" not in data


# --- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_html_embeds_each_photo_as_a_data_url_with_its_caption(script, edition):
    document = figure_document(script)
    page = render(document, "html", edition=edition)[0].decode()
    figures = re.findall(r"<figure .*?</figure>", page, re.S)
    assert len(figures) == 2
    images = [re.search(r'<img src="data:(image/\w+);base64,([^"]+)"', f) for f in figures]
    assert [m.group(1) for m in images if m] == ["image/png", "image/jpeg"]
    assert base64.b64decode(images[1].group(2)) == JPEG  # type: ignore[union-attr]
    # the caption in both languages inside the figure, with the languages marked
    text = TEXTS[script]
    caption = re.search(r"<figcaption.*?</figcaption>", figures[0], re.S).group(0)  # type: ignore[union-attr]
    assert text["c1"][0] in caption and text["c1"][1] in caption
    assert f'lang="{script}"' in caption and 'lang="en"' in caption
    # nothing outside the page: no src or href but the data: URLs
    assert re.findall(r'(?:src|href)="(?!data:)', page) == []
    # alt text escaped; sizes in CSS pixels (900 pt displayed = 1200 px; the JPEG's pixels)
    assert 'width="1200" height="600"' in figures[0]
    assert 'width="160" height="100"' in figures[1]
    if script == "zh-Hant":
        assert 'alt="太魯閣入口 &lt;照片&gt; &amp; &#34;說明&#34;"' in figures[0]


def test_html_a_caption_not_after_a_photo_stays_a_block():
    document = figure_document("zh-Hant")
    del document.blocks[2]  # the first photo gone from the document: its caption stands alone
    page = render(document, "html")[0].decode()
    assert '<section class="block kind-caption" id="b4">' in page
    assert page.count("<figure") == 1


# --- Markdown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_markdown_links_each_photo_in_the_assets_folder(script, tmp_path: Path):
    document = figure_document(script)
    document.blocks[2].figure.alt = "a](http://example.com) ![x\nline"  # type: ignore[union-attr]
    out = tmp_path / "out dir"
    export_document(document, out, stem="My story (1)", formats="md")
    markdown = (out / "My story (1).md").read_text()
    # the run writes the assets folder beside the Markdown: every link resolves to its image
    # from where the Markdown is
    folder = assets_folder(out / "My story (1).json")
    assert sorted(p.name for p in folder.iterdir()) == sorted(document.assets)
    links = re.findall(r"!\[((?:[^\]\\]|\\.)*)\]\(([^)\s]+)\)", markdown)
    assert len(links) == 2
    for _, target in links:
        assert (out / unquote(target)).read_bytes() in document.assets.values()
    assert links[0][0] == r"a\](http://example.com) !\[x line"
    # the caption under each photo, Chinese then English, in italics
    text = TEXTS[script]
    after = markdown.split(links[0][1] + ")", 1)[1].lstrip("\n").split("\n\n")
    assert after[:2] == [f"*{text['c1'][0]}*", f"*{text['c1'][1]}*"]


def test_markdown_reader_edition_keeps_the_photos():
    markdown = render(figure_document("zh-Hans"), "md", edition="reader")[0].decode()
    assert markdown.count("](photos-zh-Hans.assets/") == 2
    assert markdown.startswith("# 台风过后的福州\n\n# Fuzhou after the typhoon")


# --- TMX and XLIFF: the caption text only -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["tmx", "xliff"])
def test_exchange_formats_carry_only_the_caption_text(fmt):
    document = figure_document("zh-Hant")
    data = render(document, fmt)[0].decode()
    ids = re.findall(r'<(?:tu tuid|unit id)="([^"]+)"', data)
    assert ids == [s.id for s in document.segments]
    assert "b3" not in {i.split("s")[0] for i in ids}  # the figure blocks give no unit
    assert "Taroko National Park" in data
    assert not any(f.figure.sha256 in data for f in document.blocks if f.figure)  # type: ignore[union-attr]


# --- review DOCX with photos imported again ------------------------------------------------


def test_a_review_docx_with_photos_imports_again(tmp_path: Path):
    document = figure_document("zh-Hant")
    export_document(document, tmp_path, stem="photos", formats="docx")
    form, docx = tmp_path / "photos.json", tmp_path / "photos.docx"
    edited = EditedDocx(docx)
    edited.retype_inside_bookmark("b4s1", "The gate of Taroko National Park.")
    edited.save()
    report = import_edits(docx, form, use_memory=False)
    assert report.problems == []
    assert report.imported == ["b4s1"]
    assert report.unchanged == len(document.segments) - 1


def test_an_interleaved_review_docx_with_photos_imports_again(tmp_path: Path):
    from docx import Document as open_docx
    from docx.oxml.ns import qn

    document = figure_document("zh-Hans")
    options = ExportOptions(layout="interleaved")
    export_document(document, tmp_path, stem="photos", formats="docx", options=options)
    form, path = tmp_path / "photos.json", tmp_path / "photos.docx"
    doc = open_docx(str(path))
    for paragraph in doc.paragraphs:
        names = [b.get(qn("w:name")) for b in paragraph._p.iter(qn("w:bookmarkStart"))]
        if "b7s2" in names:
            paragraph.add_run(" (edited)")
    doc.save(str(path))
    report = import_edits(path, form, use_memory=False)
    assert report.problems == []
    assert report.imported == ["b7s2"]


# --- seen as a user sees them (slow) -------------------------------------------------------


def only_the_page(page: Any, url: str) -> list[str]:
    """Every request the page makes, recorded; all but the page's own refused."""
    seen: list[str] = []

    def handle(route: Any, request: Any) -> None:
        seen.append(request.url)
        if request.url == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", handle)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_html_photos_in_chromium_without_any_request(tmp_path: Path, edition):
    from playwright.sync_api import sync_playwright

    document = figure_document("zh-Hant" if edition == "review" else "zh-Hans")
    path = tmp_path / "photos.html"
    path.write_bytes(render(document, "html", edition=edition)[0])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in (1280, 375):
                page = browser.new_page(viewport={"width": width, "height": 900})
                requests = only_the_page(page, path.as_uri())
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                images = page.evaluate(
                    "[...document.images].map(i => [i.complete, i.naturalWidth,"
                    " i.getBoundingClientRect().width, i.getBoundingClientRect().height])"
                )
                assert [i[1] for i in images] == [1200, 160]
                assert all(complete for complete, *_ in images)
                # responsive: no wider than the page, aspect ratio kept
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                wide = images[0]
                assert wide[2] < width and wide[2] / wide[3] == pytest.approx(2, rel=0.02)
                # the only request is the page itself (data: URLs are not requests)
                assert {u for u in requests if not u.startswith("data:")} == {path.as_uri()}
                page.screenshot(path=str(tmp_path / f"photos-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_shows_the_photos(tmp_path: Path, layout):
    if shutil.which("soffice") is None or shutil.which("pdfimages") is None:
        pytest.fail("LibreOffice and poppler are needed (.ci/run installs them)")
    document = figure_document("zh-Hant")
    data, warnings = render(document, "pdf", layout=layout)
    assert not [w for w in warnings if "missing" in w]
    path = tmp_path / "photos.pdf"
    path.write_bytes(data)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    sizes = sorted((int(line.split()[3]), int(line.split()[4])) for line in listed)
    assert sizes == [JPEG_SIZE, (1200, 600)]
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "Taroko National Park" in text and "太魯閣國家公園" in text


# --- end to end: a reporter's DOCX with a photo, read, translated by hand, written, exported -----


def reporter_docx(path: Path, picture: bytes) -> None:
    """A DOCX as a reporter writes it: a paragraph, a picture 12 cm wide, a Caption-style
    paragraph under it, and a closing paragraph."""
    from docx import Document as new_docx
    from docx.shared import Cm

    doc = new_docx()
    doc.add_paragraph("颱風昨晚登陸花蓮，全縣停班停課，各地災情持續傳出。")
    doc.add_picture(io.BytesIO(picture), width=Cm(12))
    doc.add_paragraph("圖為太魯閣國家公園入口。", style="Caption")
    doc.add_paragraph("縣府表示，道路已在今天上午搶通，居民可以返家。")
    doc.save(str(path))


def test_a_reporters_docx_keeps_its_photo_in_every_output(tmp_path: Path):
    from bilingual.pipeline import export_file, read_document
    from tests.figure_samples import png

    picture = png(800, 500)
    source = tmp_path / "report.docx"
    reporter_docx(source, picture)
    document = read_document(source)
    kinds = [b.kind for b in document.blocks]
    assert kinds[kinds.index("figure") + 1] == "caption"
    for segment in document.segments:
        segment.target = f"English of {segment.id}."
        segment.status = "human"
    out = tmp_path / "out"
    export_document(document, out, stem="report", formats="docx,html,md")
    caption = document.blocks[kinds.index("figure") + 1].segments[0]
    # the DOCX: the picture's bytes, 12 cm wide (340 pt), the caption in both languages under it
    docx = Docx((out / "report.docx").read_bytes())
    (drawing,) = docx.drawings()
    assert docx.image(drawing) == picture
    assert docx.size_points(drawing)[0] == pytest.approx(12 / 2.54 * 72, abs=0.5)
    assert docx.paragraphs_after(drawing, 2) == [caption.source, caption.target]
    # the HTML: the picture inside, nothing to fetch
    page = (out / "report.html").read_text()
    assert base64.b64encode(picture).decode() in page
    # the Markdown: its link leads to the picture in the assets folder written with it
    (link,) = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (out / "report.md").read_text())
    assert (out / unquote(link)).read_bytes() == picture
    # exported elsewhere from the JSON form alone: the assets come along, the photo stays
    elsewhere = tmp_path / "elsewhere"
    export_file(out / "report.json", elsewhere, formats="docx,md")
    docx = Docx((elsewhere / "report.docx").read_bytes())
    assert [docx.image(d) for d in docx.drawings()] == [picture]
    (link,) = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (elsewhere / "report.md").read_text())
    assert (elsewhere / unquote(link)).read_bytes() == picture


@pytest.mark.parametrize(
    "ext,pil_format,media_type", [("gif", "GIF", "image/gif"), ("webp", "WEBP", "image/webp")]
)
def test_gif_and_webp_photos_keep_their_type(ext, pil_format, media_type):
    from PIL import Image

    from tests.figure_samples import figure_for

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (20, 160, 60)).save(buffer, pil_format)
    data = buffer.getvalue()
    document = figure_document("zh-Hans")
    figure = figure_for(data, ext, (300, 200))
    document.blocks[5].figure = figure
    document.assets[figure.name] = data
    docx = Docx(render(document, "docx")[0])
    assert docx.image(docx.drawings()[1]) == data
    assert media_type in docx.types
    page = render(document, "html")[0].decode()
    assert f'src="data:{media_type};base64,{base64.b64encode(data).decode()}"' in page


@pytest.mark.slow
def test_a_review_docx_with_photos_resaved_by_libreoffice_imports_again(tmp_path: Path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is needed (.ci/run installs libreoffice-writer-nogui)")
    document = figure_document("zh-Hant")
    export_document(document, tmp_path, stem="photos", formats="docx")
    resaved = tmp_path / "resaved"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "docx", "--outdir", str(resaved), str(tmp_path / "photos.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    path = resaved / "photos.docx"
    assert len(Docx(path.read_bytes()).drawings()) == 2  # the photos are still there
    edited = EditedDocx(path)
    edited.retype_inside_bookmark("b7s1", "Rescuers clear the fallen rocks.")
    edited.save()
    report = import_edits(path, tmp_path / "photos.json", use_memory=False)
    assert report.problems == []
    assert report.imported == ["b7s1"]
