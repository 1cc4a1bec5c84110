"""A visitor's search text as words, and which of them InnoDB's full-text index can find."""

import re
import unicodedata

# Letters and digits only: this drops MySQL's boolean operators (+ - < > ( ) ~ * " @)
# and quotes, so nothing the user types can change the meaning of the MATCH query.
WORD_RE = re.compile(r"[^\W_]+")
MAX_WORDS = 10
# InnoDB's full-text index skips words shorter than innodb_ft_min_token_size or longer
# than innodb_ft_max_token_size, and its default stopwords. Requiring such a word with
# "+" in BOOLEAN MODE makes MATCH find nothing ("+the* +rose*" misses "The Name of the
# Rose"), so those words are checked with LIKE on the rows the index found instead.
FT_MIN_TOKEN = 3
FT_MAX_TOKEN = 84
# fmt: off
INNODB_STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is",
    "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who", "will",
    "with", "und", "www",
})
# fmt: on
# The book's columns in the FULLTEXT index (migration 0002), in its order.
BOOK_SEARCH_FIELDS = ("title", "authors", "description")


def search_words(q: str) -> list[str]:
    """The distinct words of a query, lower-cased, operators and quotes removed, at most MAX_WORDS."""
    words: list[str] = []
    # Composed first: typed as "a" plus a combining accent, "Márquez" would otherwise split at the accent.
    for word in WORD_RE.findall(unicodedata.normalize("NFC", q).lower()):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def is_indexable(word: str) -> bool:
    """Whether InnoDB's full-text index holds this word (length and default stopwords)."""
    return FT_MIN_TOKEN <= len(word) <= FT_MAX_TOKEN and word not in INNODB_STOPWORDS


def boolean_mode_query(words: list[str]) -> str:
    """A BOOLEAN MODE search string requiring every word; words of 3+ characters match as prefixes."""
    return " ".join(f"+{word}*" if len(word) >= FT_MIN_TOKEN else f"+{word}" for word in words)
