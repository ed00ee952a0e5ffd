"""The script vocabulary: what a Chinese character, a bracket and a sentence end are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bilingual.news import is_short_line
from bilingual.readers.text import split_blocks
from bilingual.script import BRACKETS, CLOSERS, count_han, han_characters, has_han, is_cjk
from bilingual.segment import detect_script, split_sentences

SRC = Path(__file__).resolve().parents[1] / "src" / "bilingual"

# Characters from the Han blocks: Unified (Traditional and Simplified), Extension A, a
# compatibility ideograph, Extensions B (𠮷), E (𫟹, a Simplified form) and G (𰻝).
TRADITIONAL = "臺灣經濟會議"
SIMPLIFIED = "台湾经济会议"
EXTENSIONS = "㐀䶵豈𠮷𫟹𰻝"


@pytest.mark.parametrize("text", [TRADITIONAL, SIMPLIFIED, EXTENSIONS])
def test_han_characters_in_both_scripts_and_the_extensions(text: str) -> None:
    assert has_han(text)
    assert count_han(f"{text} and EPPD, 2026。") == len(text)
    assert han_characters(f"A{text}b") == text
    assert all(is_cjk(ch) for ch in text)


def test_punctuation_symbols_and_latin_are_not_han() -> None:
    assert not has_han("「」，。！？ ䷀ ABC 123 ⽇")  # ䷀ is a Yijing hexagram, ⽇ a radical
    assert is_cjk("⽇") and is_cjk("，") and is_cjk("ア")
    assert not is_cjk("A") and not is_cjk("1")


def test_every_closing_bracket_closes_a_sentence() -> None:
    for opening, closing in BRACKETS.items():
        assert closing in CLOSERS
        text = f"他說{opening}成果豐碩。{closing}下一句。"
        assert split_sentences(text) == [f"他說{opening}成果豐碩。{closing}", "下一句。"]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("會議結束。大家離開！真的嗎？", ["會議結束。", "大家離開！", "真的嗎？"]),
        ("会议结束｡大家离开", ["会议结束｡", "大家离开"]),
        ("他問：「好嗎？！」對。", ["他問：「好嗎？！」", "對。"]),
        ("𠮷野家開業。𫟹字。", ["𠮷野家開業。", "𫟹字。"]),
    ],
)
def test_sentence_ends_in_both_scripts(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_a_line_break_between_extension_characters_is_no_space() -> None:
    text = "標題\n\n這是第一段的開頭，\n繼續說明𠮷\n𠮷野家的說明文字。\n"
    assert split_blocks(text) == ["標題", "這是第一段的開頭，繼續說明𠮷𠮷野家的說明文字。"]


def test_the_script_of_a_text_with_extension_characters() -> None:
    assert detect_script("𠮷野家在臺灣開了新的門市，經濟部長說這是好消息。") == "zh-Hant"
    assert detect_script("𠮷野家在台湾开了新的门市，经济部长说这是好消息。") == "zh-Hans"


def test_a_short_line_ending_in_any_closing_bracket_is_a_sentence() -> None:
    assert not is_short_line("他說：『好。』")
    assert not is_short_line("他說：﹁好。﹂")
    assert is_short_line("經濟部新聞稿")


# A Han range written out: a \u escape of the first or last Unified Ideograph or Extension A
# character, a supplementary-plane range, or the characters themselves as range bounds.
_HAN_RANGE = re.compile(r"\\u(?:3400|4dbf|4e00|9fff)|\\U0002[0-9a-fA-F]{4}-|[一㐀]-|-[鿿䶿]")


def test_no_module_but_script_writes_a_han_range() -> None:
    writers = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "script.py" and _HAN_RANGE.search(path.read_text(encoding="utf-8"))
    )
    assert writers == []
    assert _HAN_RANGE.search((SRC / "script.py").read_text(encoding="utf-8"))
