"""The words a want, a saved search and a listing are compared by: lower-cased, accents folded, each once."""

import unicodedata

from catalog.folding import fold
from catalog.search.words import INNODB_STOPWORDS, WORD_RE

MAX_WORDS = 12


def text_words(text: str) -> list[str]:
    """The distinct folded words of ``text``, in order: "García Márquez" → ["garcia", "marquez"]."""
    words: list[str] = []
    for word in WORD_RE.findall(unicodedata.normalize("NFC", text or "")):
        folded = fold(word)
        if folded and folded not in words:
            words.append(folded)
    return words


def key_word(words: list[str]) -> str:
    """The word a want is found by: the longest (rarest, as a rule) that is not a stopword, if any."""
    if not words:
        return ""
    useful = [word for word in words if word not in INNODB_STOPWORDS] or words
    return sorted(useful, key=lambda word: (-len(word), word))[0][:84]
