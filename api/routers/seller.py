"""The seller's inventory and sales: the listing form, the listing, photo, import and shipment services, as JSON.

A listing or a sale of another seller answers 404, as on the site (``get_listing_for_seller``,
``get_shipment_for_seller``). Input is checked by the site's own forms (``ListingForm``, ``PhotoUploadForm``) and
services; the bulk upsert reads its items as the rows of a listings file (``catalog.services.imports``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from api.access import (
    PathId,
    created_at,
    form_error,
    invalid,
    require_confirmed_email,
    require_seller,
    validation_error,
)
from api.auth import AUTH
from api.errors import ApiError
from api.outputs import order_line_out
from api.pagination import paginate
from api.schemas import MoneyOut, ProblemOut
from api.schemas_seller import (
    BulkIn,
    BulkOut,
    DeletedOut,
    InventoryPageOut,
    ListingIn,
    ListingPatchIn,
    PhotoOut,
    SaleDetailOut,
    SalePageOut,
    SellerListingDetailOut,
    ShipIn,
)
from catalog.forms.sell import ListingForm, PhotoUploadForm, listing_initial
from catalog.models import Category, Listing
from catalog.selectors import (
    INVENTORY_SORTS,
    InventoryFilters,
    book_is_shared,
    get_listing_for_seller,
    inventory_listings,
    inventory_ordering,
)
from catalog.services import photos as photo_service
from catalog.services.listings import (
    create_listing,
    delete_listing,
    pause_listing,
    publish_listing,
    resume_listing,
    update_listing,
)
from catalog.services.upserts import upsert_listings
from orders.errors import ShipmentError
from orders.models import Shipment
from orders.services.shipments import get_shipment_for_seller, mark_shipped, seller_sales
from orders.states import ShipmentStatus
from shipping.models import Carrier

router = Router(tags=["sell"], auth=AUTH)

PROBLEMS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}
ListingStatus = Listing.Status
SORTS = tuple(f"{sign}{key}" for key in INVENTORY_SORTS for sign in ("", "-"))


# --- Output -----------------------------------------------------------------------------------------------------


def listing_out(listing: Listing) -> dict:
    """Needs ``listing.book`` and its category."""
    book = listing.book
    return {
        "id": listing.pk,
        "sku": listing.sku,
        "status": listing.status,
        "condition": listing.condition,
        "condition_notes": listing.condition_notes,
        "price": MoneyOut.of(listing.price),
        "quantity": listing.quantity,
        "units_sold": listing.units_sold,
        "book": {
            "id": book.pk,
            "isbn13": book.isbn13,
            "title": book.title,
            "authors": book.authors,
            "publisher": book.publisher,
            "year": book.year,
            "language": book.language,
            "binding": book.binding,
            "category": book.category.slug if book.category_id else None,
        },
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
        "published_at": listing.published_at,
    }


def photo_out(request: HttpRequest, photo) -> dict:
    return {
        "id": photo.pk,
        "url": request.build_absolute_uri(photo.image.url),
        "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url),
        "width": photo.width,
        "height": photo.height,
        "position": photo.position,
    }


def listing_detail_out(request: HttpRequest, listing: Listing) -> dict:
    photos = listing.photos.order_by("position", "id")
    return {**listing_out(listing), "photos": [photo_out(request, photo) for photo in photos]}


def _own_listing(request: HttpRequest, pk: int) -> Listing:
    return get_listing_for_seller(request.auth, pk)


# --- Inventory --------------------------------------------------------------------------------------------------


class InventoryQuery(Schema):
    q: str = Field("", max_length=200, description="Words of the title or authors, an ISBN, or the start of a SKU.")
    status: str = Field("all", description="all (every listing not archived) or one status.")
    condition: str = ""
    sort: str = Field(
        "-updated", description="A column (title, price, quantity, condition, status, updated), - first."
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/listings", response={200: InventoryPageOut, **PROBLEMS}, summary="Your inventory")
def inventory(request: HttpRequest, query: Query[InventoryQuery]):
    """Your listings with the inventory page's search, filters and sort; follow ``next`` as ``cursor``."""
    seller = require_seller(request, write=False)
    errors = {}
    if query.status != "all" and query.status not in ListingStatus.values:
        errors["status"] = [_("Choose all or one of: %(values)s.") % {"values": ", ".join(ListingStatus.values)}]
    if query.condition and query.condition not in Listing.Condition.values:
        errors["condition"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Listing.Condition.values)}]
    if query.sort not in SORTS:
        errors["sort"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(SORTS)}]
    if errors:
        raise ApiError(400, "Bad Request", _("The request has invalid fields."), errors=errors, code="invalid")
    filters = InventoryFilters(q=query.q.strip(), status=query.status, condition=query.condition, sort=query.sort)
    listings = inventory_listings(seller, filters)
    rows, next_cursor = paginate(
        request,
        listings,
        ordering=inventory_ordering(query.sort),
        limit=query.limit,
        cursor=query.cursor,
        tag=query.sort,
    )
    return {"items": [listing_out(listing) for listing in rows], "next": next_cursor}


# --- Bulk upsert (before /listings/{pk}, which would take "bulk" for an id) ------------------------------------


@router.post("/listings/bulk", response={200: BulkOut, **PROBLEMS}, summary="Create or update listings by SKU")
def bulk_upsert(request: HttpRequest, payload: BulkIn):
    """Up to 1,000 listings in one call, matched on your ``sku``: new SKUs are created, known ones updated in the
    fields that differ. The rules of a listings file (CSV import) apply to each item; a refused item leaves the
    others alone and its result says why (``errors``: field, value, message)."""
    seller = require_seller(request)
    require_confirmed_email(request)
    results = upsert_listings(seller, [item.dict() for item in payload.items])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
    out = []
    for result in results:
        counts[result.outcome] += 1
        out.append(
            {
                "index": result.line - 1,
                "sku": result.sku,
                "outcome": result.outcome,
                "listing_id": result.listing_id,
                "errors": [{"field": e.column, "value": e.value, "message": e.message} for e in result.errors],
            }
        )
    return {**counts, "results": out}


# --- One listing ------------------------------------------------------------------------------------------------


def _category_id(slug: str | None) -> Any:
    if not slug:
        return ""
    category = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if category is None:
        raise invalid({"category": [_("Unknown category.")]})
    return category


def _form_data(values: dict) -> dict:
    """Schema values as the form's POST data (text, an empty string for nothing)."""
    return {name: "" if value is None else str(value) for name, value in values.items()}


@router.post("/listings", response={201: SellerListingDetailOut, **PROBLEMS}, summary="Create a listing")
def create(request: HttpRequest, payload: ListingIn, response: HttpResponse):
    """List a copy of a book, as a draft or on sale (``publish``). 201 with its Location; 422 names bad fields."""
    seller = require_seller(request)
    require_confirmed_email(request)
    values = payload.dict()
    publish = values.pop("publish")
    values["category"] = _category_id(values["category"])
    form = ListingForm(_form_data(values), with_photos=False)
    if not form.is_valid():
        raise form_error(form)
    try:
        listing = create_listing(seller, form.book_data(), form.listing_data(), publish=publish)
    except ValidationError as exc:
        raise validation_error(exc) from None
    listing = get_listing_for_seller(seller, listing.pk)
    created_at(request, response, reverse("api-v1:sell_listing", kwargs={"pk": listing.pk}))
    return Status(201, listing_detail_out(request, listing))


@router.get(
    "/listings/{pk}", response={200: SellerListingDetailOut, **PROBLEMS}, url_name="sell_listing", summary="A listing"
)
def read_listing(request: HttpRequest, pk: PathId):
    """One of your listings with its photos (404 for anyone else's)."""
    require_seller(request, write=False)
    return listing_detail_out(request, _own_listing(request, pk))


@router.patch("/listings/{pk}", response={200: SellerListingDetailOut, **PROBLEMS}, summary="Change a listing")
def change(request: HttpRequest, pk: PathId, payload: ListingPatchIn):
    """Change the fields given; the book's only while no other seller lists it (its fields are ignored then).
    ``publish`` puts a draft on sale. 409 for an archived listing."""
    require_seller(request)
    listing = _own_listing(request, pk)
    if listing.status == ListingStatus.ARCHIVED:
        raise ApiError(409, "Conflict", _("This listing is archived and can no longer be changed."), code="archived")
    book_editable = not book_is_shared(listing)
    values = listing_initial(listing)
    changes = payload.dict(exclude_unset=True)
    publish = changes.pop("publish", False)
    if "category" in changes:
        changes["category"] = _category_id(changes["category"])
    values.update(changes)
    form = ListingForm(
        _form_data(values), reuse_existing_book=False, book_editable=book_editable, with_photos=False,
        initial=listing_initial(listing),
    )  # fmt: skip
    if not form.is_valid():
        raise form_error(form)
    try:
        update_listing(listing, form.listing_data(), form.book_data() if book_editable else None, publish=publish)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return listing_detail_out(request, _own_listing(request, pk))


def _status_change(request: HttpRequest, pk: int, action) -> dict:
    require_seller(request)
    listing = _own_listing(request, pk)
    try:
        action(listing)
    except ValidationError as exc:  # no copy in stock to go on sale
        raise ApiError(409, "Conflict", " ".join(exc.messages), code="no_stock") from None
    return listing_detail_out(request, _own_listing(request, pk))


@router.post("/listings/{pk}/pause", response={200: SellerListingDetailOut, **PROBLEMS}, summary="Pause")
def pause(request: HttpRequest, pk: PathId):
    """Take a listing off sale for a while (409 unless it is on sale)."""
    return _status_change(request, pk, pause_listing)


@router.post("/listings/{pk}/resume", response={200: SellerListingDetailOut, **PROBLEMS}, summary="Resume")
def resume(request: HttpRequest, pk: PathId):
    """Put a paused listing back on sale (409 unless paused, or without stock)."""
    return _status_change(request, pk, resume_listing)


@router.post("/listings/{pk}/publish", response={200: SellerListingDetailOut, **PROBLEMS}, summary="Publish")
def publish(request: HttpRequest, pk: PathId):
    """Put a draft on sale (409 unless a draft, or without stock)."""
    return _status_change(request, pk, publish_listing)


@router.delete("/listings/{pk}", response={200: DeletedOut, 204: None, **PROBLEMS}, summary="Delete a listing")
def delete(request: HttpRequest, pk: PathId):
    """Delete a listing: 204; one that sold or an order refers to is archived instead: 200 with ``archived``.
    409 while an unpaid order holds some of its copies (pause it), or when it is archived already."""
    require_seller(request)
    if delete_listing(_own_listing(request, pk)):
        return Status(204, None)
    return Status(200, {"deleted": False, "archived": True})


@router.post("/listings/{pk}/photos", response={201: list[PhotoOut], **PROBLEMS}, summary="Add photos")
def add_photos(request: HttpRequest, pk: PathId, response: HttpResponse, photos: File[list[UploadedFile]]):
    """Upload photos (multipart, field ``photos``, one or more files) after the listing's own; the first photo is
    the cover. Each is checked as on the site (an image of an accepted type, size and dimensions); if one is
    refused, none is kept (422)."""
    require_seller(request)
    listing = _own_listing(request, pk)
    form = PhotoUploadForm({}, {"photos": photos}, existing=listing.photos.count())
    if not form.is_valid():
        raise form_error(form)
    try:
        added = photo_service.add_photos(listing, form.cleaned_data["photos"])
    except ValidationError as exc:
        raise validation_error(exc) from None
    created_at(request, response, reverse("api-v1:sell_listing", kwargs={"pk": listing.pk}))
    return Status(201, [photo_out(request, photo) for photo in added])


# --- Sales ------------------------------------------------------------------------------------------------------


def sale_out(request: HttpRequest, shipment: Shipment, *, events: bool = False) -> dict:
    """Needs ``order``, ``order.buyer``, ``carrier`` and the prefetched ``lines`` (and ``events`` when asked)."""
    order = shipment.order
    out = {
        "id": shipment.pk,
        "order_number": order.number,
        "status": shipment.status,
        "created_at": shipment.created_at,
        "buyer": order.ship_full_name,
        "ship_to": order.shipping_address_lines,
        "carrier": shipment.carrier.name,
        "carrier_code": shipment.carrier.code,
        "tracking_number": shipment.tracking_number,
        "shipping_cost": MoneyOut.of(shipment.shipping_cost),
        "copies": shipment.item_count,
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "lines": [order_line_out(line) for line in shipment.lines.all()],
    }
    if events:
        out["events"] = [
            {
                "status": event.status,
                "description": event.display_description,
                "place": event.place,
                "happened_at": event.happened_at,
            }
            for event in sorted(shipment.events.all(), key=lambda e: (e.happened_at, e.pk))
        ]
    return out


class SalesQuery(Schema):
    status: str = Field("", description="One shipment status; ready_to_ship lists what to send now.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/sales", response={200: SalePageOut, **PROBLEMS}, summary="Your sales")
def sales(request: HttpRequest, query: Query[SalesQuery]):
    """Your part of each order, newest first; ``status=ready_to_ship`` is what is paid and waits for you."""
    seller = require_seller(request, write=False)
    if query.status and query.status not in ShipmentStatus.values:
        message = _("Choose one of: %(values)s.") % {"values": ", ".join(ShipmentStatus.values)}
        raise ApiError(400, "Bad Request", message, errors={"status": [message]}, code="invalid")
    shipments = seller_sales(seller, query.status or None).prefetch_related(None).prefetch_related("lines")
    rows, next_cursor = paginate(
        request, shipments, ordering=("-created_at", "-id"), limit=query.limit, cursor=query.cursor
    )
    return {"items": [sale_out(request, shipment) for shipment in rows], "next": next_cursor}


@router.get("/sales/{pk}", response={200: SaleDetailOut, **PROBLEMS}, url_name="sell_sale", summary="A sale")
def read_sale(request: HttpRequest, pk: PathId):
    """One of your sales with its tracking timeline (404 for anyone else's)."""
    seller = require_seller(request, write=False)
    return sale_out(request, get_shipment_for_seller(seller, pk), events=True)


# The service's refusals about the request's own fields: 422 on that field.
SHIP_FIELD_ERRORS = {"carrier_not_serving": "carrier", "bad_tracking_number": "tracking_number"}


@router.post("/sales/{pk}/ship", response={200: SaleDetailOut, **PROBLEMS}, summary="Mark shipped")
def ship(request: HttpRequest, pk: PathId, payload: ShipIn):
    """You handed the parcel to a carrier: with its tracking number (checked against the carrier's format), or
    one made in its series. 409 unless the sale is paid and not yet shipped, or when the number is taken."""
    seller = require_seller(request)
    shipment = get_shipment_for_seller(seller, pk)
    carrier = None
    if payload.carrier:
        carrier = Carrier.objects.filter(code__iexact=payload.carrier.strip(), active=True).first()
        if carrier is None:
            raise invalid({"carrier": [_("Unknown carrier.")]})
    try:
        mark_shipped(shipment, seller, carrier=carrier, tracking_number=payload.tracking_number)
    except ShipmentError as error:
        if error.code in SHIP_FIELD_ERRORS:
            raise invalid({SHIP_FIELD_ERRORS[error.code]: [str(error.message)]}, code=error.code) from None
        raise
    return sale_out(request, get_shipment_for_seller(seller, pk), events=True)
