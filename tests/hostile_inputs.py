"""Inputs that once made a reader quadratic, built at any size (the tests and
benchmarks/readers.py's scaling check read the same ones)."""

from __future__ import annotations

import zlib


def pdf(pages: list[bytes], *, width: int = 612, compress: bool = True) -> bytes:
    """A PDF with one page per content stream in `pages` (Helvetica as /F1)."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    font = 3 + 2 * count
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for i, content in enumerate(pages):
        stream = zlib.compress(content, 6) if compress else content
        flate = b"/Filter /FlateDecode " if compress else b""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            b"<< " + flate + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n"
            + stream + b"\nendstream"
        )  # fmt: skip
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    return bytes(out)


def markdown_soft_wrapped(lines: int) -> bytes:
    """One Markdown paragraph of `lines` soft-wrapped lines, Chinese and Latin in turn."""
    words = ("经济部今天宣布新措施", "the ministry said on Tuesday", "行政院隨後表示支持")
    return ("\n".join(words[i % 3] for i in range(lines)) + "\n").encode("utf-8")


def text_hard_wrapped(lines: int) -> bytes:
    """One plain-text paragraph of `lines` lines of the same width, none ending a sentence."""
    line = "經濟部今天宣布新的產業措施行政院隨後表示全力支持並將編列預算推動"
    return ("\n".join([line] * lines) + "\n").encode("utf-8")


def pdf_paragraph_across_pages(kilobytes: int) -> bytes:
    """One paragraph of Latin text (no sentence ends) running across full pages."""
    line = "the ministry said on tuesday that the new rules would apply from next year and"
    lines_per_page = 50
    total = kilobytes * 1024 // (len(line) + 1)
    pages = []
    for start in range(0, total, lines_per_page):
        ops = [b"BT /F1 10 Tf 12 TL 40 740 Td"]
        ops += [f"({line}) ' ".encode() for _ in range(min(lines_per_page, total - start))]
        ops.append(b"ET")
        pages.append(b"\n".join(ops))
    return pdf(pages, width=500)


def pdf_runs_on_one_baseline(runs: int) -> bytes:
    """One page whose `runs` short runs of text all sit on one baseline."""
    ops = [b"BT /F1 10 Tf"]
    for i in range(runs):  # side by side, far enough apart to be runs of their own
        ops.append(f"1 0 0 1 {40 + i * 30} 700 Tm (ab) Tj".encode())
    ops.append(b"ET")
    return pdf([b"\n".join(ops)], width=80 + runs * 30)


def html_attributes(count: int) -> bytes:
    """A page whose first paragraph's tag carries `count` attributes."""
    attributes = " ".join(f'data-a{i}="x"' for i in range(count))
    return (
        f'<html><body><p class="lead" {attributes}>經濟部今天宣布新措施。</p>'
        "<p>行政院隨後表示支持。</p></body></html>"
    ).encode()


def text_short_lines(lines: int) -> bytes:
    """`lines` one-line paragraphs of about 16 bytes each (a million: 16 MB)."""
    return "".join(f"第{i}行。\n" for i in range(lines)).encode("utf-8")


def markdown_table(rows: int) -> bytes:
    """A Markdown table of `rows` rows of ten one-character cells (100,000 rows: 4.2 MB)."""
    head = "|" + "|".join("abcdefghij") + "|\n|" + "---|" * 10 + "\n"
    return (head + "|甲|乙|丙|丁|戊|己|庚|辛|壬|癸|\n" * rows).encode("utf-8")
