"""A seller's public shop page: who they are and what they sell."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.models import Shop
from catalog.cache import listing_cards
from catalog.forms.browse import ShopListingsForm
from catalog.models import Listing
from catalog.search import fetch_page, find_listings


def get_public_shop(slug: str) -> Shop:
    """The shop with this slug, or 404 when there is none or its owner is deactivated."""
    return get_object_or_404(Shop.objects.select_related("owner"), slug=slug, owner__is_active=True)


@require_safe
def shop_page(request: HttpRequest, slug: str) -> HttpResponse:
    shop = get_public_shop(slug)
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
