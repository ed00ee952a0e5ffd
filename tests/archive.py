"""A synthetic archive of news articles, for batch tests and `benchmarks/batch.py`.

Sentences are drawn from the Chinese characters of the real model's vocabulary (shipped in
`tests/data/argos-zh_en/`), so that the tokenizer sees what it would see in real text: articles
of realistic shape (a title, a byline, headings, 20-40 sentences of 15-80 characters) with a
share of sentences repeated across articles (stock phrases, boilerplate), and optionally
glossary terms sprinkled in. The same seed always gives the same archive.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from tests.standin import TOKENIZER_DIR, vocabulary

PUNCTUATION = "，，，、"


def _characters(tokenizer_dir: Path = TOKENIZER_DIR) -> list[str]:
    chars = []
    for token in vocabulary(tokenizer_dir):
        piece = token.replace("\u2581", "")
        if len(piece) == 1 and "\u4e00" <= piece <= "\u9fff":
            chars.append(piece)
    return chars


class ArchiveWriter:
    """Writes articles; `repeated` of the sentences come from a shared pool of stock phrases."""

    def __init__(
        self,
        seed: int = 13,
        *,
        repeated: float = 0.1,
        terms: Sequence[str] = (),
        sentences: tuple[int, int] = (20, 40),
        length: tuple[int, int] = (15, 80),
    ) -> None:
        self.random = random.Random(seed)
        self.sentences, self.length = sentences, length
        self.characters = _characters()
        self.repeated = repeated
        self.terms = list(terms)
        self.pool = [self.sentence(fresh=True) for _ in range(40)]

    def sentence(self, fresh: bool = False) -> str:
        if not fresh and self.random.random() < self.repeated:
            return self.random.choice(self.pool)
        length = self.random.randint(*self.length)
        text = []
        while len("".join(text)) < length:
            if self.terms and self.random.random() < 0.04:
                text.append(self.random.choice(self.terms))
            else:
                text.append(
                    "".join(self.random.choices(self.characters, k=self.random.randint(2, 9)))
                )
            text.append(self.random.choice(PUNCTUATION) if self.random.random() < 0.3 else "")
        return "".join(text).rstrip("，、") + "。"

    def article(self) -> str:
        rnd = self.random
        title = "".join(rnd.choices(self.characters, k=rnd.randint(8, 16)))
        byline = "記者" + "".join(rnd.choices(self.characters, k=3)) + "／台北報導"
        blocks = [title, byline]
        sentences = rnd.randint(*self.sentences)
        while sentences > 0:
            if len(blocks) > 2 and rnd.random() < 0.2:
                blocks.append("".join(rnd.choices(self.characters, k=rnd.randint(5, 10))))
            count = min(sentences, rnd.randint(2, 5))
            blocks.append("".join(self.sentence() for _ in range(count)))
            sentences -= count
        return "\n\n".join(blocks) + "\n"


def make_archive(
    folder: Path,
    count: int,
    *,
    seed: int = 13,
    repeated: float = 0.1,
    terms: Sequence[str] = (),
    per_folder: int = 0,
    sentences: tuple[int, int] = (20, 40),
    length: tuple[int, int] = (15, 80),
) -> list[Path]:
    """`count` articles as UTF-8 .txt files in `folder` (in subfolders of `per_folder` each when
    given); the paths, in order."""
    writer = ArchiveWriter(seed, repeated=repeated, terms=terms, sentences=sentences, length=length)
    paths = []
    for n in range(count):
        where = folder / f"part-{n // per_folder:03d}" if per_folder else folder
        where.mkdir(parents=True, exist_ok=True)
        path = where / f"article-{n:05d}.txt"
        path.write_text(writer.article(), encoding="utf-8")
        paths.append(path)
    return paths
