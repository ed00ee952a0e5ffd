"""Sphinx settings for the bilingual manual (`sphinx-build -W -b html docs docs/_build/html`)."""

project = "bilingual"
author = "the bilingual authors"
copyright = "2026, the bilingual authors"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# `[text](page.md#a-heading)` links resolve to headings up to this depth; a broken one is a
# warning, and `-W` makes it an error.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

html_theme = "alabaster"
html_title = "bilingual"
