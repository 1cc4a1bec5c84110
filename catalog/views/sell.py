"""The seller's pages under /sell/: inventory, new listing, edit, photos and the quick actions.

Views stay thin: forms check input, catalog.services.listings and .photos hold
the rules, catalog.selectors.get_listing_for_seller answers 404 for anyone
else's listing. Every page needs a shop; without one the seller is sent to
set it up.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import seller_required
from accounts.verification import confirmed_email_required
from catalog.forms.inventory import INVENTORY_TABS, BulkForm, InventoryQueryForm, inventory_columns
from catalog.forms.sell import (
    BOOK_FIELD_NAMES,
    COPY_FIELD_NAMES,
    ListingForm,
    PhotoMoveForm,
    PhotoUploadForm,
    book_initial,
    listing_initial,
)
from catalog.holds import held_copies
from catalog.isbn import format_isbn, normalize_isbn
from catalog.models import Listing, ListingPhoto
from catalog.selectors import (
    book_is_shared,
    find_book_by_isbn,
    get_listing_for_seller,
    inventory_page,
    inventory_summary,
    moderation_notices,
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
from catalog.services.moderation import MAX_REASON_LENGTH, appeal_listing
from catalog.states import ListingStateError
from core.redirects import local_path

INVENTORY_PAGE_SIZE = 25
Status = Listing.Status
# The links and quick actions of each inventory row (sell_urls: /sell/listings/<pk>/<action>/).
ROW_ACTIONS = ("edit", "photos", "publish", "pause", "resume", "delete")


def _error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _next_url(request: HttpRequest) -> str:
    """Where a quick action returns: the page it came from when that is ours, else the inventory."""
    return local_path(request, request.POST.get("next", ""), reverse("sell:inventory"))


# --- Inventory ----------------------------------------------------------------


@require_safe
@seller_required
def inventory(request: HttpRequest) -> HttpResponse:
    return _inventory_response(request)


def _inventory_response(request: HttpRequest, *, status_code: int = 200, appeal: dict | None = None) -> HttpResponse:
    """The inventory; ``appeal`` ({"pk", "text", "errors"}) shows a refused appeal again under its listing.

    A bad parameter (an unknown status, condition or sort, a search too long) is left out with a message and
    a 400; the page number is lenient (a bad one shows the first or last page).
    """
    query = InventoryQueryForm(request.GET)
    if not query.is_valid():
        status_code = 400
        messages.error(request, query.error_text())
    filters = query.filters()
    summary = inventory_summary(request.user)
    # Without a search or a condition, the tab's figure is the number of matching listings.
    count = None if filters.q or filters.condition else summary[filters.status]
    page = inventory_page(request.user, filters, request.GET.get("page"), INVENTORY_PAGE_SIZE, count=count)
    held = held_copies([listing.pk for listing in page.object_list]) if summary["unpaid_holds"] else {}
    row_urls = _row_url_patterns()
    for listing in page.object_list:
        listing.held = held.get(listing.pk, 0)
        listing.urls = {action: f"{head}{listing.pk}{tail}" for action, (head, tail) in row_urls.items()}
    tabs = [
        {"value": value, "label": label, "count": summary[value], "current": value == filters.status}
        for value, label in INVENTORY_TABS
    ]
    context = {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "summary": summary,
        "tabs": tabs,
        "tab": filters.status,
        "filters": filters,
        "query": query,
        "searching": bool(filters.q or filters.condition),
        "columns": inventory_columns(filters.sort),
        "bulk_form": BulkForm(initial={"scope": "selected"}),
        "appeal": appeal or {},
        "appeal_max": MAX_REASON_LENGTH,
        "moderated": moderation_notices(request.user, summary),
    }
    return render(request, "sell/inventory.html", context, status=status_code)


def _row_url_patterns() -> dict[str, tuple[str, str]]:
    """Each row action's URL split around the listing's id: reversed once per page rather than for every row
    (100 reverse() calls were about a sixth of the page's rendering time)."""
    sentinel = "987654321987654321"  # longer than any id, so it appears nowhere else in the path
    patterns = {}
    for action in ROW_ACTIONS:
        head, tail = reverse(f"sell:listing_{action}", args=[sentinel]).split(sentinel)
        patterns[action] = (head, tail)
    return patterns


@require_POST
@seller_required
def listing_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller asks staff to look again at a hidden listing; a refused appeal shows the inventory (400)."""
    listing = get_listing_for_seller(request.user, pk)
    text = request.POST.get("text", "")
    try:
        appeal_listing(listing, request.user, text)
    except ValidationError as exc:
        return _inventory_response(
            request, status_code=400, appeal={"pk": listing.pk, "text": text, "errors": exc.messages}
        )
    messages.success(
        request,
        _("Your appeal on “%(title)s” was sent. Our staff will answer here on your inventory.")
        % {"title": listing.book.title},
    )
    return redirect("sell:inventory")


# --- New listing and ISBN look-up ---------------------------------------------


def _lookup_prefill(query) -> tuple[dict, dict]:
    """Initial values for the new-listing form from a "Look up" GET, and what the look-up found.

    Everything else the seller had typed (the browser submits the whole form) is
    kept; the book's fields come from the catalog when it knows the ISBN.
    """
    kept = (*BOOK_FIELD_NAMES, *COPY_FIELD_NAMES)
    initial = {name: query[name] for name in kept if query.get(name)}
    try:
        isbn13 = normalize_isbn(query.get("isbn", ""))
    except ValidationError as exc:
        return initial, {"found": False, "error": _error_text(exc)}
    initial["isbn"] = format_isbn(isbn13)
    book = find_book_by_isbn(isbn13)
    if book is None:
        return initial, {
            "found": False,
            "message": _("This ISBN is not in our catalog yet: fill in the book's details."),
        }
    initial.update(book_initial(book))
    return initial, {"found": True, "message": _("Found in our catalog: the book's details are filled in.")}


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
@confirmed_email_required("list_book")
def listing_create(request: HttpRequest) -> HttpResponse:
    lookup = None
    status_code = 200
    if request.method == "POST":
        form = ListingForm(request.POST, request.FILES)
        publish = request.POST.get("action") == "publish"
        if form.is_valid():
            try:
                listing = create_listing(
                    request.user, form.book_data(), form.listing_data(), form.cleaned_data["photos"], publish=publish
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if listing.status == Status.ACTIVE:
                    messages.success(request, _("“%(title)s” is on sale.") % {"title": listing.book.title})
                else:
                    messages.success(request, _("“%(title)s” is saved as a draft.") % {"title": listing.book.title})
                return redirect("sell:inventory")
        status_code = 400
    else:
        initial = {}
        if "isbn" in request.GET:
            initial, lookup = _lookup_prefill(request.GET)
            if "error" in lookup:
                status_code = 400
        form = ListingForm(initial=initial)
    context = {"form": form, "lookup": lookup, "creating": True}
    return render(request, "sell/listing_form.html", context, status=status_code)


@require_safe
@seller_required
def isbn_lookup(request: HttpRequest) -> JsonResponse:
    """JSON for the new-listing page's script: the catalog's book for an ISBN, if it has one."""
    try:
        isbn13 = normalize_isbn(request.GET.get("isbn", ""))
    except ValidationError as exc:
        return JsonResponse({"found": False, "error": _error_text(exc)}, status=400)
    book = find_book_by_isbn(isbn13)
    if book is None:
        return JsonResponse(
            {
                "found": False,
                "isbn13": isbn13,
                "message": _("This ISBN is not in our catalog yet: fill in the book's details."),
            }
        )
    return JsonResponse(
        {
            "found": True,
            "isbn13": isbn13,
            "book": book_initial(book),
            "message": _("Found in our catalog: the book's details are filled in."),
        }
    )


# --- Edit ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_listing_for_seller(request.user, pk)
    read_only = listing.status == Status.ARCHIVED
    book_editable = not read_only and not book_is_shared(listing)
    options = {
        "reuse_existing_book": False,
        "book_editable": book_editable,
        "with_photos": False,
        "read_only": read_only,
        "initial": listing_initial(listing),
    }
    status_code = 200
    if request.method == "POST":
        if read_only:
            messages.error(request, _("This listing is archived and can no longer be changed."))
            return redirect("sell:listing_edit", pk=listing.pk)
        form = ListingForm(request.POST, **options)
        if form.is_valid():
            try:
                update_listing(
                    listing,
                    form.listing_data(),
                    form.book_data() if book_editable else None,
                    publish=request.POST.get("action") == "publish",
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except ListingStateError as exc:
                messages.error(request, str(exc))
                return redirect("sell:inventory")
            else:
                messages.success(request, _("Your changes to “%(title)s” are saved.") % {"title": listing.book.title})
                return redirect("sell:inventory")
        status_code = 400
    else:
        form = ListingForm(**options)
    context = {"form": form, "listing": listing, "read_only": read_only, "creating": False}
    return render(request, "sell/listing_form.html", context, status=status_code)


# --- Quick actions ------------------------------------------------------------


def _status_action(request: HttpRequest, pk: int, action: Callable[[Listing], Listing], done: str) -> HttpResponse:
    listing = get_listing_for_seller(request.user, pk)
    try:
        action(listing)
    except (ListingStateError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"title": listing.book.title})
    return redirect(_next_url(request))


@require_POST
@seller_required
def listing_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, publish_listing, _("“%(title)s” is on sale."))


@require_POST
@seller_required
def listing_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, pause_listing, _("“%(title)s” is paused: buyers no longer see it."))


@require_POST
@seller_required
def listing_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, resume_listing, _("“%(title)s” is on sale again."))


@require_POST
@seller_required
def listing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete after an explicit confirmation; the first POST (without confirm=yes) asks for it."""
    listing = get_listing_for_seller(request.user, pk)
    if request.POST.get("confirm") != "yes":
        context = {"listing": listing, "next": _next_url(request)}
        return render(request, "sell/listing_confirm_delete.html", context)
    title = listing.book.title
    try:
        deleted = delete_listing(listing)
    except ListingStateError as exc:
        messages.error(request, str(exc))
    else:
        if deleted:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
        else:
            messages.info(
                request,
                _("“%(title)s” is archived rather than deleted, so its sales and history stay on record.")
                % {"title": title},
            )
    return redirect(_next_url(request))


# --- Photos -------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def listing_photos(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_listing_for_seller(request.user, pk)
    photos = list(listing.photos.order_by("position", "id"))
    read_only = listing.status == Status.ARCHIVED
    status_code = 200
    if request.method == "POST":
        if read_only:
            messages.error(request, _("This listing is archived and can no longer be changed."))
            return redirect("sell:listing_photos", pk=listing.pk)
        form = PhotoUploadForm(request.POST, request.FILES, existing=len(photos))
        if form.is_valid():
            try:
                added = photo_service.add_photos(listing, form.cleaned_data["photos"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(count)s photo(s) added.") % {"count": len(added)})
                return redirect("sell:listing_photos", pk=listing.pk)
        status_code = 400
    else:
        form = PhotoUploadForm(existing=len(photos))
    context = {
        "listing": listing,
        "photos": photos,
        "form": form,
        "read_only": read_only,
        "photo_limit": settings.PHOTOS_PER_LISTING,
    }
    return render(request, "sell/listing_photos.html", context, status=status_code)


def _photo_action(
    request: HttpRequest, pk: int, photo_pk: int, action: Callable[[ListingPhoto], None], done: str = ""
) -> HttpResponse:
    listing = get_listing_for_seller(request.user, pk)
    photo = get_object_or_404(ListingPhoto.objects.select_related("listing"), pk=photo_pk, listing=listing)
    try:
        action(photo)
    except ListingStateError as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("sell:listing_photos", pk=listing.pk)


@require_POST
@seller_required
def photo_move(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    form = PhotoMoveForm(request.POST)
    if not form.is_valid():
        get_listing_for_seller(request.user, pk)  # outsiders get 404, not a hint that the id exists
        return HttpResponse(_("Choose to move the photo up or down."), status=400, content_type="text/plain")
    return _photo_action(request, pk, photo_pk, lambda photo: photo_service.move_photo(photo, form.offset()))


@require_POST
@seller_required
def photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    return _photo_action(request, pk, photo_pk, photo_service.remove_photo, _("Photo deleted."))
