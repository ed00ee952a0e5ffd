"""The HTML reader: a saved news page through trafilatura, fragments by structure, bad files."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import InputError
from bilingual.pipeline import read_document

ARTICLE_BODY = [
    "總統今天在總統府表示，台美雙方已經完成關稅協議的簽署，這是兩國經貿關係的重要里程碑。",
    "經濟部長指出，協議生效後，台灣對美出口的產品將享有更低的關稅，預計將帶動相關產業成長。",
    "工商團體普遍表示歡迎，認為協議有助於企業布局美國市場，並強化供應鏈的韌性與安全。",
    "立法院預計下週開始審議協議內容，朝野黨團都表示將依法進行審查，不會拖延議程。",
]
FURNITURE = ["首頁", "國際", "限時優惠廣告", "別的新聞標題", "另一則新聞", "延伸閱讀", "網友留言",
             "分享到臉書", "版權所有", "廣告腳本", "color:red"]  # fmt: skip


def saved_page(charset: str = "utf-8", figure: bool = True, byline: bool = True) -> str:
    caption = (
        '<figure><img src="a.jpg" alt="簽署儀式"><figcaption>總統出席簽署儀式。（總統府提供）'
        "</figcaption></figure>"
        if figure
        else ""
    )
    by = '<p class="byline">記者林小明／台北報導</p>' if byline else ""
    return f"""<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="{charset}">
<title>台美簽署關稅協議 | 範例新聞網</title>
<meta property="og:site_name" content="範例新聞網">
<meta name="author" content="林小明">
<meta property="article:published_time" content="2026-02-03T10:00:00+08:00">
<script>var ads = "廣告腳本不該出現";</script><style>.x{{color:red}}</style>
</head><body>
<header><nav><ul><li><a href="/">首頁</a></li><li><a href="/world">國際</a></li></ul></nav></header>
<div class="ad-banner">限時優惠廣告，立即購買！</div>
<main><article>
<h1>台美簽署關稅協議</h1>
{by}
<p>{ARTICLE_BODY[0]}</p>
{caption}
<p>{ARTICLE_BODY[1]}</p>
<h2>產業界的反應</h2>
<p>{ARTICLE_BODY[2]}</p>
<table><tr><th>項目</th><th>稅率</th></tr><tr><td>半導體</td><td>零關稅</td></tr></table>
<div class="share-tools"><a href="#">分享到臉書</a></div>
<div class="related-news"><h3>延伸閱讀</h3><ul><li><a href="/3">另一則新聞</a></li></ul></div>
<p>{ARTICLE_BODY[3]}</p>
</article>
<aside class="related"><h3>相關新聞</h3><ul><li><a href="/1">別的新聞標題一</a></li>
<li><a href="/2">別的新聞標題二</a></li></ul></aside>
<section id="comments"><h3>留言</h3><div class="comment"><p>網友留言：這是好消息！</p></div>
</section></main>
<footer><p>版權所有 範例新聞網</p></footer>
</body></html>"""


def _check_page(document, *, figure: bool, byline: bool) -> None:
    kinds = [(b.kind, b.source) for b in document.blocks]
    assert kinds[0] == ("title", "台美簽署關稅協議")
    if byline:
        assert kinds[1] == ("byline", "記者林小明／台北報導")
        assert document.meta["byline"] == "記者林小明／台北報導"
    if figure:
        assert ("caption", "總統出席簽署儀式。（總統府提供）") in kinds
    assert ("heading", "產業界的反應") in kinds
    for cell in ("項目", "稅率", "半導體", "零關稅"):
        assert ("paragraph", cell) in kinds
    paragraphs = [source for kind, source in kinds if kind == "paragraph"]
    assert [p for p in paragraphs if len(p) > 10] == ARTICLE_BODY  # complete, in order
    text = "".join(b.source for b in document.blocks)
    for furniture in FURNITURE:
        assert furniture not in text
    meta = document.meta
    assert meta["title"] == "台美簽署關稅協議"
    assert meta["date"] == "2026-02-03"
    assert meta["site"] == "範例新聞網"
    if byline:
        assert meta["author"] == "記者林小明／台北報導"


@pytest.mark.parametrize(("figure", "byline"), [(True, True), (False, False)])
def test_saved_news_page(tmp_path, figure, byline):
    path = tmp_path / "page.html"
    path.write_text(saved_page(figure=figure, byline=byline), encoding="utf-8")
    document = read_document(path)
    _check_page(document, figure=figure, byline=byline)
    assert document.meta["encoding"] == "utf-8"


def test_declared_charset_is_used(tmp_path):
    path = tmp_path / "big5.htm"
    path.write_bytes(saved_page(charset="big5").encode("big5"))
    document = read_document(path)
    assert document.meta["encoding"] == "big5"
    _check_page(document, figure=True, byline=True)


def test_undeclared_charset_is_detected(tmp_path):
    path = tmp_path / "gbk.html"
    fragment = "<p>台湾与美国签署协议，双方将扩大合作。</p><p>经济部长表示，协议将在明年生效。</p>"
    path.write_bytes(fragment.encode("gb18030"))
    document = read_document(path)
    assert document.meta["encoding"] == "gb18030"
    assert document.source_lang == "zh-Hans"
    assert [b.source for b in document.blocks] == [
        "台湾与美国签署协议，双方将扩大合作。",
        "经济部长表示，协议将在明年生效。",
    ]


def test_fragment_by_structure(tmp_path):
    path = tmp_path / "fragment.html"
    path.write_text(
        "<h2>小標</h2><p>第一段，<b>粗體</b>和\n<a href='#'>連結</a>。</p>"
        "<ul><li>短項目</li><li>第二項</li></ul><blockquote>引言</blockquote>"
        "<figure><img src=x><figcaption>圖說文字</figcaption></figure>"
        "<script>alert('不是文字')</script><pre>code  kept</pre>",
        encoding="utf-8",
    )
    got = [(b.kind, b.source, b.level) for b in read_document(path).blocks]
    assert got == [
        ("heading", "小標", 2),
        ("paragraph", "第一段，粗體和連結。", None),
        ("paragraph", "短項目", None),
        ("paragraph", "第二項", None),
        ("paragraph", "引言", None),
        ("caption", "圖說文字", None),
        ("code", "code  kept", None),
    ]


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + bytes(range(256)), bytes(range(256)) * 8],
)
def test_binary_file_named_html_is_exit_3(tmp_path, data):
    path = tmp_path / "photo.html"
    path.write_bytes(data)
    with pytest.raises(InputError, match="binary"):
        read_document(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", str(path), "-o", str(out), "--engine", "none"])
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def cms_page(script: str, *, header_tag: bool = False) -> tuple[str, list[str]]:
    """A page as many CMSs write it: <div>s only (menu, sidebar of other headlines, footer),
    the byline and time beside the headline, a photo caption by class name."""
    hant = script == "zh-Hant"
    body = (
        ["經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行，雙方將討論供應鏈合作。",
         "官員指出，這次對話也將涵蓋半導體、能源與數位經濟等議題，盼擴大雙邊投資。",
         "工商團體表示歡迎，認為對話有助於企業布局美國市場，並強化產業的韌性。"]
        if hant
        else ["国务院今天表示，中美经贸磋商将在北京举行，双方将讨论供应链合作。",
              "官员指出，这次磋商也将涵盖半导体、能源与数字经济等议题，盼扩大双边投资。",
              "工商团体表示欢迎，认为磋商有助于企业布局海外市场，并强化产业的韧性。"]
    )  # fmt: skip
    title = "台美經濟對話今登場" if hant else "中美经贸磋商今登场"
    byline = "中央社／ 華盛頓27日專電" if hant else "新华社北京3月5日电"
    # no credit in its words: only the class name says it is a caption
    caption = "經濟部長出席記者會說明對話內容" if hant else "商务部长出席记者会说明磋商内容"
    caption_class = "photo-caption" if hant else "img-desc"
    sections = (
        ["首頁", "政治", "國際", "財經", "社會"] if hant else ["首页", "政治", "国际", "财经"]
    )
    menu = "".join(f'<div class="m"><a href="/{i}">{w}</a></div>' for i, w in enumerate(sections))
    others = "".join(f'<div class="it"><a href="/n{i}">別站新聞標題{i}</a></div>' for i in range(6))
    top = "header" if header_tag else "div"
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><{top} id="top"><div class="logo">範例新聞網</div><div id="mn">{menu}</div></{top}>
<div id="wrap"><div class="left">
<h1>{title}</h1>
<div class="info"><span>{byline}</span> <span>2026-02-27 10:30</span></div>
<div class="txt"><p>{body[0]}</p>
<div class="pic"><img src="a.jpg"><p class="{caption_class}">{caption}</p></div>
<p>{body[1]}</p><p>{body[2]}</p></div>
</div>
<div class="right"><div class="hot">熱門</div>{others}</div></div>
<div id="ft">聯絡我們 ｜ 隱私權政策 ｜ Copyright 2026 範例新聞網</div>
</body></html>"""
    return page, body


@pytest.mark.parametrize(
    ("script", "header_tag"), [("zh-Hant", False), ("zh-Hans", False), ("zh-Hant", True)]
)
def test_div_only_page_by_text_density(tmp_path, script, header_tag):
    page, body = cms_page(script, header_tag=header_tag)
    path = tmp_path / "cms.html"
    path.write_text(page, encoding="utf-8")
    document = read_document(path)
    kinds = [(b.kind, b.source) for b in document.blocks]
    title = "台美經濟對話今登場" if script == "zh-Hant" else "中美经贸磋商今登场"
    assert kinds[0] == ("title", title)
    assert document.meta["title"] == title
    credit = "中央社／ 華盛頓27日專電" if script == "zh-Hant" else "新华社北京3月5日电"
    assert document.meta["byline"] == credit  # beside the headline: kept
    assert kinds[1][0] == "byline" and kinds[1][1].startswith(credit)
    assert document.meta["date"] == "2026-02-27"
    assert [s for k, s in kinds if k == "paragraph"] == body
    assert [k for k, s in kinds if "記者會說明" in s or "记者会说明" in s] == ["caption"]
    text = "".join(b.source for b in document.blocks)
    for furniture in (
        "首頁",
        "首页",
        "財經",
        "别站",
        "別站新聞標題",
        "熱門",
        "隱私權",
        "Copyright",
    ):
        assert furniture not in text
