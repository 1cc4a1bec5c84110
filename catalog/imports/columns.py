"""The columns of a seller's listings file and how each cell is read: human-friendly values in, clean values out.

Every cell is read here without the database (except the shelves, read once per file into a Vocabulary). A bad
cell gives a RowError naming its line, its column and a reason the seller can act on; the rules that need the
seller's listings or the catalog's books (an unknown ISBN needs a title, a status change must be allowed) are
checked per batch in catalog.imports.planning.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.folding import fold
from catalog.models import MAX_PRICE, MAX_QUANTITY, MIN_PRICE, SKU_MAX_LENGTH, SKU_PATTERN, Book, Category, Listing

COLUMNS = (
    "sku",
    "isbn",
    "title",
    "author",
    "condition",
    "price",
    "quantity",
    "notes",
    "language",
    "binding",
    "category",
    "status",
)
REQUIRED_COLUMNS = ("sku", "condition", "price", "quantity")
# Headings a Spanish spreadsheet may carry (compared folded: no case, no accents).
HEADER_ALIASES = {
    "authors": "author",
    "autor": "author",
    "autores": "author",
    "titulo": "title",
    "condicion": "condition",
    "precio": "price",
    "cantidad": "quantity",
    "notas": "notes",
    "idioma": "language",
    "encuadernacion": "binding",
    "categoria": "category",
    "estado": "status",
    "referencia": "sku",
}
NOTES_MAX_LENGTH = Listing._meta.get_field("condition_notes").max_length
# Statuses a seller may write; hidden and archived are accepted only where the listing already has them.
SELLER_STATUSES = (Listing.Status.DRAFT, Listing.Status.ACTIVE, Listing.Status.PAUSED)
_SKU_RE = re.compile(SKU_PATTERN)
# Translated only when a row needs one (a file has thousands of good rows).
UNKNOWN = {
    "condition": gettext_lazy("Unknown condition “%(value)s”."),
    "language": gettext_lazy("Unknown language “%(value)s”."),
    "binding": gettext_lazy("Unknown binding “%(value)s”."),
    "category": gettext_lazy("Unknown category “%(value)s”."),
    "status": gettext_lazy("Unknown status “%(value)s”."),
}
_PRICE_RE = re.compile(r"^\d+([.,]\d+)?$")
_CURRENCY_MARKS = re.compile(r"[\s$€£\u00a0]|^(COP|USD|EUR)|(COP|USD|EUR)$", re.IGNORECASE)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ParsedRow:
    """One data row read from the file; ``status`` is None when the cell is empty (keep the listing's)."""

    line: int
    sku: str
    isbn: str
    title: str
    authors: str
    condition: str | None
    price: Decimal | None
    quantity: int | None
    notes: str
    language: str | None
    binding: str | None
    category: Category | None
    status: str | None
    raw: dict[str, str] = field(default_factory=dict, repr=False)

    def book_data(self) -> dict[str, Any]:
        """The row's book, as catalog.services.books expects it."""
        return {
            "isbn": self.isbn,
            "title": self.title,
            "authors": self.authors,
            "language": self.language or Book.Language.ENGLISH,
            "binding": self.binding or Book.Binding.PAPERBACK,
            "category": self.category,
        }


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    # A file repeats the same few words (conditions, shelves) thousands of times.
    return re.sub(r"[\s_\-]+", " ", fold(str(text)).strip())


def _names(choices, *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded code, English label and Spanish label → code."""
    names: dict[str, str] = {}
    for value, label in choices:
        names[_key(value)] = value
        for language in ("en", "es"):
            with translation.override(language):
                names[_key(str(label))] = value
    for alias, value in (extra or {}).items():
        names[_key(alias)] = value
    return names


class Vocabulary:
    """The words a file may use for conditions, languages, bindings, statuses and shelves (built once per file)."""

    def __init__(self) -> None:
        self.conditions = _names(Listing.Condition.choices)
        self.languages = _names(Book.Language.choices)
        self.bindings = _names(Book.Binding.choices)
        # The labels are feminine ("publicación activa"); a seller may well write the masculine.
        self.statuses = _names(
            Listing.Status.choices,
            extra={"activo": Listing.Status.ACTIVE, "pausado": Listing.Status.PAUSED, "oculto": Listing.Status.HIDDEN},
        )
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            for name in (category.slug, category.name_en, getattr(category, "name_es", None)):
                if name:
                    self.categories.setdefault(_key(name), category)


def header_map(headers: list[Any]) -> tuple[dict[int, str], list[str]]:
    """Which column index holds which of our columns, and the names of the required columns missing."""
    found: dict[int, str] = {}
    for index, heading in enumerate(headers):
        name = _key(heading or "")
        name = HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in found.values():
            found[index] = name
    missing = [name for name in REQUIRED_COLUMNS if name not in found.values()]
    return found, missing


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets give numbers (an ISBN, a price 12.5, a quantity 3.0) as numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def parse_price(text: str) -> Decimal:
    """ "12.50", "12,50", "$ 12.50", "1.234,50" or "1,234.50" → Decimal; raises ValueError with the reason."""
    cleaned = _CURRENCY_MARKS.sub("", text)
    if "," in cleaned and "." in cleaned:
        # The later mark is the decimal one; the other groups thousands.
        thousands = "," if cleaned.rfind(".") > cleaned.rfind(",") else "."
        cleaned = cleaned.replace(thousands, "")
    if cleaned.startswith("-"):
        raise ValueError(_("The price cannot be negative."))
    if not _PRICE_RE.match(cleaned):
        raise ValueError(_("This is not a price: write it like 12.50 or 12,50."))
    try:
        price = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above lets only numbers through
        raise ValueError(_("This is not a price: write it like 12.50 or 12,50.")) from None
    # The range first: quantize() cannot hold a price of 28 digits or more (InvalidOperation).
    if not MIN_PRICE <= price <= MAX_PRICE:
        raise ValueError(_("Enter a price from %(min)s to %(max)s.") % {"min": MIN_PRICE, "max": MAX_PRICE})
    if price != price.quantize(Decimal("0.01")):
        raise ValueError(_("A price has at most two decimals."))
    return price.quantize(Decimal("0.01"))


def parse_quantity(text: str) -> int:
    cleaned = text.strip()
    if re.fullmatch(r"-\s*\d+([.,]0+)?", cleaned):
        raise ValueError(_("The quantity cannot be negative."))
    if not re.fullmatch(r"\d+([.,]0+)?", cleaned):
        raise ValueError(_("Write the quantity as a whole number of copies."))
    quantity = int(re.split(r"[.,]", cleaned)[0])
    if quantity > MAX_QUANTITY:
        raise ValueError(_("Enter a whole number of copies from 0 to %(max)s.") % {"max": MAX_QUANTITY})
    return quantity


def parse_row(line: int, cells: dict[str, str], vocabulary: Vocabulary) -> ParsedRow | list[RowError]:
    """Read one data row; return the ParsedRow, or every RowError it has (one per bad cell)."""
    errors: list[RowError] = []

    def refuse(column: str, message: str) -> None:
        errors.append(RowError(line, column, cells.get(column, ""), message))

    def choice(column: str, names: dict[str, str]) -> str | None:
        text = cells.get(column, "")
        if not text:
            return None
        value = names.get(_key(text))
        if value is None:
            refuse(column, str(UNKNOWN[column]) % {"value": text})
        return value

    sku = cells.get("sku", "")
    if not sku:
        refuse("sku", _("Every row needs a SKU, so that uploading the file again updates the same listing."))
    elif len(sku) > SKU_MAX_LENGTH:
        refuse("sku", _("Keep the SKU under %(max)d characters.") % {"max": SKU_MAX_LENGTH})
    elif not _SKU_RE.match(sku):
        refuse("sku", _("Use letters, digits and . _ - / only, starting with a letter or digit."))

    condition = choice("condition", vocabulary.conditions)
    if not cells.get("condition"):
        refuse("condition", _("Give the copy's condition (for example “Very Good” or “very_good”)."))

    price = None
    if not cells.get("price"):
        refuse("price", _("Give a price."))
    else:
        try:
            price = parse_price(cells["price"])
        except ValueError as exc:
            refuse("price", str(exc))

    quantity = None
    if not cells.get("quantity"):
        refuse("quantity", _("Give the number of copies in stock."))
    else:
        try:
            quantity = parse_quantity(cells["quantity"])
        except ValueError as exc:
            refuse("quantity", str(exc))

    notes = cells.get("notes", "")
    if len(notes) > NOTES_MAX_LENGTH:
        refuse("notes", _("Keep the notes under %(max)d characters.") % {"max": NOTES_MAX_LENGTH})

    language = choice("language", vocabulary.languages)
    binding = choice("binding", vocabulary.bindings)
    category = None
    if cells.get("category"):
        category = vocabulary.categories.get(_key(cells["category"]))
        if category is None:
            refuse("category", str(UNKNOWN["category"]) % {"value": cells["category"]})
    status = choice("status", vocabulary.statuses)

    if errors:
        return errors
    return ParsedRow(
        line=line,
        sku=sku,
        isbn=cells.get("isbn", ""),
        title=cells.get("title", ""),
        authors=cells.get("author", ""),
        condition=condition,
        price=price,
        quantity=quantity,
        notes=notes,
        language=language,
        binding=binding,
        category=category,
        status=status,
        raw=cells,
    )
