"""The help centre's articles by id, for the pages that answers cite (`[returns-policy]`).

Read from the folders the knowledge base is ingested from, so a page shows the article the
passages came from. An id is checked against the shape citations have before any file is
looked at: nothing outside the folders can be named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from switchboard.patterns.chunking import Article, parse_article

ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")  # what an answer's citation can name


class HelpCentre:
    def __init__(self, folders: Sequence[Path]) -> None:
        self._folders = folders

    def article(self, article_id: str) -> Article | None:
        """The article with this id, or None: unknown, or not an id at all."""
        if not ARTICLE_ID.fullmatch(article_id):
            return None
        for folder in self._folders:
            for path in sorted(folder.glob("*.md")):
                article = parse_article(path.read_text(encoding="utf-8"), path.stem)
                if article.id == article_id:
                    return article
        return None
