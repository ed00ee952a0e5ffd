"""The stand-in package: an Argos package argostranslate recognises and CTranslate2 decodes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.standin import TOKENIZER_DIR, vocabulary


@pytest.fixture(scope="module")
def extracted(standin_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("standin-extracted")
    with zipfile.ZipFile(standin_package) as zf:
        zf.extractall(folder)
    return folder / "translate-zh_en-1_0"


def test_archive_is_one_folder_with_metadata_tokenizer_and_model(standin_package: Path) -> None:
    with zipfile.ZipFile(standin_package) as zf:
        names = zf.namelist()
        metadata = json.loads(zf.read("translate-zh_en-1_0/metadata.json"))
    assert {name.split("/")[0] for name in names} == {"translate-zh_en-1_0"}
    for member in ("sentencepiece.model", "model/model.bin", "model/config.json"):
        assert f"translate-zh_en-1_0/{member}" in names
    assert (metadata["from_code"], metadata["to_code"]) == ("zh", "en")
    assert metadata["package_version"] == "1.0"


def test_model_has_the_real_shared_vocabulary(extracted: Path) -> None:
    tokens = json.loads((extracted / "model" / "shared_vocabulary.json").read_text("utf-8"))
    assert len(tokens) == 50_004
    assert tokens == vocabulary(TOKENIZER_DIR)


def test_ctranslate2_decodes_it_without_stopping(extracted: Path) -> None:
    import ctranslate2
    import sentencepiece

    tokenizer = sentencepiece.SentencePieceProcessor(
        model_file=str(extracted / "sentencepiece.model")
    )
    translator = ctranslate2.Translator(str(extracted / "model"), intra_threads=1)
    pieces = tokenizer.encode("台湾与美国签署关税协议。", out_type=str)
    result = translator.translate_batch([pieces], beam_size=2, max_decoding_length=12)
    hypothesis = result[0].hypotheses[0]
    # The random model never ends early and emits only ASCII pieces (noise that looks English).
    assert len(hypothesis) == 12
    assert all(piece.replace("\u2581", "").isascii() for piece in hypothesis)
    assert "</s>" not in hypothesis and "<unk>" not in hypothesis


def test_argostranslate_recognises_the_layout(extracted: Path) -> None:
    from argostranslate.package import Package, get_installed_packages
    from argostranslate.tokenizer import SentencePieceTokenizer

    package = Package(extracted)
    assert (package.from_code, package.to_code) == ("zh", "en")
    assert isinstance(package.tokenizer, SentencePieceTokenizer)
    assert package.tokenizer.encode("关税协议") == ["▁", "关税", "协议"]
    found = get_installed_packages(path=[extracted.parent])
    assert [p.package_path for p in found] == [extracted]
