"""The lazy `"module:attribute"` lookup every registry shares."""

from __future__ import annotations

import pytest

from bilingual.cli import COMMANDS
from bilingual.exporters import EXPORTERS
from bilingual.importers import IMPORTERS
from bilingual.readers import EXTENSIONS, READERS, read
from bilingual.readers.text import TextReader
from bilingual.registry import load


def test_load_imports_the_module_and_returns_the_attribute() -> None:
    assert load("bilingual.readers.text:TextReader") is TextReader
    with pytest.raises(ModuleNotFoundError):
        load("bilingual.no_such_module:Thing")


@pytest.mark.parametrize(
    "target", [*READERS.values(), *EXPORTERS.values(), *IMPORTERS.values(), *COMMANDS.values()]
)
def test_every_registered_target_loads(target: str) -> None:
    assert callable(load(target))


def test_each_extension_names_a_registered_reader(tmp_path) -> None:
    assert set(EXTENSIONS.values()) <= set(READERS)
    # a file without an extension reads as text, in either script
    path = tmp_path / "README"
    path.write_text("简体中文的一段话。\n\n繁體中文的一段話。\n", encoding="utf-8")
    assert [b.text for b in read(path).blocks] == ["简体中文的一段话。", "繁體中文的一段話。"]
