"""Documents with photos for the exporter tests, in both scripts, built on the figure model
directly: real PNG bytes made here (zlib), and a real JPEG (made once by poppler's pdftoppm from
a three-colour page, and kept as its bytes: no JPEG encoder is installed for the tests)."""

from __future__ import annotations

import base64
import functools
import hashlib
import struct
import zlib

from bilingual.document import Block, Document, Figure, Segment

# 160 × 100, baseline JPEG: red and blue halves, a yellow band across them.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0"
    "KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7"
    "Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABkAKADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDlaKKK+dP2YKKKKACiiigAooooAKKKKAJqKKK/WD+agooooAKK"
    "KKACiiigAooooAhooor8nP6VCiiigAoore/4QjxH/wBA7/yNH/8AFVlUq06fxyS9XYxqV6VK3tJJX7uxg0Vvf8IR"
    "4j/6B3/kaP8A+Ko/4QjxH/0Dv/I0f/xVZ/W8P/z8X3oy+u4X/n5H70YNFb3/AAhHiP8A6B3/AJGj/wDiqP8AhCPE"
    "f/QO/wDI0f8A8VR9bw//AD8X3oPruF/5+R+9GPRW7/whfiH/AKB//kaP/wCKo/4QvxD/ANA//wAjR/8AxVfp39s5"
    "b/0EQ/8AA4/5n8+/Va/8j+5mFRW7/wAIX4h/6B//AJGj/wDiqP8AhC/EP/QP/wDI0f8A8VR/bOW/9BEP/A4/5h9V"
    "r/yP7mYVFbv/AAhfiH/oH/8AkaP/AOKrCrqw+Mw2Jv7CpGdt+Vp29bGc6VSn8cWvVBRRRXSZhRRRQBDRRRX5Of0q"
    "FFFFABXvFeD17xXzuef8u/n+h8pxH/y6/wC3v0CiiivnT5UKKKKACiiigAooooAK8Nr3KvDa/TvD7/mJ/wC3P/bj"
    "5/Ov+Xfz/QKKKK/Tj58KKKKAIaKKK/Jz+lQooooAK94rweveK+dzz/l38/0PlOI/+XX/AG9+gUUUV86fKhRRRQAU"
    "UUUAFFFFABXhte5V4bX6d4ff8xP/AG5/7cfP51/y7+f6BRRRX6cfPhRRRQBDRRRX5Of0qFFFFABXrX/Cb+HP+gj/"
    "AOQZP/ia8lorixeCp4q3O3p28zz8bl9LGcvtG1a+3n8n2PWv+E38Of8AQR/8gyf/ABNH/Cb+HP8AoI/+QZP/AImv"
    "JaK4v7Fw/d/h/kef/q/hf5pfev8AI9a/4Tfw5/0Ef/IMn/xNH/Cb+HP+gj/5Bk/+JryWij+xcP3f4f5B/q/hf5pf"
    "ev8AI9c/4TTw9/0EP/IMn/xNH/CaeHv+gh/5Bk/+JrymivuP9Q8t/nn98f8A5E/Iv7Yr9l+P+Z6t/wAJp4e/6CH/"
    "AJBk/wDiaP8AhNPD3/QQ/wDIMn/xNeU0Uf6h5b/PP74//Ih/bFfsvx/zPVv+E08Pf9BD/wAgyf8AxNeU0UV7uT5D"
    "hso5/YSk+e1+ZrpfayXc48VjKmJtzpadgooor3TjCiiigCGiiivyc/pUKKKKACiiigAooooAKKKKAJqKKK/WD+ag"
    "ooooAKKKKACiiigAooooAhooor8nP6VCiiigAooooAKKKKACiiigCaiiiv1g/moKKKKACiiigAooooAKKKKAP//Z"
)
JPEG_SIZE = (160, 100)


@functools.cache  # pixel by pixel in Python: 0.7 s for 1200 x 600, and every document has one
def png(width: int, height: int) -> bytes:
    """A real RGB PNG of `width` × `height`: a diagonal gradient with a dark frame, so a
    picture squashed or cut off shows it."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            if x < 4 or y < 4 or x >= width - 4 or y >= height - 4:
                row += b"\x20\x30\x40"
            else:
                row += bytes([x * 255 // width, y * 255 // height, 160])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def figure_for(data: bytes, ext: str, size: tuple[int, int], **shown: object) -> Figure:
    return Figure(hashlib.sha256(data).hexdigest(), ext, *size, **shown)  # type: ignore[arg-type]


TEXTS = {
    "zh-Hant": {
        "title": ("颱風過後的花蓮", "Hualien after the typhoon"),
        "p1": (
            "颱風昨晚登陸花蓮，全縣停班停課。",
            "The typhoon made landfall in Hualien last night.",
        ),
        "c1": ("圖為太魯閣國家公園入口。", "The entrance to Taroko National Park."),
        "alt": '太魯閣入口 <照片> & "說明"',
        "p2": (
            "縣府表示，道路已在今天上午搶通。",
            "The county said the roads reopened this morning.",
        ),
        "c2": (
            "救災人員清理落石。攝影：王小明",
            "Rescue workers clear rocks. Photo: Wang Hsiao-ming",
        ),
    },
    "zh-Hans": {
        "title": ("台风过后的福州", "Fuzhou after the typhoon"),
        "p1": (
            "台风昨晚登陆福州，全市停工停课。",
            "The typhoon made landfall in Fuzhou last night.",
        ),
        "c1": ("图为闽江大桥。", "The Minjiang Bridge."),
        "alt": "闽江大桥",
        "p2": (
            "市政府表示，道路已在今天上午抢通。",
            "The city said the roads reopened this morning.",
        ),
        "c2": ("救灾人员清理落石。摄影：李明", "Rescue workers clear rocks. Photo: Li Ming"),
    },
}


def figure_document(script: str = "zh-Hant", *, wide: tuple[int, int] = (1200, 600)) -> Document:
    """Title, paragraph, a wide PNG displayed wider than any page (to be capped) with a
    one-sentence caption, paragraph, a JPEG without a displayed size (its pixels at 96 dpi)
    with a two-sentence caption, and a closing paragraph."""
    text = TEXTS[script]
    wide_png = png(*wide)
    first = figure_for(wide_png, "png", wide, display_width=900.0, alt=text["alt"])
    second = figure_for(JPEG, "jpeg", JPEG_SIZE)

    def block(bid: str, kind: str, *pairs: tuple[str, str]) -> Block:
        segments = [
            Segment(f"{bid}s{n}", zh, en, "human") for n, (zh, en) in enumerate(pairs, start=1)
        ]
        return Block(bid, kind, segments)

    c2_zh, c2_credit = text["c2"][0].split("。")
    c2_en, c2_en_credit = text["c2"][1].split(". ", 1)
    return Document(
        blocks=[
            block("b1", "title", text["title"]),
            block("b2", "paragraph", text["p1"]),
            Block("b3", "figure", [], figure=first),
            block("b4", "caption", text["c1"]),
            block("b5", "paragraph", text["p2"]),
            Block("b6", "figure", [], figure=second),
            block("b7", "caption", (c2_zh + "。", c2_en + "."), (c2_credit, c2_en_credit)),
            block("b8", "paragraph", text["p1"]),
        ],
        source_lang=script,
        meta={"input": f"photos-{script}.docx", "title": text["title"][0]},
        assets={first.name: wide_png, second.name: JPEG},
    )
