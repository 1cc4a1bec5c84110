"""ISBN handling: accept ISBN-10 or ISBN-13, with or without hyphens; store ISBN-13."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError


def normalize_isbn(value: str) -> str:
    """Return the 13-digit form of a valid ISBN-10 or ISBN-13.

    Raises django.core.exceptions.ValidationError with a message a seller can
    act on when the value is not an ISBN or its check digit is wrong.
    """
    raw = (value or "").strip()
    try:
        compact = stdnum_isbn.validate(raw)
    except StdnumError as exc:
        if any(ch.isdigit() for ch in raw) and len(stdnum_isbn.compact(raw)) in (10, 13):
            raise ValidationError(
                _("This ISBN's check digit is wrong; please check the number."), code="isbn_checksum"
            ) from exc
        raise ValidationError(_("Enter a valid ISBN-10 or ISBN-13."), code="isbn_invalid") from exc
    return stdnum_isbn.to_isbn13(compact)


def try_normalize_isbn(value: str) -> str | None:
    """The ISBN-13 for value, or None when value is not a valid ISBN."""
    try:
        return normalize_isbn(value)
    except ValidationError:
        return None


def format_isbn(isbn13: str) -> str:
    """ISBN-13 with hyphens where the registration groups are known."""
    try:
        return stdnum_isbn.format(isbn13)
    except StdnumError:
        return isbn13
