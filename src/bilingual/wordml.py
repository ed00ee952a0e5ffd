"""WordprocessingML as the DOCX reader and the DOCX importer both read it: the namespaces, and
the one rule of which subtrees hold text that Word does not show as the document's text."""

from __future__ import annotations

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Deleted and moved-away revisions (changes are read as accepted), and the Fallback of an
# mc:AlternateContent: Word writes a text box twice, as its Choice (a drawing) and again as its
# Fallback (VML, for older readers), and shows the Choice only.
NOT_SHOWN = frozenset({w("del"), w("moveFrom"), f"{{{MC}}}Fallback"})
