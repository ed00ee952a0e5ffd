"""`glossary find`: the term occurrences of a document, and candidate terms the glossary lacks.

Candidates are heuristics for a person to review, not terms: 「」-quoted names, Latin
abbreviations in parentheses such as （EPPD）, and title + name patterns such as 經濟部長龔明鑫.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..document import Document
from ..script import HAN
from .fold import fold
from .model import Glossary
from .render import annotate

_CJK = HAN
_QUOTED = re.compile(rf"[「『“]([{_CJK}A-Za-z0-9·・\-－ ]{{2,24}})[」』”]")
_ABBREVIATION = re.compile(r"[（(]\s*([A-Z][A-Za-z0-9&.\-]{1,11})\s*[)）]")
# Surnames that start most Chinese names (both scripts), to tell 部長龔明鑫 from 部長表示.
_SURNAMES = (
    "王李張张劉刘陳陈楊杨黃黄趙赵吳吴周徐孫孙馬马朱胡郭何林高羅罗鄭郑梁謝谢宋唐許许韓韩馮冯"
    "鄧邓曹彭曾蕭萧田董潘袁蔡蔣蒋余于杜葉叶程蘇苏魏呂吕丁任沈姚盧卢姜崔鍾钟譚谭陸陆汪范金石"
    "廖賈贾夏韋韦付方白鄒邹孟熊秦邱江尹薛閻阎段雷侯龍龙史陶黎賀贺顧顾毛郝龔龚邵萬万錢钱嚴严"
    "賴赖覃洪武莫孔湯汤向常溫温康施文牛樊葛邢安齊齐易喬乔伍龐庞顏颜倪莊庄聶聂章魯鲁岳翟殷詹申"
    "歐欧耿關关蘭兰焦俞左柳甘祝包寧宁尚符舒阮柯紀纪梅童凌畢毕單单季裴霍涂成苗谷盛曲翁冉駱骆藍蓝"
    "路游辛靳管柴蒙鮑鲍華华喻祁蒲房滕屈饒饶解牟艾尤陽阳時时穆農农司卓古吉繆缪簡简車车項项連连"
    "芦麥麦褚婁娄竇窦戴遲迟卜"
)
_TITLES = (
    "總統|总统|副總統|副总统|院長|院长|副院長|副院长|秘書長|秘书长|部長|部长|次長|次长|署長|署长|司長|司长|"
    "局長|局长|處長|处长|主委|主任委員|主任委员|發言人|发言人|大使|代表|主席|市長|市长|縣長|县长|議長|议长|"
    "首相|總理|总理|國務卿|国务卿|執行長|执行长|董事長|董事长|委員|委员|立委|部長級|特使"
)
# What may come before a title + name and is not part of it: punctuation and common words
# (包括, 感謝, 由, 及 ...), so that 出席成員包括總統賴清德 gives 總統賴清德.
_LEADERS = re.compile(
    r"(?:包括|包含|感謝|感谢|謝謝|谢谢|邀請|邀请|會見|会见|接見|接见|表示|指出|強調|强调|偕同|陪同|"
    r"帶領|带领|以及|還有|还有|率|由|及|和|與|与|跟|是|為|为|在|向|對|对|的|讓|让|請|请|今|昨|也|都)"
)
_TITLE_NAME = re.compile(rf"([{_CJK}]{{0,10}}?(?:{_TITLES}))([{_SURNAMES}][{_CJK}]{{1,2}})")
# A name is two or three characters after its title; the pattern takes three when it can, so
# 總理李強在 and 發言人王萍表示 would swallow the verb. Words that start right after a name, as
# their first character (在, 說 ...) or first two (表示, 指出 ...), mark a two-character name.
_AFTER_NAME = re.compile(
    r"(?:表示|指出|強調|强调|說明|说明|認為|认为|提出|提到|談到|谈到|宣布|宣佈|出席|主持|會見|会见|"
    r"接見|接见|今天|今日|昨天|昨日|日前|近日|透過|通过|呼籲|呼吁|回應|回应|率團|率团|訪問|访问|"
    r"致詞|致词|發表|发表|坦言|直言|重申|說道|说道|表態|表态|稱讚|称赞|親自|亲自|隨後|随后|當天|当天|"
    r"[在說说與与和及等也則则將将已曾於于對对向是的今昨率稱称就還还都並并亦又便才即再從从偕陪由以被把給给替])"
)

# 林部長、龔部長: a surname and a title after or before a pause (so 經濟部長 is not 濟 + 部長).
_PAUSE = "、，,。；;：:「」『』\\s"
_SURNAME_TITLE = re.compile(
    rf"((?<![{_CJK}])[{_SURNAMES}](?:{_TITLES})|[{_SURNAMES}](?:{_TITLES})(?=[{_PAUSE}及和與]|$))"
)


@dataclass
class Candidate:
    """A string that looks like a term and is not in the glossary yet."""

    text: str
    kind: str  # "quoted" | "abbreviation" | "title-name"
    segment: str  # id of the first segment it occurs in
    start: int
    end: int
    count: int = 1
    context: str = ""


@dataclass
class Findings:
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "occurrences": self.occurrences,
            "candidates": [asdict(c) for c in self.candidates],
        }


def find_terms(document: Document, glossary: Glossary) -> Findings:
    """Annotate `document` and list its occurrences and its candidate terms."""
    annotate(document, glossary)
    findings = Findings()
    known = {fold(form) for entry in glossary.entries for form in entry.zh}
    by_text: dict[str, Candidate] = {}
    for segment in document.segments:
        covered = [(t.start, t.end) for t in segment.terms]
        for term in segment.terms:
            findings.occurrences.append(
                {
                    "segment": segment.id,
                    "start": term.start,
                    "end": term.end,
                    "source": term.source,
                    "rendering": term.rendering,
                    **({"note": term.note} if term.note else {}),
                }
            )
        for text, kind, start, end in _candidates(segment.source):
            if fold(text) in known or any(s <= start and end <= e for s, e in covered):
                continue
            if kind == "abbreviation" and any(s <= start < e for s, e in covered):
                continue
            seen = by_text.get(text)
            if seen is not None:
                seen.count += 1
                continue
            context = segment.source[max(0, start - 8) : end + 8].strip()
            by_text[text] = Candidate(text, kind, segment.id, start, end, 1, context)
    findings.candidates = list(by_text.values())
    return findings


def _candidates(source: str) -> list[tuple[str, str, int, int]]:
    found: list[tuple[str, str, int, int]] = []
    for match in _QUOTED.finditer(source):
        text = match.group(1).strip()
        if len(text) >= 2:
            found.append((text, "quoted", match.start(1), match.end(1)))
    for match in _ABBREVIATION.finditer(source):
        if not any(c.isupper() for c in match.group(1)[1:]) and not match.group(1).isupper():
            continue  # (Donald) is a name, not an abbreviation: want at least two capitals
        found.append((match.group(1), "abbreviation", match.start(1), match.end(1)))
    for match in _TITLE_NAME.finditer(source):
        start, end = match.start(), _name_end(source, match.start(2), match.end(2))
        prefix = match.group(1)
        # Drop what a leading word or clause brought in: keep the part after the last leader.
        cut = 0
        for leader in _LEADERS.finditer(prefix):
            if leader.end() < len(prefix) - 1:
                cut = leader.end()
        start += cut
        found.append((source[start:end], "title-name", start, end))
    for match in _SURNAME_TITLE.finditer(source):
        if not any(s <= match.start() < e for _, _, s, e in found):
            found.append((match.group(1), "title-name", match.start(), match.end()))
    return found


def _name_end(source: str, start: int, end: int) -> int:
    """Where the name a title-name match found at `start:end` ends: a three-character match
    whose last character starts the word after the name is a two-character name."""
    if end - start == 3 and _AFTER_NAME.match(source, start + 2):
        return start + 2
    return end
