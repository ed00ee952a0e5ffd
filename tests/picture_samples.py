"""Pictures for the tests: real PNG and JPEG bytes made with Pillow, and the documents that hold
them (a DOCX with a Caption-style paragraph, a saved page with its `_files/` folder, a data: URL
and a remote picture, Markdown with a picture beside it), in both scripts."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

TRADITIONAL = {
    "before": "外交部今天舉行例行記者會，說明近期外交工作的進展。"
    "發言人表示，我國將持續深化與友好國家的合作。",
    "caption": "外交部發言人在記者會上回答提問",
    "after": "記者會結束後，發言人接受了媒體的採訪。相關細節將於下週公布。",
    "alt": "部長與訪賓合影",
}
SIMPLIFIED = {
    "before": "国务院总理今天主持召开常务会议，研究部署经济工作。会议指出，要稳定市场预期。",
    "caption": "国务院总理在会上讲话",
    "after": "会议还讨论了其他事项。有关部门将于下周公布细则。",
    "alt": "总理与企业代表座谈",
}


def image(kind: str = "PNG", size: tuple[int, int] = (320, 200), color: str = "firebrick") -> bytes:
    """A real picture of `size` pixels, as Pillow writes `kind` (PNG, JPEG, GIF, WEBP, BMP)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def huge_header_png(width: int = 20_000, height: int = 10_000) -> bytes:
    """A PNG whose header claims `width` x `height` pixels (200 megapixels) over a few bytes
    of data: what a decompression bomb looks like before it is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
    b"<script>alert(1)</script><rect width='300' height='200'/></svg>"
)


def picture_docx(path: Path, texts: dict[str, str], picture: bytes | None = None) -> Path:
    """A DOCX: a paragraph, a picture (8 cm wide) in a paragraph of its own, a Caption-style
    paragraph under it, another paragraph."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_paragraph(texts["before"])
    document.add_picture(io.BytesIO(picture or image()), width=Cm(8))
    document.add_paragraph(texts["caption"], style="Caption")
    document.add_paragraph(texts["after"])
    document.save(str(path))
    return path


def saved_page(folder: Path, texts: dict[str, str], name: str = "page") -> Path:
    """A page as a browser saves it (`<name>.html` and `<name>_files/`): a figure with its
    figcaption from the `_files/` folder, a data: URL picture with Chinese alt text, a remote
    picture, a logo in the navigation, a tracking pixel and an icon."""
    files = folder / f"{name}_files"
    files.mkdir(parents=True, exist_ok=True)
    # named in the page as photo%201.jpg
    (files / "photo 1.jpg").write_bytes(image("JPEG", (400, 300), "steelblue"))
    (files / "logo.png").write_bytes(image("PNG", (200, 80), "black"))
    (files / "pixel.gif").write_bytes(image("GIF", (1, 1)))
    (files / "share.png").write_bytes(image("PNG", (32, 32)))
    embedded = data_url(image("PNG", (300, 200), "seagreen"))
    page = folder / f"{name}.html"
    page.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8">
<title>{texts["caption"]}</title></head><body>
<nav><img src="{name}_files/logo.png" class="site-logo" alt="logo">
<a href="/">首頁</a></nav>
<article><h1>{texts["caption"]}</h1>
<p>{texts["before"]}</p>
<figure><img src="{name}_files/photo%201.jpg" width="400" height="300" alt="現場">
<figcaption>{texts["caption"]}</figcaption></figure>
<p>{texts["after"]}</p>
<p><img src="{embedded}" alt="{texts["alt"]}"></p>
<p><img src="https://images.example.com/remote.jpg" alt="遠端"><img src="{name}_files/pixel.gif"
 width="1" height="1"><img src="{name}_files/share.png"></p>
<p>{texts["before"]}</p>
</article><footer>版權所有</footer></body></html>""",
        encoding="utf-8",
    )
    return page
