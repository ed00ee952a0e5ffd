"""The `argos` engine: an Argos Translate zh->en package run directly through CTranslate2.

`argostranslate.translate` is not used: it imports torch and stanza, downloads a sentence
splitter on first use and translates sentence by sentence. This engine loads the package's
SentencePiece model and CTranslate2 model itself and translates whole batches of segments,
doing around the model what argostranslate does (target prefix, decoding options, decoding of
the pieces), after converting Traditional Chinese to the Simplified script the model was trained on.
Installing, listing and removing the packages themselves is `packages`, beside this module.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import EngineUnavailable
from .. import EngineOptions, Translation, WorkerSpec
from . import packages
from .packages import InstalledPackage

NO_PACKAGE = (
    "no zh->en Argos model is installed; run `bilingual models install zh_en` (needs a network) "
    "or `bilingual models install --file PATH.argosmodel`, or pass --model PATH.argosmodel; "
    + packages.CARRY_HINT
)

# What argostranslate 1.11 passes to translate_batch besides the beam (translate.py,
# apply_packaged_translation); kept so that drafts match what Argos users get.
ARGOS_DECODING: dict[str, Any] = {"replace_unknowns": True, "length_penalty": 0.2}

# OpenCC: Traditional (Taiwan) to Simplified, with Taiwan phrases (計程車 -> 出租车).
SIMPLIFY = "tw2sp"

# Characters whose Traditional and Simplified forms differ, to tell which script a vocabulary has.
_SCRIPT_PROBES = ("國這說來時會對們經灣與為發後開關", "国这说来时会对们经湾与为发后开关")

# CTranslate2 drops every source token past `max_input_length` (1024 by default, the real zh->en
# model's longest position) without a word, so the translate stage cuts a longer segment into
# pieces of at most this many tokens. A model whose config.json declares its own limit gets that.
MAX_INPUT_TOKENS = 1024
_LIMIT_KEYS = ("max_input_length", "max_source_positions", "max_position_embeddings")

# The decoding cap for a short source; a longer one gets ceil(1.3 x its tokens) + 10, so that a
# piece near the input limit is not cut short either.
MAX_DECODING_LENGTH = 512


def find_installed() -> InstalledPackage | None:
    """The installed zh->en package `translate` would use, or None."""
    return packages.find_package()


def open_engine(options: EngineOptions) -> ArgosEngine:
    """The engine for `options.model` (installed first), else for the installed zh->en package."""
    if options.model:
        return ArgosEngine(packages.install_file(options.model), options)
    package = packages.find_package()
    if package is None:
        raise EngineUnavailable(NO_PACKAGE)
    return ArgosEngine(package, options)


def decoding_length_bound(source_tokens: int, max_input_tokens: int = MAX_INPUT_TOKENS) -> int:
    """How many target tokens a source of `source_tokens` may produce.

    English runs longer than Chinese in pieces, but not three times longer; the bound only bites
    when a model fails to stop (a damaged or random-weight model never emits the end token). It
    follows the source, so a long piece is not cut short, up to the longest source the model
    reads (the translate stage sends nothing longer; the model would not see the rest).
    """
    source_tokens = min(source_tokens, max_input_tokens)
    return min(
        2 * source_tokens + 16, max(MAX_DECODING_LENGTH, math.ceil(1.3 * source_tokens) + 10)
    )


def _max_input_tokens(model_dir: Path) -> int:
    """The longest source the model reads: its config's limit if it declares one, else 1024."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return MAX_INPUT_TOKENS
    for key in _LIMIT_KEYS:
        value = config.get(key) if isinstance(config, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return MAX_INPUT_TOKENS


def _load_vocabulary(model_dir: Path) -> frozenset[str]:
    # CTranslate2 writes the vocabulary as JSON (new) or one token per line (older conversions,
    # such as the packages on the Argos index).
    for stem in ("shared_vocabulary", "source_vocabulary"):
        if (path := model_dir / f"{stem}.json").is_file():
            return frozenset(json.loads(path.read_text(encoding="utf-8")))
        if (path := model_dir / f"{stem}.txt").is_file():
            return frozenset(path.read_text(encoding="utf-8").split("\n"))
    return frozenset()


class ArgosEngine:
    """Translate batches of segment texts with an installed Argos package."""

    name = "argos"
    fills_targets = True

    def __init__(self, package: InstalledPackage, options: EngineOptions) -> None:
        import sentencepiece

        self.package = package
        self.options = options
        self.warnings: list[str] = []
        where = str(package.folder)
        tokenizer_path = package.folder / "sentencepiece.model"
        if not tokenizer_path.is_file():
            raise EngineUnavailable(
                f"{where}: no sentencepiece.model (only SentencePiece packages are supported)"
            )
        try:
            self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer_path))
        except (RuntimeError, OSError) as e:
            raise EngineUnavailable(f"{tokenizer_path}: cannot load the tokenizer ({e})") from None
        # The model loads at the first batch: a rerun answered from the memory never needs it.
        self._translator: Any = None
        self.vocabulary = _load_vocabulary(package.folder / "model")
        self.max_input_tokens = _max_input_tokens(package.folder / "model")
        self.target_prefix: str = str(package.metadata.get("target_prefix", "") or "")
        self.simplify = self._vocabulary_is_simplified()
        self._converter: Any = None
        # Extra translate_batch keyword arguments, over the defaults (the benchmark forces
        # min_decoding_length = max_decoding_length here).
        self.decode_options: dict[str, Any] = {}
        self._prepare = lru_cache(maxsize=4096)(self._prepare_uncached)

    @property
    def translator(self) -> Any:
        """The CTranslate2 model, loaded on first use."""
        if self._translator is None:
            import ctranslate2

            try:
                self._translator = ctranslate2.Translator(
                    str(self.package.folder / "model"),
                    device="cpu",
                    compute_type="auto",  # as argostranslate: the model's own int8 on CPU
                    inter_threads=1,
                    intra_threads=self.options.threads,
                )
            except (RuntimeError, ValueError, OSError) as e:
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise EngineUnavailable(
                    f"{self.package.folder}: the model cannot be loaded ({first})"
                ) from None
        return self._translator

    @translator.setter
    def translator(self, value: Any) -> None:
        self._translator = value

    # -- the source side ----------------------------------------------------------------------

    def _vocabulary_is_simplified(self) -> bool:
        traditional, simplified = _SCRIPT_PROBES

        def known(chars: str) -> int:
            unk = self.tokenizer.unk_id()
            return sum(1 for ch in chars if self.tokenizer.piece_to_id(ch) != unk)

        return known(simplified) > known(traditional)

    def convert(self, text: str) -> str:
        """The text in the script of the model's vocabulary."""
        if not self.simplify:
            return text
        if self._converter is None:
            import opencc

            self._converter = opencc.OpenCC(SIMPLIFY)
        return self._converter.convert(text)

    def _prepare_uncached(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The pieces the model sees for `text`, and the source characters it cannot see."""
        pieces = tuple(self.tokenizer.encode(self.convert(text), out_type=str))
        unk = self.tokenizer.unk_id()
        unseen: list[str] = []
        originals: dict[str, str] | None = None
        for piece in pieces:
            # Unknown to the tokenizer (too rare in the training data to get a piece) or missing
            # from the model's vocabulary: either way the model has no real knowledge of it.
            if self.tokenizer.piece_to_id(piece) != unk and (
                not self.vocabulary or piece in self.vocabulary
            ):
                continue
            if originals is None:  # report the source's own characters, not the converted ones
                originals = {self.convert(ch): ch for ch in set(text)}
            for ch in piece.replace("\u2581", ""):
                ch = originals.get(ch, ch)
                if not ch.isspace() and ch not in unseen:
                    unseen.append(ch)
        return pieces, tuple(unseen)

    def count_tokens(self, text: str) -> int:
        """Exactly how many pieces the model sees for `text` (same conversion and tokenisation)."""
        return len(self._prepare(text)[0])

    def unseen_characters(self, text: str) -> list[str]:
        """Characters of `text` the model cannot see (names such as 龔明鑫, rare characters)."""
        return list(self._prepare(text)[1])

    # -- translating --------------------------------------------------------------------------

    def decoding_options(self, longest: int) -> dict[str, Any]:
        """The translate_batch keyword arguments for a batch whose longest source is `longest`."""
        return {
            **ARGOS_DECODING,
            "beam_size": self.options.beam,
            "num_hypotheses": 1,
            "batch_type": "tokens",
            "max_batch_size": self.options.max_batch_tokens,
            "max_input_length": self.max_input_tokens,
            "max_decoding_length": decoding_length_bound(longest, self.max_input_tokens),
            **self.decode_options,
        }

    def _detokenize(self, pieces: list[str]) -> str:
        # As argostranslate's SentencePieceTokenizer.decode, except that underscores are kept:
        # they are real characters in targets (identifiers, placeholders), not space markers.
        value = self.tokenizer.decode_pieces(pieces).replace("\u2581", " ")
        if self.target_prefix and value.startswith(self.target_prefix):
            value = value[len(self.target_prefix) :]
        return value.strip()

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        prepared = [self._prepare(text) for text in texts]
        todo = [i for i, (pieces, _) in enumerate(prepared) if pieces]
        targets = [""] * len(texts)
        if todo:
            sources = [list(prepared[i][0]) for i in todo]
            prefix = [[self.target_prefix] for _ in todo] if self.target_prefix else None
            options = self.decoding_options(max(len(s) for s in sources))
            try:
                results = self.translator.translate_batch(sources, target_prefix=prefix, **options)
            except (RuntimeError, ValueError) as e:
                raise EngineUnavailable(f"{self.package.folder}: decoding failed ({e})") from None
            for i, result in zip(todo, results, strict=True):
                targets[i] = self._detokenize(result.hypotheses[0])
        translations = []
        for target, (_, unseen) in zip(targets, prepared, strict=True):
            notes = [f"characters the model cannot see: {', '.join(unseen)}"] if unseen else []
            translations.append(Translation(target, notes))
        return translations

    def describe(self) -> dict[str, Any]:
        """Model and decoding options: what makes a draft, for signatures and the memory key."""
        options: dict[str, Any] = {"beam": self.options.beam, **ARGOS_DECODING}
        if self.simplify:
            options["convert"] = SIMPLIFY
        if self.target_prefix:
            options["target_prefix"] = self.target_prefix
        options.update(self.decode_options)
        return {
            "engine": self.name,
            "model": f"{self.package.name} {self.package.version}".strip(),
            "options": options,
        }

    def worker_spec(self) -> WorkerSpec:
        """The installed package as an archive, with the options and decode options: a
        worker installs it into a folder of its own (`open_in_worker`)."""
        from dataclasses import asdict

        return WorkerSpec(
            f"{__name__}:open_in_worker",
            package_archive(self.package.folder),
            {"options": asdict(self.options), "decode_options": dict(self.decode_options)},
        )


def package_archive(folder: Path) -> bytes:
    """The installed package in `folder` as an .argosmodel (a zip with one top-level folder)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, (Path(folder.name) / path.relative_to(folder)).as_posix())
    return buffer.getvalue()


def open_in_worker(
    folder: Path, archive: bytes, *, options: dict[str, Any], decode_options: dict[str, Any]
) -> ArgosEngine:
    """The engine of a `worker_spec` in another process: the package installed into `folder`
    (its own: workers on one machine never share or race on a packages folder), the model
    loaded now rather than inside the first batch."""
    import os

    os.environ["ARGOS_PACKAGES_DIR"] = str(folder / "packages")
    path = folder / "package.argosmodel"
    path.write_bytes(archive)
    package = packages.install_file(path, verify=False)  # the driver's copy was verified
    path.unlink()
    llm = options.pop("llm", None)
    engine = ArgosEngine(package, EngineOptions(**options))
    if llm is not None:
        engine.options.llm = type(engine.options.llm)(**llm)
    engine.decode_options.update(decode_options)
    engine.translator  # noqa: B018
    return engine
