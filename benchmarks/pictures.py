"""Reading pictures: a DOCX and a saved page, each with camera-sized photos, read and segmented in
a process of its own, and the same text without its photos; each picture is decoded once to find
a damaged one (readers/images.py), which is what this measures.

    python benchmarks/pictures.py [--photos 20] [--width 4000] [--height 3000]

Target (issue 22): a report with twenty 12-megapixel photos read in a few seconds, its peak
memory that of one decoded photo (about 4 bytes a pixel) above the text's, not of all of them.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from children import read_in_child, run_child

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "bilingual-bench-pictures"
TARGET_SECONDS = 5.0


def photo(width: int, height: int, seed: int) -> bytes:
    """A JPEG with the detail of a photo (noise compresses as a photo does, not as a flat
    colour), about 1 MB at 12 megapixels, quality 85."""
    import random

    from PIL import Image

    random.seed(seed)
    small = Image.frombytes(
        "RGB", (width // 8, height // 8), random.randbytes(width * height * 3 // 64)
    )
    buffer = io.BytesIO()
    small.resize((width, height)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def make_inputs(photos: int, width: int, height: int) -> tuple[Path, Path, Path]:
    sys.path.insert(0, str(ROOT))
    import docx
    from docx.shared import Cm
    from tests.picture_samples import TRADITIONAL

    folder = CACHE / f"{photos}-{width}x{height}"
    with_photos, without, page = folder / "photos.docx", folder / "text.docx", folder / "page.html"
    if page.is_file():
        return with_photos, without, page
    (folder / "page_files").mkdir(parents=True, exist_ok=True)
    documents = (docx.Document(), docx.Document())
    parts = ["<html><body><article>"]
    for number in range(photos):
        picture = photo(width, height, number)
        (folder / "page_files" / f"{number}.jpg").write_bytes(picture)
        for index, document in enumerate(documents):
            document.add_paragraph(TRADITIONAL["before"])
            if index == 0:
                document.add_picture(io.BytesIO(picture), width=Cm(15))
            document.add_paragraph(TRADITIONAL["caption"], style="Caption")
        parts.append(
            f"<p>{TRADITIONAL['before']}</p><figure><img src='page_files/{number}.jpg'>"
            f"<figcaption>{TRADITIONAL['caption']}</figcaption></figure>"
        )
    documents[0].save(str(with_photos))
    documents[1].save(str(without))
    page.write_text("".join(parts) + "</article></body></html>", encoding="utf-8")
    return with_photos, without, page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        read_in_child(args.child)
        return 0
    with_photos, without, page = make_inputs(args.photos, args.width, args.height)
    slow = []
    # the lightest first: run_child reports the largest peak of all children so far
    for label, path in (("DOCX, text only", without), ("DOCX with photos", with_photos),
                        ("saved page with photos", page)):  # fmt: skip
        result = run_child(__file__, str(path))
        print(
            f"{label}: {result['figures']} photos, {result['segments']} segments, "
            f"{result['seconds']:.2f} s read ({result['wall']:.2f} s with start-up), "
            f"peak {result['peak_mb']:.0f} MB"
        )
        if result["seconds"] > TARGET_SECONDS:
            slow.append(label)
    if slow:
        print(f"slower than {TARGET_SECONDS:.0f} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
