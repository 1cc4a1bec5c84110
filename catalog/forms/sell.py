"""Forms of the seller's pages: the listing form (book + copy), photo uploads, inventory filters."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from catalog.isbn import format_isbn, normalize_isbn, try_normalize_isbn
from catalog.models import MAX_PRICE, MAX_QUANTITY, MIN_PRICE, SKU_MAX_LENGTH, SKU_PATTERN, Book, Category, Listing
from catalog.selectors import find_book_by_isbn
from catalog.services.photos import check_photo_limit

BOOK_FIELD_NAMES = ("isbn", "title", "authors", "publisher", "year", "language", "binding", "category", "description")
COPY_FIELD_NAMES = ("sku", "condition", "condition_notes", "price", "quantity")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one <input type="file" multiple>; cleaned to a list (possibly empty)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> list:
        items = data if isinstance(data, list | tuple) else [data]
        uploads = [item for item in items if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        single_clean = super().clean
        return [single_clean(upload, initial) for upload in uploads]


def _limit_error(exc: ValidationError) -> ValidationError:
    """The "photos" part of a service's keyed error, for a clean_photos method."""
    return ValidationError(exc.error_dict["photos"])


def book_initial(book: Book) -> dict[str, Any]:
    """The listing form's book fields filled from a catalog book."""
    return {
        "isbn": format_isbn(book.isbn13) if book.isbn13 else "",
        "title": book.title,
        "authors": book.authors,
        "publisher": book.publisher,
        "year": book.year,
        "language": book.language,
        "binding": book.binding,
        "category": book.category_id,
        "description": book.description,
    }


def listing_initial(listing: Listing) -> dict[str, Any]:
    """The listing form filled from an existing listing and its book."""
    return {
        **book_initial(listing.book),
        "sku": listing.sku,
        "condition": listing.condition,
        "condition_notes": listing.condition_notes,
        "price": listing.price,
        "quantity": listing.quantity,
    }


class ListingForm(forms.Form):
    """The book (shared by every seller's copy) and the seller's copy of it, in one form.

    reuse_existing_book: on the "new listing" page an ISBN the catalog knows
    selects that book, so the book fields need not be filled in again.
    book_editable=False shows the book fields read-only (another seller lists
    the book). with_photos adds the photo upload field.
    """

    isbn = forms.CharField(
        label=_("ISBN"),
        required=False,
        max_length=20,
        help_text=_("ISBN-10 or ISBN-13, with or without hyphens. Leave empty for a book without one."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    authors = forms.CharField(label=_("Authors"), max_length=255, help_text=_("Separate several authors with commas."))
    publisher = forms.CharField(label=_("Publisher"), max_length=255, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1450, max_value=2100)
    language = forms.ChoiceField(label=_("Language"), choices=Book.Language.choices, initial=Book.Language.ENGLISH)
    binding = forms.ChoiceField(label=_("Binding"), choices=Book.Binding.choices, initial=Book.Binding.PAPERBACK)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Choose a category")
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sku = forms.CharField(
        label=_("SKU"),
        required=False,
        max_length=SKU_MAX_LENGTH,
        validators=[
            RegexValidator(SKU_PATTERN, _("Use letters, digits and . _ - / only, starting with a letter or digit."))
        ],
        help_text=_("Your own stock code for this copy, unique in your shop. Left empty, one is made for you."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[("", _("Choose a grade")), *Listing.Condition.choices]
    )
    condition_notes = forms.CharField(
        label=_("Condition notes"),
        max_length=2000,
        required=False,
        help_text=_("Markings, wear, missing dust jacket… what a buyer should know about this copy."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    price = forms.DecimalField(
        label=_("Price"),
        min_value=MIN_PRICE,
        max_value=MAX_PRICE,
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    quantity = forms.IntegerField(
        label=_("Copies in stock"),
        min_value=0,
        max_value=MAX_QUANTITY,
        initial=1,
        help_text=_("A listing on sale needs at least one copy."),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )

    def __init__(
        self,
        *args,
        reuse_existing_book: bool = True,
        book_editable: bool = True,
        with_photos: bool = True,
        read_only: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["price"].help_text = _("In %(currency)s, from %(min)s to %(max)s.") % {
            "currency": settings.CURRENCY,
            "min": number_format(MIN_PRICE, decimal_pos=2, use_l10n=True),
            "max": number_format(MAX_PRICE, decimal_pos=2, use_l10n=True, force_grouping=True),
        }
        if with_photos:
            self.fields["photos"].help_text = _(
                "Up to %(count)s photos: JPEG, PNG, WebP or GIF. The first one is the cover."
            ) % {"count": settings.PHOTOS_PER_LISTING}
        else:
            del self.fields["photos"]
        self.book_editable = book_editable and not read_only
        for name in self.fields:
            if read_only or (not book_editable and name in BOOK_FIELD_NAMES):
                self.fields[name].disabled = True
        self.existing_book: Book | None = None
        if reuse_existing_book and self.is_bound:
            self.existing_book = find_book_by_isbn(try_normalize_isbn(self.data.get("isbn", "")))
            if self.existing_book is not None:
                # The catalog's book is reused as it is: its fields need not be typed again.
                for name in ("title", "authors", "category"):
                    self.fields[name].required = False

    def clean_isbn(self) -> str:
        value = self.cleaned_data["isbn"].strip()
        return normalize_isbn(value) if value else ""

    def clean_photos(self) -> list:
        uploads = self.cleaned_data["photos"]
        try:
            check_photo_limit(0, len(uploads))
        except ValidationError as exc:
            raise _limit_error(exc) from exc
        return uploads

    @property
    def book_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in BOOK_FIELD_NAMES]

    @property
    def copy_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COPY_FIELD_NAMES]

    def book_data(self) -> dict[str, Any]:
        """The cleaned book fields, keyed as the listing services expect."""
        data = {name: self.cleaned_data.get(name) for name in BOOK_FIELD_NAMES if name != "isbn"}
        data["isbn13"] = self.cleaned_data.get("isbn") or None
        for name in ("publisher", "description"):
            data[name] = data[name] or ""
        return data

    def listing_data(self) -> dict[str, Any]:
        """The cleaned copy fields, keyed as the listing services expect."""
        return {name: self.cleaned_data[name] for name in COPY_FIELD_NAMES}


class PhotoUploadForm(forms.Form):
    """More photos for a listing that already has `existing` of them."""

    photos = MultipleImageField(label=_("Choose photos"), widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))

    def __init__(self, *args, existing: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.room = max(settings.PHOTOS_PER_LISTING - existing, 0)
        self.fields["photos"].help_text = _(
            "JPEG, PNG, WebP or GIF; %(room)s more of %(limit)s allowed. The first photo is the cover."
        ) % {"room": self.room, "limit": settings.PHOTOS_PER_LISTING}

    def clean_photos(self) -> list:
        uploads = self.cleaned_data["photos"]
        try:
            check_photo_limit(self.existing, len(uploads))
        except ValidationError as exc:
            raise _limit_error(exc) from exc
        return uploads


class PhotoMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Move earlier")), ("down", _("Move later"))])

    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
