"""A listing's public page and the buyer's report of it."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalog.cache import cached_parts, catalog_version_token, fragments_enabled, part_keys
from catalog.card_html import other_copies_table
from catalog.forms.report import ReportForm
from catalog.isbn import format_isbn
from catalog.models import Listing, Report
from catalog.search import CARD_RELATIONS, other_copies
from catalog.services.reports import ReportRefused, report_listing
from core import cache_batch, ratelimits
from shipping.quotes import delivery_keys
from shipping.zones import is_served_country, served_countries


def get_listing_for_viewer(request: HttpRequest, pk: int, *, photos: bool = True) -> Listing:
    """The listing as this visitor may see it, with its photos unless ``photos`` is False; 404 unless visible or
    theirs.

    A seller previews their own draft, paused, hidden or archived listing; everyone
    else gets 404 for it, exactly as for an id that does not exist.
    """
    # The seller's figures (accounts.ShopStats) ride along: the page shows their rating.
    listings = Listing.objects.select_related(*CARD_RELATIONS, "seller__shop__stats")
    listing = get_object_or_404(listings.prefetch_related("photos") if photos else listings, pk=pk)
    if listing.is_visible or (request.user.is_authenticated and listing.seller_id == request.user.pk):
        return listing
    raise Http404("No listing matches the given query.")


def _detail_context(
    request: HttpRequest, listing: Listing, report_form: ReportForm | None = None, parts: dict | None = None
) -> dict:
    user = request.user
    is_owner = user.is_authenticated and listing.seller_id == user.pk
    can_report = user.is_authenticated and not is_owner and listing.is_visible
    already_reported = (
        can_report and Report.objects.filter(listing=listing, reporter=user, status=Report.Status.OPEN).exists()
    )
    book = listing.book
    return {
        "listing": listing,
        "book": book,
        "shop": getattr(listing.seller, "shop", None),
        **_cached_parts(parts if parts is not None else _parts(listing)),
        "isbn_display": format_isbn(book.isbn13) if book.isbn13 else "",
        "is_owner": is_owner,
        "can_report": can_report and not already_reported,
        "already_reported": already_reported,
        "report_form": report_form or ReportForm(),
        "report_form_open": report_form is not None,
        "ship_countries": served_countries(),
    }


def _parts(listing: Listing) -> dict:
    """The photos and the other copies, as catalog.cache.cached_parts takes them: ``name: (shown, render)``; a part
    with nothing to key it by (``shown`` None) is rendered each time (_keyed leaves it out).

    The photos belong to a version of the listing: every change to them saves the listing's cover and updated_at.
    The other copies belong to the catalog version, which every change buyers could see renews. A page then costs
    the listing's own query (and the visitor's shipping quote); the parts' queries run only when they are rendered.
    """
    book = listing.book

    def photos() -> tuple[str, str]:
        shown = list(listing.photos.all())
        html = render_to_string("catalog/_listing_photos.html", {"photos": shown, "book": book})
        return html, shown[0].image.url if shown else ""

    def copies() -> str:
        return other_copies_table(other_copies(listing))

    parts = {"listing-photos": ((listing.pk, listing.updated_at.isoformat(), listing.cover.name, book.title), photos)}
    token = catalog_version_token()
    if listing.is_visible and token:
        parts["other-copies"] = ((listing.book_id, listing.seller_id, token), copies)
    elif listing.is_visible:  # no catalog version known: nothing to key the copies by
        parts["other-copies"] = (None, copies)
    return parts


def _keyed(parts: dict) -> dict:
    return {name: part for name, part in parts.items() if part[0] is not None}


def _cached_parts(parts: dict) -> dict:
    """The ``parts`` of the page (_parts), rendered once and then taken from the cache (one round trip for all)."""
    values = cached_parts(_keyed(parts))
    values.update((name, render()) for name, (shown, render) in parts.items() if shown is None)
    photos_html, first_photo_url = values["listing-photos"]
    return {
        "photos_html": mark_safe(photos_html),  # our autoescaped template  # nosec B308 B703
        "first_photo_url": first_photo_url,
        "other_copies_html": mark_safe(values.get("other-copies", "")),  # nosec B308 B703
    }


def _ship_to(request: HttpRequest) -> tuple[str, bool]:
    """The country the visitor asked shipping to (``?ship_to=XX``): (code, valid). Blank when not asked."""
    raw = request.GET.get("ship_to", "")
    if not raw:
        return "", True
    code = raw.strip().upper()
    return (code, True) if is_served_country(code) else ("", False)


@require_safe
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing, with the shipping price and expected delivery to the visitor's country.

    The page is rendered for each request (it is not in the catalog's page cache: it shows the viewer's own
    country, cart and report state), from the listing's query, the photos and other copies from the cache
    (_cached_parts), and the shipping quote from the cached carriers and shop terms (one more round trip,
    shipping.quotes.cached_shop_delivery).
    """
    listing = get_listing_for_viewer(request, pk, photos=False)
    ship_to, valid = _ship_to(request)
    parts = _parts(listing)
    with cache_batch.reading(_cache_keys(listing, parts)):
        context = _detail_context(request, listing, parts=parts)
        context.update({"ship_to": ship_to, "ship_to_invalid": not valid})
        return render(request, "catalog/listing_detail.html", context, status=200 if valid else 400)


def _cache_keys(listing: Listing, parts: dict) -> list[str]:
    """What the page reads from the shared cache, read at once: its parts and its shipping quote's carriers and
    shop terms (shipping.quotes.delivery_keys). What it then stores goes in one more round trip."""
    if not fragments_enabled():
        return []
    keys = list(part_keys(_keyed(parts)).values())
    shop = getattr(listing.seller, "shop", None)
    return keys + (list(delivery_keys(shop.pk)) if shop is not None else [])


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """File a report; only signed-in buyers may, and only on visible listings they do not own."""
    if not request.user.is_authenticated:
        # Back to the listing after signing in: this URL only answers POST.
        return redirect_to_login(reverse("catalog:listing", kwargs={"pk": pk}))
    listing = get_listing_for_viewer(request, pk)
    if not listing.is_visible:
        raise Http404("Only listings on sale can be reported.")
    if (over := ratelimits.is_limited(request, "report", "user")) is not None:
        message = _("You have reported many listings in a short time. Please wait before reporting another one.")
        return ratelimits.too_many_requests(request, message, over, back_url=listing.get_absolute_url())
    if (over := ratelimits.is_limited(request, "report_per_ip", "ip")) is not None:
        message = _(
            "Many listings were reported from your network in a short time. Please wait before reporting another one."
        )
        return ratelimits.too_many_requests(request, message, over, back_url=listing.get_absolute_url())
    form = ReportForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, listing, report_form=form)
        return render(request, "catalog/listing_detail.html", context, status=400)
    try:
        report_listing(listing, request.user, form.cleaned_data["reason"], form.cleaned_data["text"])
    except ReportRefused as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Thank you. Our staff will review this listing."))
    return redirect(listing)
