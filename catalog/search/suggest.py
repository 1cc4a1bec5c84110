"""Search helpers that need no external service: suggestions as you type, and "did you mean" for a search with
no result.

Both read one cached list: the titles and authors of the books on sale (at most VOCABULARY_BOOKS of them, the most
recently listed first), built in one query and kept VOCABULARY_SECONDS in the shared cache. A request then costs no
query. "Did you mean" compares each searched word missing from the list's words with the words of about the same
length by difflib's ratio (a misspelling is a word the FULLTEXT index cannot find at all: its BOOLEAN MODE has no
fuzzy match, and SQLite has no trigram index), so its cost is bounded by the list, not by the catalog.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

from catalog.folding import fold
from catalog.models import BookStats
from catalog.search.words import search_words

logger = logging.getLogger(__name__)

VOCABULARY_KEY = "catalog:suggest:vocabulary:v1"
VOCABULARY_SECONDS = 600
# How long a process uses its own copy of the list before reading the shared one again.
VOCABULARY_LOCAL_SECONDS = 60
VOCABULARY_BOOKS = 20_000
SUGGEST_KEY = "catalog:suggest:q:v1:{}"
SUGGEST_SECONDS = 300
SUGGEST_MIN = 2
SUGGEST_MAX = 100
SUGGEST_LIMIT = 8
# How close a word must be to count as the one meant (difflib's ratio: 1 is identical).
CUTOFF = 0.75


@dataclass(frozen=True)
class Vocabulary:
    titles: tuple[str, ...]
    authors: tuple[str, ...]
    words: frozenset[str]  # folded words of the titles and authors

    def words_near(self, length: int) -> list[str]:
        return [word for word in self.words if abs(len(word) - length) <= 2]


def _build() -> Vocabulary:
    # The books on sale are the books with figures (BookStats, kept in step with every listing): read newest first
    # by the figures' primary key, the query stops at VOCABULARY_BOOKS. Asked of the visible listings instead, it
    # read every listing of the catalog: 0.5 s at 1,000,000 listings, 35 ms this way.
    books = BookStats.objects.order_by("-book_id").values_list("book__title", "book__authors")[:VOCABULARY_BOOKS]
    titles, authors, words = {}, {}, set()
    for title, author_text in books:
        titles.setdefault(fold(title), title)
        for author in author_text.split(","):
            if author.strip():
                authors.setdefault(fold(author.strip()), author.strip())
        words.update(word for word in search_words(fold(f"{title} {author_text}")) if len(word) >= 3)
    return Vocabulary(tuple(titles.values()), tuple(authors.values()), frozenset(words))


# This process's copy of the shared list, and until when it is used without asking the cache (time.monotonic()):
# the list is a few hundred kilobytes, which every search without a result and every suggestion would otherwise
# fetch and unpickle again.
_local: tuple[float, Vocabulary] | None = None


def vocabulary() -> Vocabulary:
    """The cached titles, authors and words of the books on sale (one query when the cache lacks them)."""
    global _local
    now = time.monotonic()
    local = _local
    if local is not None and local[0] > now:
        return local[1]
    try:
        found = cache.get(VOCABULARY_KEY)
    except Exception:
        logger.exception("The cache is unavailable; reading the search vocabulary from the database.")
        found = None
    if found is None:
        found = _build()
        with contextlib.suppress(Exception):
            cache.set(VOCABULARY_KEY, found, VOCABULARY_SECONDS)
    _local = (now + VOCABULARY_LOCAL_SECONDS, found)
    return found


def forget_local_vocabulary() -> None:
    """Drop this process's copy (tests that change the books on sale and want the next request to see it)."""
    global _local
    _local = None


def did_you_mean(q: str) -> str | None:
    """The search with its unknown words replaced by the closest known title or author word, or None."""
    words = search_words(fold(q) or "")
    if not words:
        return None
    known = vocabulary()
    changed, result = False, []
    for word in words:
        if word in known.words or len(word) < 3 or word.isdigit():
            result.append(word)
            continue
        close = difflib.get_close_matches(word, known.words_near(len(word)), n=1, cutoff=CUTOFF)
        if close:
            changed = True
            result.append(close[0])
        else:
            result.append(word)
    return " ".join(result) if changed else None


def suggestions(q: str) -> list[dict]:
    """Up to SUGGEST_LIMIT titles and authors with a word starting with what was typed, titles first (cached)."""
    folded = " ".join((fold(q) or "").split())
    key = SUGGEST_KEY.format(hashlib.sha1(folded.encode(), usedforsecurity=False).hexdigest())
    with contextlib.suppress(Exception):
        found = cache.get(key)
        if found is not None:
            return found
    found = []
    for kind, values in (("title", vocabulary().titles), ("author", vocabulary().authors)):
        for value in values:
            text = fold(value)
            if text.startswith(folded) or f" {folded}" in f" {text}":
                found.append({"kind": kind, "text": value})
                if len(found) >= SUGGEST_LIMIT:
                    break
        if len(found) >= SUGGEST_LIMIT:
            break
    with contextlib.suppress(Exception):
        cache.set(key, found, SUGGEST_SECONDS)
    return found
