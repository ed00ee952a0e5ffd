"""Pictures as the readers find them: figure blocks in their place with their captions, in DOCX,
saved pages, Markdown and PDF; decorative and bad pictures left out; nothing fetched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilingual.document import Document
from bilingual.pipeline import read_document
from bilingual.readers import read
from bilingual.readers.images import MAX_BYTES
from tests.picture_samples import (
    SIMPLIFIED,
    SVG,
    TRADITIONAL,
    data_url,
    huge_header_png,
    image,
    picture_docx,
    saved_page,
)
from tests.reader_samples import docx_to_pdf, soffice


def kinds(document: Document) -> list[str]:
    return [b.kind for b in document.blocks]


@pytest.mark.parametrize("texts", [TRADITIONAL, SIMPLIFIED], ids=["Hant", "Hans"])
def test_a_docx_picture_is_a_figure_in_its_place_with_its_caption(
    tmp_path: Path, texts: dict[str, str]
) -> None:
    picture = image("PNG", (320, 200))
    document = read_document(picture_docx(tmp_path / "photo.docx", texts, picture))
    assert kinds(document) == ["paragraph", "figure", "caption", "paragraph"]
    figure_block = document.blocks[1]
    assert figure_block.segments == [] and figure_block.figure is not None
    figure = figure_block.figure
    assert (figure.ext, figure.width, figure.height) == ("png", 320, 200)
    assert figure.sha256 == hashlib.sha256(picture).hexdigest()
    assert figure.display_width == pytest.approx(8 / 2.54 * 72, abs=0.1)  # 8 cm, from the extent
    assert figure.display_height == pytest.approx(8 / 2.54 * 72 * 200 / 320, abs=0.1)
    assert document.assets == {figure.name: picture}
    assert document.blocks[2].source == texts["caption"]  # translated as captions are
    assert document.blocks[3].segments[0].id == "b4s1"  # ids count the figure block


@pytest.mark.parametrize("texts", [TRADITIONAL, SIMPLIFIED], ids=["Hant", "Hans"])
def test_a_saved_page_keeps_its_local_and_data_pictures_and_never_the_network(
    tmp_path: Path, texts: dict[str, str]
) -> None:
    said: list[str] = []
    document = read_document(saved_page(tmp_path, texts), warnings=said)
    assert kinds(document) == [
        "title", "paragraph", "figure", "caption", "paragraph", "figure", "caption", "paragraph",
    ]  # fmt: skip
    photo, embedded = (b.figure for b in document.blocks if b.figure is not None)
    assert photo is not None and embedded is not None
    assert (photo.ext, photo.width, photo.height, photo.alt) == ("jpeg", 400, 300, "現場")
    assert (photo.display_width, photo.display_height) == (300.0, 225.0)  # CSS pixels in points
    assert document.blocks[3].source == texts["caption"]  # the figcaption
    assert (embedded.ext, embedded.alt) == ("png", texts["alt"])
    assert document.blocks[6].source == texts["alt"]  # Chinese alt text, no caption: the caption
    # the logo, the tracking pixel and the 32 px icon are decoration: left out without a word
    assert len(document.assets) == 2
    err = "\n".join(said)  # what the reader could not read is the run's to say
    assert "1 picture on the network not fetched" in err
    assert "logo" not in err and "pixel" not in err


def test_a_picture_cuts_its_paragraph_where_it_stands(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(image())
    page = tmp_path / "inline.html"
    page.write_text(
        '<p>總統今天表示，<img src="a.png" alt="">雙方將深化合作。</p>', encoding="utf-8"
    )
    blocks = read(page).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        (None, "總統今天表示，"),
        ("figure", ""),
        (None, "雙方將深化合作。"),
    ]


def test_markdown_keeps_the_pictures_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "总理.jpg").write_bytes(image("JPEG", (640, 480)))
    (tmp_path.parent / "secret.png").write_bytes(image())
    text = SIMPLIFIED
    markdown = tmp_path / "news.md"
    markdown.write_text(
        f"# 常务会议\n\n{text['before']}\n\n![{text['alt']}](pictures/总理.jpg)\n\n"
        f"{text['after']}\n\n![](../secret.png)\n\n![远端](https://example.com/a.png)\n",
        encoding="utf-8",
    )
    said: list[str] = []
    document = read_document(markdown, warnings=said)
    assert kinds(document) == ["title", "paragraph", "figure", "caption", "paragraph"]
    figure = document.blocks[2].figure
    assert figure is not None and (figure.ext, figure.width, figure.alt) == (
        "jpeg",
        640,
        text["alt"],
    )
    assert document.blocks[3].source == text["alt"]
    err = "\n".join(said)
    assert f"{markdown}: ../secret.png: a picture outside the input's folder; left out" in err
    assert "1 picture on the network not fetched" in err


@pytest.mark.slow  # a subprocess
def test_standard_input_reads_data_pictures_only(tmp_path: Path) -> None:
    page = f'<p>{TRADITIONAL["before"]}</p><p><img src="{data_url(image())}"></p>'
    result = subprocess.run(
        [sys.executable, "-c", "from bilingual.readers import read; import sys;"
         "print([b.kind for b in read('-', 'html').blocks])"],
        input=page.encode("utf-8"), capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert result.stdout.decode().strip() == "[None, 'figure']"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("broken.png", image()[:200], "a damaged picture (it cannot be decoded)"),
        ("random.jpg", os.urandom(5000), "a damaged picture (it cannot be decoded)"),
        ("bomb.png", huge_header_png(), "header claims 20000 x 10000 pixels"),
        ("drawing.svg", SVG, "an SVG picture is never embedded (it can carry script)"),
        ("old.bmp", image("BMP"), "a BMP picture, not PNG, JPEG, GIF or WebP"),
        ("huge.png", b"\x89PNG" + b"\x00" * (MAX_BYTES + 1), "larger than 20 MB"),
    ],
    # named by file, not by bytes: random bytes would give each xdist worker another test id
    ids=["broken.png", "random.jpg", "bomb.png", "drawing.svg", "old.bmp", "huge.png"],
)
def test_a_bad_picture_is_left_out_with_one_line_naming_it(
    tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / name).write_bytes(data)
    (tmp_path / "page_files" / "good.webp").write_bytes(image("WEBP"))
    page = tmp_path / "page.html"
    page.write_text(
        f'<p>{SIMPLIFIED["before"]}</p><p><img src="page_files/{name}"></p>'
        f'<p><img src="page_files/good.webp"></p><p>{SIMPLIFIED["after"]}</p>',
        encoding="utf-8",
    )
    said: list[str] = []
    document = read_document(page, warnings=said)
    assert kinds(document) == ["paragraph", "figure", "paragraph"]  # the rest is all there
    figure = document.blocks[1].figure
    assert figure is not None and figure.ext == "webp"
    lines = [line for line in said if name in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"{page}: page_files/{name}: ") and says in lines[0]
    assert lines[0].endswith("left out")


def test_a_bad_picture_in_a_docx_is_named_and_the_text_kept(tmp_path: Path) -> None:
    source = picture_docx(tmp_path / "photo.docx", TRADITIONAL)
    import zipfile

    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(broken, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, data[:100] if item.filename.startswith("word/media/") else data)
    said: list[str] = []
    document = read_document(broken, warnings=said)
    assert kinds(document) == ["paragraph", "caption", "paragraph"]
    assert any(
        line.startswith(f"{broken}: word/media/image1.png: a damaged picture") for line in said
    )


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_a_pdf_keeps_its_embedded_picture_and_caption(tmp_path: Path) -> None:
    """The PDF LibreOffice makes of a DOCX with a picture: the picture is extracted (as PNG) at
    its place, the smaller Caption line under it its caption."""
    source = picture_docx(tmp_path / "photo.docx", TRADITIONAL, image("PNG", (320, 200)))
    document = read_document(docx_to_pdf(source, tmp_path))
    assert kinds(document) == ["paragraph", "figure", "caption", "paragraph"]
    figure = document.blocks[1].figure
    assert figure is not None and (figure.width, figure.height) == (320, 200)
    assert figure.display_width == pytest.approx(8 / 2.54 * 72, abs=1)
    assert document.blocks[2].source == TRADITIONAL["caption"]
    # as the PDF holds it: LibreOffice stores a photo as JPEG, anything else comes out as PNG
    magic = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG"}[figure.ext]
    assert document.assets[figure.name].startswith(magic)


@pytest.mark.slow
def test_a_saved_page_is_read_without_a_network(tmp_path: Path) -> None:
    """Under `unshare -rn` (no network at all) the run reads the page, keeps its local pictures
    and leaves the remote one out, at once: nothing waits for a connection."""
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        pytest.fail("unshare -rn is not available (user namespaces are off)")
    page = saved_page(tmp_path, SIMPLIFIED)
    out = tmp_path / "out"
    command = ["unshare", "-rn", sys.executable, "-m", "bilingual", "translate", str(page),
               "-o", str(out), "--engine", "none", "--format", "json"]  # fmt: skip
    env = {**os.environ, "BILINGUAL_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "1 picture on the network not fetched" in result.stderr
    assets = sorted(p.suffix for p in (out / "page.assets").iterdir())
    assert assets == [".jpeg", ".png"]


def test_a_picture_outside_the_folder_through_a_link_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.png").write_bytes(image())
    (tmp_path / "site" / "page_files").mkdir(parents=True)
    (tmp_path / "site" / "page_files" / "a.png").symlink_to(tmp_path / "elsewhere.png")
    page = tmp_path / "site" / "page.html"
    page.write_text(f'<p>{TRADITIONAL["before"]}</p><img src="page_files/a.png">', "utf-8")
    raw = read(page)
    assert [b.kind for b in raw.blocks] == [None]
    assert any("page_files/a.png: a picture outside the input's folder; left out" in line
               for line in raw.warnings)  # fmt: skip


def test_an_edit_found_by_id_is_never_put_on_another_sentence_after_a_picture(
    tmp_path: Path,
) -> None:
    """Segmenter 3 numbered the text after the caption b3; with the picture a block of its own
    (segmenter 4) b3 is the caption. An edit stored for b3s1 by segmenter 3 stays off it; one
    stored for b4s1 by segmenter 4 is carried there (its source changed since the review)."""
    from bilingual.document import SOURCE_CHANGED
    from bilingual.memory import Memory
    from bilingual.pipeline import translate_file
    from bilingual.segment import SEGMENTER_VERSION

    source = picture_docx(tmp_path / "photo.docx", TRADITIONAL)
    memory = tmp_path / "memory.sqlite"
    with Memory(memory) as store:
        store.store_human("舊的句子。", "Old numbering.", renderings=[], document="photo.docx",
                          segment_id="b3s1", segmenter=3)  # fmt: skip
        store.store_human("另一個舊句子。", "This numbering.", renderings=[],
                          document="photo.docx", segment_id="b4s1",
                          segmenter=SEGMENTER_VERSION)  # fmt: skip
    document = translate_file(
        source, tmp_path / "out", engine="none", formats="json", memory_path=memory
    ).document
    caption, after = document.blocks[2], document.blocks[3]
    assert caption.kind == "caption" and caption.segments[0].status != "human"
    assert after.segments[0].id == "b4s1"
    assert (after.segments[0].status, after.segments[0].target) == ("human", "This numbering.")
    assert SOURCE_CHANGED in after.segments[0].flags


def test_an_older_documents_vml_picture_is_read_too(tmp_path: Path) -> None:
    """Word 2003 wrote a picture as VML (`w:pict/v:shape/v:imagedata`); its size is in the
    shape's style."""
    import docx
    from docx.oxml import parse_xml

    source = picture_docx(tmp_path / "photo.docx", SIMPLIFIED)
    document = docx.Document(str(source))
    drawing = document.element.body.findall(".//" + qn_w("drawing"))[0]
    blip = drawing.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    rel_id = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
    pict = parse_xml(
        f'<w:pict xmlns:w="{W}" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:r="{R}">'
        f'<v:shape style="width:240pt;height:1.5in" alt="总理"><v:imagedata r:id="{rel_id}"/>'
        "</v:shape></w:pict>"
    )
    drawing.getparent().replace(drawing, pict)
    document.save(str(tmp_path / "old.docx"))
    found = read_document(tmp_path / "old.docx")
    assert kinds(found) == ["paragraph", "figure", "caption", "paragraph"]
    figure = found.blocks[1].figure
    assert figure is not None
    assert (figure.display_width, figure.display_height, figure.alt) == (240.0, 108.0, "总理")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def qn_w(tag: str) -> str:
    return f"{{{W}}}{tag}"
