"""Accent- and case-insensitive text matching on every database: "marquez" finds "García Márquez".

MySQL/MariaDB compare text under the utf8mb4_unicode_ci collation, which already ignores case and accents, so there
the ``unaccent_icontains`` lookup compiles to exactly the SQL of ``icontains`` (same plans, same indexes). SQLite's
LIKE only ignores the case of ASCII letters, so there the lookup compares both sides folded by ``fold()``: the
column through a deterministic SQL function registered on each new connection, the searched text in Python.

Use it in filters (``title__unaccent_icontains=word``) and in the admin's ``search_fields``.
"""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.lookups import IContains
from django.dispatch import receiver

FOLD_FUNCTION = "bookstore_fold"

# Letters that carry their mark in the glyph itself, so Unicode decomposition leaves them as they are; the
# unicode_ci collation takes them for the plain letter, and so must SQLite.
_UNDECOMPOSABLE = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "\u0131": "i", "æ": "ae", "œ": "oe"})


def fold(text: str | None) -> str | None:
    """The text lower-cased (case-folded) and without accents: "García MÁRQUEZ" → "garcia marquez"."""
    if text is None:
        return None
    if text.isascii():  # no accent to take off (most titles): the same result, many times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_UNDECOMPOSABLE)


class UnaccentIContains(IContains):
    """``field__unaccent_icontains=text``: the field contains text, ignoring case and accents, on every database.

    Registered under the name unaccent_icontains while its lookup_name stays "icontains": Django picks the SQL
    operator and the column cast by lookup_name, so on MySQL/MariaDB this is icontains itself.
    """

    def get_db_prep_lookup(self, value, connection):
        if connection.vendor == "sqlite" and isinstance(value, str):
            value = fold(value)  # before LIKE's wildcards are escaped, so folding can never create one
        return super().get_db_prep_lookup(value, connection)

    def as_sqlite(self, compiler, connection):
        lhs_sql, params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{FOLD_FUNCTION}({lhs_sql}) {self.get_rhs_op(connection, rhs_sql)}", [*params, *rhs_params]


CharField.register_lookup(UnaccentIContains, lookup_name="unaccent_icontains")
TextField.register_lookup(UnaccentIContains, lookup_name="unaccent_icontains")


@receiver(connection_created, dispatch_uid="catalog.register_fold_function")
def register_fold_function(sender, connection, **kwargs):
    """Give every new SQLite connection the fold() function the lookup calls (deterministic: same text, same
    result, so SQLite may use it wherever it likes)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
