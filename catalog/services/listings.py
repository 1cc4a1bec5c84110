"""The seller's rules for listings: create, edit, publish, pause, resume and delete.

Every status change a seller makes goes through transition(), which follows the
listing state machine in catalog.states (the seller's moves of its table).
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.holds import held_copies
from catalog.models import MAX_PRICE, MAX_QUANTITY, MIN_PRICE, SKU_MAX_LENGTH, Book, Listing, generate_sku
from catalog.services import photos as photo_service
from catalog.services.books import book_isbn, check_book_data, check_new_book, find_or_create_book
from catalog.signals import listing_offered
from catalog.states import Actor, IllegalTransition, ListingStateError, check_transition, ensure_editable

Status = Listing.Status

BOOK_FIELDS = ("isbn13", "title", "authors", "publisher", "year", "language", "binding", "category", "description")
LISTING_FIELDS = ("condition", "condition_notes", "price", "quantity")


def transition(listing: Listing, target: str) -> None:
    """Move listing to target in memory; the caller saves it inside its transaction.

    Sets published_at the first time the listing becomes active. Raises
    IllegalTransition when the table does not give the change to the seller,
    and ValidationError on "quantity" when a listing without stock would go live.
    """
    check_transition(listing, target, Actor.SELLER)
    if target == Status.ACTIVE:
        if listing.quantity < 1:
            raise ValidationError(
                {"quantity": _("Add at least one copy in stock before putting the listing on sale.")},
                code="no_stock",
            )
        if listing.published_at is None:
            listing.published_at = timezone.now()
    listing.status = target


def validate_listing_data(data: Mapping, *, publish: bool = False) -> None:
    """Check the copy's price and quantity against the shop's limits.

    The forms check the same limits; this guards every other caller. Raises
    ValidationError keyed by field name.
    """
    errors: dict[str, str] = {}
    quantity = data.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Enter a whole number of copies from 0 to %(max)s.") % {"max": MAX_QUANTITY}
    elif publish and quantity < 1:
        errors["quantity"] = _("Add at least one copy in stock before putting the listing on sale.")
    price = data.get("price")
    if not isinstance(price, Decimal) or not price.is_finite() or not MIN_PRICE <= price <= MAX_PRICE:
        errors["price"] = _("Enter a price from %(min)s to %(max)s.") % {"min": MIN_PRICE, "max": MAX_PRICE}
    if errors:
        raise ValidationError(errors)


def clean_sku(seller_id: int, sku: str | None, *, listing: Listing | None = None) -> str:
    """The seller's stock code for a listing: ``sku`` stripped, or a new one when empty (keeping ``listing``'s own).

    Raises ValidationError {"sku": ...} when the code is malformed or another of the seller's listings has it.
    """
    sku = (sku or "").strip()
    if not sku:
        return listing.sku if listing is not None else generate_sku()
    field = Listing._meta.get_field("sku")
    try:
        field.run_validators(sku)
        if len(sku) > SKU_MAX_LENGTH:
            raise ValidationError(
                _("Keep the SKU under %(max)d characters.") % {"max": SKU_MAX_LENGTH}, code="max_length"
            )
    except ValidationError as exc:
        raise ValidationError({"sku": exc.messages}) from exc
    taken = Listing.objects.filter(seller_id=seller_id, sku=sku)
    if listing is not None:
        taken = taken.exclude(pk=listing.pk)
    if taken.exists():
        raise ValidationError({"sku": _("Another of your listings has this SKU.")}, code="sku_taken")
    return sku


def create_listing(
    seller: User,
    book_data: Mapping,
    listing_data: Mapping,
    photos: Sequence[UploadedFile] = (),
    *,
    publish: bool,
) -> Listing:
    """Create a listing of the seller's copy, as a draft or published, with its photos.

    When book_data's ISBN-13 is already in the catalog that Book is reused and
    only its empty publisher, year and description are filled in; otherwise a
    new Book is created. Photos are validated and stored before the transaction
    and removed from storage again if the database write fails.

    Raises PermissionDenied when the seller has no shop, and ValidationError
    keyed by field name for bad data or a bad photo; nothing is saved then.
    """
    if not hasattr(seller, "shop"):
        raise PermissionDenied(_("Open a shop before listing books."))
    validate_listing_data(listing_data, publish=publish)
    check_book_data(book_data)
    sku = clean_sku(seller.pk, listing_data.get("sku"))
    photo_service.check_photo_limit(0, len(photos))
    stored = photo_service.store_photos(photo_service.prepare_photos(photos), renditions=True)
    try:
        with transaction.atomic():
            book = find_or_create_book(book_data)
            listing = Listing(seller=seller, book=book, status=Status.DRAFT, sku=sku)
            for name in LISTING_FIELDS:
                setattr(listing, name, listing_data[name] if name != "condition_notes" else listing_data.get(name, ""))
            if publish:
                transition(listing, Status.ACTIVE)
            _save_with_sku(listing)
            photo_service.attach_photos(listing, stored)
            if listing.status == Status.ACTIVE:
                refresh_book_stats([listing.book_id])
                catalog_changed()
                listing_offered.send(sender=Listing, listing=listing)
    except BaseException:
        photo_service.discard_files(stored_name for photo in stored for stored_name in photo.names)
        raise
    return listing


def publish_listing(listing: Listing) -> Listing:
    """Put a draft listing on sale (draft → active).

    Raises IllegalTransition for any other status and ValidationError when it has no stock.
    """
    return _change_status(listing, Status.ACTIVE, allowed_from=(Status.DRAFT,))


def pause_listing(listing: Listing) -> Listing:
    """Take an active listing off sale for a while (active → paused). Raises IllegalTransition otherwise."""
    return _change_status(listing, Status.PAUSED)


def resume_listing(listing: Listing) -> Listing:
    """Put a paused listing back on sale (paused → active).

    Raises IllegalTransition for any other status (a listing hidden by staff
    stays hidden) and ValidationError when it has no stock.
    """
    return _change_status(listing, Status.ACTIVE, allowed_from=(Status.PAUSED,))


def _change_status(listing: Listing, target: str, allowed_from: Sequence[str] | None = None) -> Listing:
    with transaction.atomic():
        listing.refresh_from_db(from_queryset=Listing.objects.select_for_update())
        if allowed_from is not None and listing.status not in allowed_from:
            raise IllegalTransition(listing, target, Actor.SELLER)
        transition(listing, target)
        listing.save(update_fields=["status", "published_at", "updated_at"])
        refresh_book_stats([listing.book_id])
        catalog_changed()
        if target == Status.ACTIVE:
            listing_offered.send(sender=Listing, listing=listing)
    return listing


def update_listing(
    listing: Listing,
    listing_data: Mapping,
    book_data: Mapping | None = None,
    *,
    publish: bool = False,
) -> Listing:
    """Save the seller's changes to a listing and, when given, to its book; publish a draft if asked.

    book_data may change the book only while no other seller lists it; its ISBN
    must not belong to another book. Raises ListingStateError for an archived
    listing, ValidationError keyed by field name for bad data (including a book
    that became shared meanwhile), IllegalTransition when publish is asked of a
    listing that is not a draft.
    """
    validate_listing_data(listing_data, publish=publish)
    with transaction.atomic():
        listing.refresh_from_db(from_queryset=Listing.objects.select_for_update())
        ensure_editable(listing)
        before = (listing.status, listing.price, listing.quantity)
        listing.sku = clean_sku(listing.seller_id, listing_data.get("sku"), listing=listing)
        if book_data is not None:
            _update_book(listing, book_data)
        for name in LISTING_FIELDS:
            setattr(listing, name, listing_data[name] if name != "condition_notes" else listing_data.get(name, ""))
        if publish:
            if listing.status != Status.DRAFT:
                raise IllegalTransition(listing, Status.ACTIVE, Actor.SELLER)
            transition(listing, Status.ACTIVE)
        _save_with_sku(listing)
        if Status.ACTIVE in (before[0], listing.status) or book_data is not None:
            refresh_book_stats([listing.book_id])  # its price, stock or book may be what the books view shows
        if listing.status == Status.ACTIVE:
            catalog_changed()
            status, price, quantity = before
            if status != Status.ACTIVE or price != listing.price or (quantity == 0 and listing.quantity > 0):
                listing_offered.send(sender=Listing, listing=listing)
    return listing


def _save_with_sku(listing: Listing) -> None:
    """Save; the same SKU saved by the seller's other tab or import meanwhile is a field error, not a 500."""
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        if not Listing.objects.filter(seller_id=listing.seller_id, sku=listing.sku).exclude(pk=listing.pk).exists():
            raise
        raise ValidationError({"sku": _("Another of your listings has this SKU.")}, code="sku_taken") from exc


def _update_book(listing: Listing, book_data: Mapping) -> None:
    book = Book.objects.select_for_update().get(pk=listing.book_id)
    if Listing.objects.filter(book=book).exclude(seller_id=listing.seller_id).exists():
        raise ValidationError(
            _("Another seller lists this book now, so its details can no longer be changed here."), code="shared"
        )
    values = {name: book_data.get(name) for name in BOOK_FIELDS if name in book_data}
    check_new_book(values)
    values["isbn13"] = book_isbn(book_data)
    if values["isbn13"] and Book.objects.filter(isbn13=values["isbn13"]).exclude(pk=book.pk).exists():
        raise ValidationError(
            {"isbn": _("Another book in the catalog has this ISBN. Create a new listing to sell that book.")},
            code="isbn_taken",
        )
    for name, value in values.items():
        setattr(book, name, value)
    book.save()
    listing.book = book


def delete_listing(listing: Listing) -> bool:
    """Remove a listing the seller no longer offers; return True if deleted, False if archived instead.

    A listing that ever sold, that staff hid (its reports stay for them) or
    that an order still refers to is archived, never deleted. A deleted
    listing's photo files are removed from storage after the commit. Raises
    IllegalTransition for a listing that is already archived, and
    ListingStateError while an unpaid order holds some of its copies (they
    would come back to a listing that can never be sold again: catalog.holds).
    """
    with transaction.atomic():
        listing.refresh_from_db(from_queryset=Listing.objects.select_for_update())
        # The table's rule for retiring a listing holds whether it ends up deleted or archived.
        check_transition(listing, Status.ARCHIVED, Actor.SELLER)
        if held_copies([listing.pk]):
            raise ListingStateError(
                _(
                    "Some copies of this listing are in an order awaiting payment. Pause the listing now and "
                    "delete it once the order is paid or has expired."
                )
            )
        was_active = listing.status == Status.ACTIVE
        if was_active:
            catalog_changed()
        if listing.units_sold == 0 and listing.status != Status.HIDDEN:
            names = [name for photo in listing.photos.all() for name in photo_service.photo_files(photo)]
            try:
                with transaction.atomic():
                    listing.delete()
            except ProtectedError:
                pass  # an order line still points at it: keep it, archived
            else:
                if was_active:
                    refresh_book_stats([listing.book_id])
                transaction.on_commit(lambda: photo_service.discard_files(names))
                return True
        transition(listing, Status.ARCHIVED)
        listing.save(update_fields=["status", "updated_at"])
        if was_active:
            refresh_book_stats([listing.book_id])
    return False
