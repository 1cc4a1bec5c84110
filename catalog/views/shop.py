"""A seller's public shop page: who they are and what they sell."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.views.decorators.http import require_safe

from accounts.models import FormerShopSlug, Shop
from catalog.cache import listing_cards
from catalog.forms.browse import ShopListingsForm
from catalog.models import Listing
from catalog.search import fetch_page, find_listings


def get_public_shop(slug: str) -> Shop:
    """The shop with this slug, or 404 when there is none or its owner is deactivated."""
    return get_object_or_404(Shop.objects.select_related("owner", "stats"), slug=slug, owner__is_active=True)


def redirect_from_former_slug(request: HttpRequest, slug: str) -> HttpResponsePermanentRedirect:
    """A permanent redirect from a slug a shop had before a rename to its page now, query string kept.

    Links shared before the rename keep working and search engines learn the new address. 404 when no
    shop had the slug or its owner is deactivated (same rule as ``get_public_shop``).
    """
    former = FormerShopSlug.objects.filter(slug=slug, shop__owner__is_active=True)
    current = former.values_list("shop__slug", flat=True).first()
    if current is None:
        raise Http404("No shop has this slug.")
    url = reverse("catalog:shop", kwargs={"slug": current})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{iri_to_uri(query)}" if query else url)


@require_safe
def shop_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        shop = get_public_shop(slug)
    except Http404:
        # Former slugs are looked up only when no live shop has the slug: the live shop always wins.
        return redirect_from_former_slug(request, slug)
    form = ShopListingsForm(request.GET)
    context = {"shop": shop, "form": form}
    if not form.is_valid():
        return render(request, "catalog/shop.html", {**context, "invalid": True}, status=400)

    query = form.catalog_query()
    result = find_listings(query, base=Listing.objects.filter(seller_id=shop.owner_id))
    form.show_sort(result.sort)
    page = fetch_page(
        result.queryset, result.ordering, form.page_number, settings.CATALOG_PAGE_SIZE, scope=(shop.owner_id, query)
    )
    context.update(page=page, cards=listing_cards(page.listings))
    return render(request, "catalog/shop.html", context, status=404 if page.past_end else 200)
