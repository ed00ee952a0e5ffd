"""The argos engine: the package's SentencePiece and CTranslate2 models, driven directly."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.engines import EngineOptions, Translation, open_engine
from bilingual.engines.argos import ARGOS_DECODING, NO_PACKAGE, ArgosEngine, decoding_length_bound
from bilingual.errors import EngineUnavailable, ExitCode
from tests.conftest import ARTICLE
from tests.standin import rewrite_package


@pytest.fixture
def engine(installed_standin: Path) -> ArgosEngine:
    engine = open_engine("argos", EngineOptions(beam=2, threads=1))
    assert isinstance(engine, ArgosEngine)
    return engine


def test_no_package_and_no_model_is_engine_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty"))
    with pytest.raises(EngineUnavailable) as raised:
        open_engine("argos", EngineOptions())
    assert raised.value.exit_code == ExitCode.ENGINE_UNAVAILABLE
    assert str(raised.value) == NO_PACKAGE
    assert "bilingual models install" in NO_PACKAGE and "--model" in NO_PACKAGE


def test_every_segment_of_the_article_gets_a_target(engine: ArgosEngine, article_document) -> None:
    engine.decode_options["max_decoding_length"] = 12  # the stand-in never stops by itself
    texts = [s.source for s in article_document.segments]
    translations = engine.translate_batch(texts)
    assert len(translations) == len(texts) == 40
    assert all(isinstance(t, Translation) and t.text.strip() for t in translations)
    assert translations[0].text != translations[-1].text


def test_traditional_text_is_converted_to_the_simplified_vocabulary(engine: ArgosEngine) -> None:
    assert engine.simplify
    assert engine.convert("臺灣的計程車與網際網路") == "台湾的出租车与互联网"
    # The vocabulary knows 灣 only in its Simplified form: converted, the text has no <unk>.
    assert engine.unseen_characters("臺灣與美國簽署關稅協議") == []


def test_count_tokens_is_exact(engine: ArgosEngine, article_document) -> None:
    import opencc

    converter = opencc.OpenCC("tw2sp")
    for segment in article_document.segments:
        pieces = engine.tokenizer.encode(converter.convert(segment.source), out_type=str)
        assert engine.count_tokens(segment.source) == len(pieces)
    total = sum(engine.count_tokens(s.source) for s in article_document.segments)
    raw = sum(len(engine.tokenizer.encode(s.source)) for s in article_document.segments)
    assert total < raw  # Simplified text needs fewer pieces than the Traditional original


def test_unseen_characters_become_notes_in_the_source_script(
    engine: ArgosEngine, article_document
) -> None:
    engine.decode_options["max_decoding_length"] = 4
    segment = next(s for s in article_document.segments if "龔明鑫" in s.source)
    [translation] = engine.translate_batch([segment.source])
    assert len(translation.notes) == 1
    note = translation.notes[0]
    assert note.startswith("characters the model cannot see: ")
    assert "龔" in note and "龚" not in note  # reported as the reader sees it
    [clean] = engine.translate_batch(["台美合作。"])
    assert clean.notes == []


class RecordingTranslator:
    """Stands in for ctranslate2.Translator to see what the engine asks of the model."""

    def __init__(self, output: list[str]) -> None:
        self.output = output
        self.calls: list[tuple[list[list[str]], dict[str, Any]]] = []

    def translate_batch(self, sources: list[list[str]], **kwargs: Any) -> list[Any]:
        self.calls.append((sources, kwargs))

        return [SimpleNamespace(hypotheses=[self.output]) for _ in sources]


def test_decoding_mirrors_argostranslate(engine: ArgosEngine) -> None:
    recorder = RecordingTranslator(["▁Taiwan", "▁and", "▁the", "▁US", "."])
    engine.translator = recorder
    engine.target_prefix = ""
    texts = ["台美合作。", "", "臺灣與美國簽署關稅協議，推動經濟合作。"]
    result = engine.translate_batch(texts)
    assert [t.text for t in result] == ["Taiwan and the US.", "", "Taiwan and the US."]
    [(sources, kwargs)] = recorder.calls
    assert len(sources) == 2  # the empty text is not sent
    assert sources[1] == engine.tokenizer.encode(engine.convert(texts[2]), out_type=str)
    assert kwargs["target_prefix"] is None
    assert kwargs["replace_unknowns"] is ARGOS_DECODING["replace_unknowns"] is True
    assert kwargs["length_penalty"] == 0.2
    assert kwargs["beam_size"] == 2 and kwargs["num_hypotheses"] == 1
    assert kwargs["batch_type"] == "tokens"
    assert kwargs["max_batch_size"] == engine.options.max_batch_tokens
    assert kwargs["max_decoding_length"] == decoding_length_bound(len(sources[1]))
    # CTranslate2's silent truncation, named: the translate stage sends nothing longer
    assert kwargs["max_input_length"] == engine.max_input_tokens == 1024


def test_target_prefix_is_given_and_stripped(engine: ArgosEngine) -> None:
    recorder = RecordingTranslator(["__en__", "▁Hello", "▁world"])
    engine.translator = recorder
    engine.target_prefix = "__en__"
    [translation] = engine.translate_batch(["你好世界"])
    assert translation.text == "Hello world"
    assert recorder.calls[0][1]["target_prefix"] == [["__en__"]]


def test_forced_decoding_length_for_the_benchmark(engine: ArgosEngine) -> None:
    engine.decode_options.update(min_decoding_length=7, max_decoding_length=7)
    [source] = engine.translate_batch(["台美合作。"])
    options = engine.decoding_options(100)
    assert options["min_decoding_length"] == options["max_decoding_length"] == 7
    assert engine.describe()["options"]["max_decoding_length"] == 7
    result = engine.translator.translate_batch(
        [engine.tokenizer.encode("台美合作。", out_type=str)], **options
    )
    assert len(result[0].hypotheses[0]) == 7
    assert source.text


def test_decoding_length_is_bounded_by_the_input() -> None:
    assert decoding_length_bound(10) == 36
    assert decoding_length_bound(0) == 16
    # it follows a long source (a piece near the model's limit is not cut short at 512) up to
    # the longest source the model reads
    assert decoding_length_bound(200) == 416
    assert decoding_length_bound(400) == 530 == math.ceil(1.3 * 400) + 10
    assert decoding_length_bound(1024) == 1342
    assert decoding_length_bound(10_000) == 1342
    assert decoding_length_bound(10_000, 512) == decoding_length_bound(512) == 676


def test_describe_names_the_model_and_options(engine: ArgosEngine) -> None:
    description = engine.describe()
    assert description["engine"] == "argos"
    assert description["model"] == "translate-zh_en-1_0 1.0"
    assert description["options"]["beam"] == 2
    assert description["options"]["convert"] == "tw2sp"
    assert "threads" not in description["options"]  # does not change the drafts


def test_corrupt_installed_model_is_one_line_engine_unavailable(installed_standin: Path) -> None:
    model = installed_standin / "model" / "model.bin"
    model.write_bytes(model.read_bytes()[:1000])
    engine = open_engine("argos", EngineOptions())  # the model loads at the first batch
    with pytest.raises(EngineUnavailable) as raised:
        engine.translate_batch(["台灣與美國"])
    message = str(raised.value)
    assert message.startswith(f"{installed_standin}: the model cannot be loaded")
    assert "\n" not in message


@pytest.mark.slow
def test_translate_path_imports_no_torch_stanza_or_spacy(
    installed_standin: Path, sandbox_env: dict[str, str]
) -> None:
    code = (
        "import sys\n"
        "from bilingual.engines import EngineOptions, open_engine\n"
        "from bilingual.glossary import annotate, load_glossary\n"
        "from bilingual.pipeline import read_document\n"
        "from bilingual.translate import translate_document\n"
        f"document = read_document({str(ARTICLE)!r})\n"
        "engine = open_engine('argos', EngineOptions(beam=1))\n"
        "engine.decode_options['max_decoding_length'] = 4\n"
        "glossary = load_glossary(None)\n"
        "annotate(document, glossary)\n"
        "translate_document(document, engine, glossary=glossary, use_memory=False)\n"
        "assert all(s.target for s in document.segments)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'stanza', 'spacy'})\n"
        "print(','.join(heavy) or 'none')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=sandbox_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


# -- through the CLI ------------------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


@pytest.mark.slow
def test_translate_with_the_standin_model_end_to_end(
    runner: CliRunner, standin_package: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["translate", str(ARTICLE), "--engine", "argos", "--model", str(standin_package)]
    result = runner.invoke(cli, [*args, "-o", str(out), "--beam", "1", "-q", "--no-memory"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / f"{ARTICLE.stem}.json").read_text(encoding="utf-8"))
    segments = [s for block in document["blocks"] for s in block["segments"]]
    assert len(segments) == 40
    assert all(s["target"].strip() and s["status"] == "machine" for s in segments)
    assert document["meta"]["signature"]["engine"] == "argos"
    assert document["meta"]["signature"]["model"] == "translate-zh_en-1_0 1.0"
    assert (tmp_path / "argos-packages" / "translate-zh_en-1_0").is_dir()


def test_engine_argos_without_a_model_exits_4(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["translate", str(ARTICLE), "--engine", "argos", "-o", str(out)])
    assert result.exit_code == ExitCode.ENGINE_UNAVAILABLE
    assert result.stderr.strip() == f"bilingual: error: {NO_PACKAGE}"
    assert not out.exists() or not any(out.iterdir())


def test_model_that_is_not_a_package_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "model.argosmodel"
    bogus.write_text("not a zip", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(ARTICLE), "--engine", "argos", "--model", str(bogus), "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.count("\n") == 1 and str(bogus) in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("member", "content", "message"),
    [
        ("metadata.json", b'{"from_code": "en", "to_code": "zh"}', "translates en->zh"),
        ("model/model.bin", b"\x06\0\0\0truncated", "the model cannot be loaded"),
    ],
)
def test_wrong_pair_or_corrupt_model_exits_4(
    member: str,
    content: bytes,
    message: str,
    runner: CliRunner,
    standin_package: Path,
    tmp_path: Path,
) -> None:
    bad = rewrite_package(standin_package, tmp_path / "bad.argosmodel", {member: content})
    out = tmp_path / "out"
    args = ["translate", str(ARTICLE), "--engine", "argos", "--model", str(bad), "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == ExitCode.ENGINE_UNAVAILABLE
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert not (tmp_path / "argos-packages").exists() or not any(
        (tmp_path / "argos-packages").iterdir()
    )
    assert not out.exists() or not any(out.iterdir())


def test_a_model_that_declares_its_input_limit_gets_it(
    standin_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.standin import rewrite_package

    with zipfile.ZipFile(standin_package) as archive:
        name = next(n for n in archive.namelist() if n.endswith("model/config.json"))
        config = json.loads(archive.read(name))
    config["max_position_embeddings"] = 256
    package = rewrite_package(
        standin_package,
        tmp_path / "limited.argosmodel",
        {"model/config.json": json.dumps(config).encode()},
    )
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    engine = open_engine("argos", EngineOptions(model=str(package), beam=1, threads=1))
    assert isinstance(engine, ArgosEngine)
    assert engine.max_input_tokens == 256
    assert engine.decoding_options(1000)["max_input_length"] == 256
