"""The pictures of a JSON form: their files in `<stem>.assets/` beside it, written with the other
outputs before it, loaded with it, copied by `export -o`; older forms still load."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import assets_folder, load
from bilingual.errors import ExitCode, InputError
from bilingual.pipeline import read_document, render_outputs
from tests.picture_samples import SIMPLIFIED, TRADITIONAL, image, picture_docx, saved_page

runner = CliRunner()


def translate(source: Path, out: Path, *extra: str) -> None:
    args = ["translate", str(source), "-o", str(out), "--engine", "none", "--no-memory", *extra]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output


def test_the_pictures_are_written_beside_the_json_form_and_load_with_it(tmp_path: Path) -> None:
    picture = image("PNG", (320, 200))
    source = picture_docx(tmp_path / "photo.docx", TRADITIONAL, picture)
    translate(source, tmp_path / "out", "--format", "json")
    name = f"{hashlib.sha256(picture).hexdigest()}.png"
    assert (tmp_path / "out" / "photo.assets" / name).read_bytes() == picture
    form = json.loads((tmp_path / "out" / "photo.json").read_text(encoding="utf-8"))
    assert form["version"] == 4
    figures = [b for b in form["blocks"] if b["kind"] == "figure"]
    assert [(b["figure"]["sha256"], b["figure"]["ext"], b["segments"]) for b in figures] == [
        (name[:-4], "png", [])
    ]
    document = load(tmp_path / "out" / "photo.json")
    assert document.assets == {name: picture}


def test_export_needs_only_the_json_form_and_its_assets_and_copies_them(tmp_path: Path) -> None:
    page = saved_page(tmp_path / "site", SIMPLIFIED)
    translate(page, tmp_path / "out", "--format", "json")
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(tmp_path / "out" / "page.json", moved / "page.json")
    shutil.move(tmp_path / "out" / "page.assets", moved / "page.assets")
    shutil.rmtree(tmp_path / "site")  # the page and its _files/ folder are gone
    result = runner.invoke(
        cli, ["export", str(moved / "page.json"), "-o", str(tmp_path / "else"), "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    copied = sorted(p.name for p in (tmp_path / "else" / "page.assets").iterdir())
    assert copied == sorted(p.name for p in (moved / "page.assets").iterdir())
    assert len(copied) == 2
    assert load(tmp_path / "else" / "page.json").assets.keys() == {n for n in copied}
    # The summary names the folder and its count, not each picture's 64-digit name.
    assert f"wrote {tmp_path / 'else' / 'page.assets'}/ (2 pictures), " in result.output


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_a_missing_or_altered_picture_is_one_line_naming_it(tmp_path: Path, damage: str) -> None:
    source = picture_docx(tmp_path / "photo.docx", SIMPLIFIED)
    translate(source, tmp_path / "out", "--format", "json")
    (asset,) = (tmp_path / "out" / "photo.assets").iterdir()
    if damage == "missing":
        asset.unlink()
    else:
        asset.write_bytes(image("PNG", (320, 200), "gold"))
    result = runner.invoke(cli, ["export", str(tmp_path / "out" / "photo.json")])
    assert result.exit_code == ExitCode.BAD_INPUT
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"bilingual: error: {asset}: {damage} (")
    assert "block b2 of" in lines[0] and "Traceback" not in result.output


def test_the_pictures_are_written_before_the_json_form_and_only_once(tmp_path: Path) -> None:
    document = read_document(picture_docx(tmp_path / "photo.docx", TRADITIONAL))
    outputs = render_outputs(document, tmp_path / "out", "photo", "json,md", None, [])
    names = [p.relative_to(tmp_path / "out").as_posix() for p, _ in outputs.files]
    (figure,) = [b.figure for b in document.blocks if b.figure is not None]
    assert names == [f"photo.assets/{figure.name}", "photo.md", "photo.json"]
    # written before: a later run leaves the file alone (its name is its content)
    (tmp_path / "out" / "photo.assets").mkdir(parents=True)
    (tmp_path / "out" / "photo.assets" / figure.name).write_bytes(document.assets[figure.name])
    outputs = render_outputs(document, tmp_path / "out", "photo", "json", None, [])
    assert [p.name for p, _ in outputs.files] == ["photo.json"]


def test_an_older_form_without_pictures_still_loads(tmp_path: Path) -> None:
    document = read_document(picture_docx(tmp_path / "photo.docx", TRADITIONAL))
    data = document.to_dict()
    data["version"] = 3
    data["blocks"] = [b for b in data["blocks"] if b["kind"] != "figure"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    old = load(path)
    assert old.form_version == 3 and old.assets == {} and not assets_folder(path).exists()


def test_a_figure_without_its_bytes_is_not_written(tmp_path: Path) -> None:
    document = read_document(picture_docx(tmp_path / "photo.docx", TRADITIONAL))
    document.assets = {}
    with pytest.raises(InputError, match="block b2: the bytes of the picture"):
        render_outputs(document, tmp_path, "photo", "json", None, [])


def test_the_assets_folder_never_holds_an_input(tmp_path: Path) -> None:
    inside = tmp_path / "out" / "press.assets"
    inside.mkdir(parents=True)
    (inside / "press.txt").write_text("外交部今天舉行記者會。\n", encoding="utf-8")
    args = ["translate", str(inside / "press.txt"), "-o", str(tmp_path / "out"), "--engine", "none"]
    result = runner.invoke(cli, args)
    assert result.exit_code == ExitCode.USAGE
    assert f"which holds the input {inside / 'press.txt'}" in result.output
