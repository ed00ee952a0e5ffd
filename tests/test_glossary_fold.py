"""Script folding: same length, both scripts to one, full width to ASCII; Latin letters."""

from __future__ import annotations

from bilingual.glossary.fold import fold, is_latin


def test_fold_keeps_length_and_maps_scripts():
    text = "臺灣經濟繁榮夥伴對話ＥＰＰＤ乾隆著作"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("台湾经济繁荣伙伴对话eppd")
    assert fold("台美经济繁荣伙伴对话") == fold("台美經濟繁榮夥伴對話")


def test_fold_leaves_expanding_characters_alone():
    # NFKC would turn ㈠ into "(一)" and ǅ lower-cases to one character; lengths must hold.
    for text in ("㈠㈡", "ǅ", "ﬁ", "İstanbul", "𠀀𡃁"):
        assert len(fold(text)) == len(text)


def test_is_latin():
    assert is_latin("A") and is_latin("7") and is_latin("é") and is_latin("Ｅ")
    assert not is_latin("屆") and not is_latin("（") and not is_latin(" ") and not is_latin("")
