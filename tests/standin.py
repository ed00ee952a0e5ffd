"""A stand-in Argos zh->en package built at run time: the real tokenizer and vocabulary.

The real model's weights cannot be downloaded here, so tests and benchmarks build a CTranslate2
Transformer with the real shared vocabulary (shipped in `tests/data/argos-zh_en/`, see the README
there) and random weights. It runs the real loading, tokenising,
batching and decoding path (its English is noise). Tests use a tiny shape; `benchmarks/engine.py`
uses the real one (6+6 layers, d_model 512, 8 heads, FFN 2048, int8).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

# Shipped in the repository: a clone needs nothing beside it to run the tests and benchmarks.
TOKENIZER_DIR = Path(__file__).resolve().parent / "data" / "argos-zh_en"

# Tokens the stand-in must never emit: with them forbidden, a random model never stops early
# (decoding runs to the engine's length bound) and never yields an empty or `<unk>` target.
_FORBIDDEN_OUTPUTS = ("<unk>", "<blank>", "<s>", "</s>")


def _is_forbidden_output(token: str) -> bool:
    # Only ASCII pieces come out, so the noise at least looks like English to the checks
    # (a Chinese or Hangul piece in a target would read as "untranslated").
    return token in _FORBIDDEN_OUTPUTS or not token.replace("\u2581", "").isascii()


def vocabulary(tokenizer_dir: Path = TOKENIZER_DIR) -> list[str]:
    """The shared source/target vocabulary of the real zh->en model (50,004 tokens)."""
    text = (tokenizer_dir / "shared_vocabulary.txt").read_text(encoding="utf-8")
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


@contextlib.contextmanager
def _without_torch() -> Iterator[None]:
    """ctranslate2.specs imports torch when it can (2-3 s) only to accept torch tensors as weights;
    the stand-in's are numpy arrays. Where torch is already loaded, nothing changes."""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        yield
    finally:
        del sys.modules["torch"]


def _model_spec(
    tokens: list[str],
    *,
    num_layers: tuple[int, int],
    d_model: int,
    num_heads: int,
    ffn: int,
    seed: int,
):
    import numpy as np

    with _without_torch():
        from ctranslate2.specs import model_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(num_layers, num_heads)
    rng = np.random.default_rng(seed)
    size = len(tokens)

    def weight(rows: int, cols: int) -> np.ndarray:
        # Small weights keep activations in range through the pre-norm layers.
        return (rng.standard_normal((rows, cols), dtype=np.float32) * 0.05).astype(np.float32)

    def shape_of(name: str) -> tuple[int, ...]:
        parts = name.split("/")
        leaf, layer = parts[-1], parts[-2]
        if leaf in ("gamma", "beta"):
            return (d_model,)
        if layer.startswith("embeddings") or layer == "projection":
            return (size, d_model)
        block = parts[-3]
        if block == "ffn":
            return (ffn, d_model) if layer == "linear_0" else (d_model, ffn)
        if block == "self_attention":  # fused query/key/value, then the output
            return (3 * d_model, d_model) if layer == "linear_0" else (d_model, d_model)
        if block == "attention":  # encoder-decoder: query, fused key/value, output
            return (2 * d_model, d_model) if layer == "linear_1" else (d_model, d_model)
        raise AssertionError(f"stand-in: no shape for {name}")

    def fill(layer, name: str, value) -> None:
        attr = name.split("/")[-1]
        if value is None:
            shape = shape_of(name)
            if attr == "gamma":
                array = np.ones(shape, dtype=np.float32)
            elif attr == "beta":
                array = np.zeros(shape, dtype=np.float32)
            else:
                array = weight(*shape)
            setattr(layer, attr, array)
            if attr == "weight" and hasattr(layer, "bias"):
                rows = shape[0]
                bias = np.zeros((rows,), dtype=np.float32)
                if name.startswith("decoder/projection"):
                    forbidden = [i for i, token in enumerate(tokens) if _is_forbidden_output(token)]
                    bias[forbidden] = -1.0e4
                layer.bias = bias

    model_spec.visit_spec(spec, fill)
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    return spec


def build_standin_package(
    dest_dir: Path,
    *,
    num_layers: tuple[int, int] = (1, 1),
    d_model: int = 64,
    num_heads: int = 2,
    ffn: int = 128,
    quantization: str | None = "int8",
    seed: int = 0,
    name: str = "translate-zh_en-1_0",
    metadata: dict | None = None,
    tokenizer_dir: Path = TOKENIZER_DIR,
) -> Path:
    """Write `dest_dir/<name>.argosmodel`: a zip of one folder with metadata, tokenizer, model/.

    `metadata` entries override the package's metadata.json (for a wrong-pair package, say).
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    tokens = vocabulary(tokenizer_dir)
    spec = _model_spec(
        tokens, num_layers=num_layers, d_model=d_model, num_heads=num_heads, ffn=ffn, seed=seed
    )
    spec.validate()
    spec.optimize(quantization=quantization)

    with tempfile.TemporaryDirectory(dir=dest_dir, prefix=".standin-") as work:
        folder = Path(work) / name
        (folder / "model").mkdir(parents=True)
        spec.save(str(folder / "model"))
        shutil.copy(tokenizer_dir / "sentencepiece.model", folder / "sentencepiece.model")
        meta = json.loads((tokenizer_dir / "metadata.json").read_text(encoding="utf-8"))
        meta.update(metadata or {})
        (folder / "metadata.json").write_text(json.dumps(meta, indent=4), encoding="utf-8")
        (folder / "README.md").write_text(
            "Stand-in package for tests: the real zh->en tokenizer and vocabulary, "
            "random weights.\n",
            encoding="utf-8",
        )
        archive = dest_dir / f"{name}.argosmodel"
        partial = archive.with_suffix(".argosmodel.part")
        # model.bin is mostly random bytes: storing it is as small as deflating it, and faster.
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as zf:
            zf.write(folder, f"{name}/")
            for path in sorted(folder.rglob("*")):
                zf.write(
                    path,
                    f"{name}/{path.relative_to(folder).as_posix()}"
                    + ("/" if path.is_dir() else ""),
                )
        partial.replace(archive)
    return archive


def write_zip(path: Path, members: dict[str, bytes | None]) -> Path:
    """A zip with exactly these members (None: a folder entry); names are written as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if data is None:
                zf.writestr(zipfile.ZipInfo(name), b"")
            else:
                zf.writestr(name, data)
    return path


_METADATA = json.dumps({"package_version": "1.0", "from_code": "zh", "to_code": "en"}).encode()


def _package_members(top: str = "translate-zh_en-1_0", **extra: bytes | None) -> dict:
    return {
        f"{top}/": None,
        f"{top}/metadata.json": _METADATA,
        f"{top}/sentencepiece.model": b"not read before validation",
        f"{top}/model/": None,
        f"{top}/model/model.bin": b"\0" * 64,
        **extra,
    }


def hostile_archives(dest_dir: Path) -> dict[str, tuple[Path, str]]:
    """Archives that must be refused before anything is written: name -> (path, what is wrong).

    Each is small and generated here, so no hostile file has to live in the repository.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    top = "translate-zh_en-1_0"
    cases: dict[str, tuple[dict | bytes, str]] = {
        "traversal": (_package_members(**{f"{top}/../../evil.txt": b"x"}), "'..'"),
        "absolute": (_package_members(**{"/tmp/evil.txt": b"x"}), "absolute"),
        "no-metadata": (
            {k: v for k, v in _package_members().items() if not k.endswith("metadata.json")},
            "metadata.json",
        ),
        "two-folders": (_package_members(**{"other/": None, "other/x.txt": b"x"}), "one top-level"),
        "no-folder": ({"metadata.json": _METADATA, "model/model.bin": b"x"}, "one top-level"),
        "no-model": (
            {k: v for k, v in _package_members().items() if "/model/" not in k},
            "model/",
        ),
        "bad-metadata": (_package_members(**{f"{top}/metadata.json": b"{not json"}), "JSON"),
        "metadata-no-to-code": (
            _package_members(**{f"{top}/metadata.json": b'{"from_code": "zh"}'}),
            "to_code",
        ),
        # 64 MB of zeros deflates to about 64 KB: a small file that would unpack 1000 times larger
        "zip-bomb": (
            _package_members(**{f"{top}/model/model.bin": b"\0" * (64 * 1024**2)}),
            "zip bomb",
        ),
        "not-a-zip": (b"this is plain text, not a zip archive\n", "not a zip"),
    }
    result = {}
    for name, (content, problem) in cases.items():
        path = dest_dir / f"{name}.argosmodel"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write_zip(path, content)
        result[name] = (path, problem)
    return result


def rewrite_package(source: Path, dest: Path, replace: dict[str, bytes]) -> Path:
    """A copy of the package archive `source` with some members' content replaced.

    `replace` maps a path inside the package folder (e.g. "model/model.bin") to its new bytes.
    """
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            inner = info.filename.split("/", 1)[1] if "/" in info.filename else ""
            data = replace.get(inner)
            out.writestr(info, data if data is not None else src.read(info))
    return dest
