"""The shop's rating where buyers decide (listing, cart, shop page) and the seller's standing, within query budgets.

The pages read ``accounts.ShopStats`` joined to the shop: their budgets are the same as before feedback existed.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import ShopStats
from conftest import ListingFactory, ShopFactory
from feedback.services import hide_feedback, leave_feedback
from feedback.standing import refresh_standing
from feedback.tests.conftest import deliver, order_from
from orders.services import add_to_cart, get_or_create_cart

pytestmark = pytest.mark.django_db


def rated_shop(shop, count=132, total=634, rated_12m=100, positive_12m=97):
    ShopStats.objects.update_or_create(
        shop=shop,
        defaults={"rating_count": count, "rating_total": total, "rated_12m": rated_12m, "positive_12m": positive_12m},
    )


def test_the_listing_page_shows_the_sellers_rating(client, alice, alice_listing):
    rated_shop(alice.shop)
    html = client.get(alice_listing.get_absolute_url()).content.decode()
    assert "4.8 ★" in html and "132 ratings" in html and "97% positive in the last 12 months" in html


def test_a_seller_without_ratings_is_a_new_seller(client, alice, alice_listing):
    html = client.get(alice_listing.get_absolute_url()).content.decode()
    assert "New seller" in html and "ratings" not in html.split("data-seller-rating")[1][:300]


def test_a_rating_then_hidden_leaves_the_listing_page(client, delivered, charlie, alice, staff):
    listing = delivered.lines.get().listing
    feedback = leave_feedback(delivered, charlie, 4)
    assert "4.0 ★" in client.get(listing.get_absolute_url()).content.decode()
    hide_feedback(feedback, staff, "Abuse")
    assert "New seller" in client.get(listing.get_absolute_url()).content.decode()


def test_the_cart_shows_each_sellers_rating(client_for, charlie, alice_listing, bob_listing, alice):
    rated_shop(alice.shop)
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 1)
    add_to_cart(cart, bob_listing, 1)
    html = client_for(charlie).get(reverse("orders:cart")).content.decode()
    assert "132 ratings" in html and "New seller" in html


def test_the_shop_page_shows_the_summary_and_links_to_the_feedback(client, alice):
    rated_shop(alice.shop)
    html = client.get(alice.shop.get_absolute_url()).content.decode()
    assert "132 ratings" in html and reverse("feedback:shop", kwargs={"slug": alice.shop.slug}) in html


def test_spanish(client, alice, alice_listing):
    rated_shop(alice.shop)
    html = client.get(alice_listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "132 valoraciones" in html and "positivas en los últimos 12 meses" in html


# --- Query budgets: the pages keep theirs (catalog/tests/test_detail.py, orders/tests/test_views_cart.py, ...) ---


@pytest.fixture
def rated_sellers():
    """Seven sellers of copies of one book, all rated."""
    listings = []
    book = None
    for i in range(7):
        shop = ShopFactory()
        rated_shop(shop, count=10 + i, total=45)
        listing = ListingFactory(seller=shop.owner, price=Decimal(20 + i), **({"book": book} if book else {}))
        book = listing.book
        listings.append(listing)
    return listings


def test_listing_page_budget_with_a_rated_seller(
    client, client_for, charlie, rated_sellers, django_assert_max_num_queries
):
    listing = rated_sellers[0]
    with django_assert_max_num_queries(8):
        assert "10 ratings" in client.get(listing.get_absolute_url()).content.decode()
    signed_in = client_for(charlie)
    with django_assert_max_num_queries(8):
        assert signed_in.get(listing.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 7])
def test_cart_budget_with_rated_sellers(client_for, charlie, rated_sellers, django_assert_max_num_queries, count):
    cart = get_or_create_cart(user=charlie)
    for listing in rated_sellers[:count]:
        add_to_cart(cart, listing, 1)
    client = client_for(charlie)
    client.get(reverse("orders:cart"))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("orders:cart"))
    assert response.content.decode().count("data-rating-count=") == count


def test_shop_page_budget_with_a_rated_shop(client, alice, django_assert_max_num_queries):
    rated_shop(alice.shop)
    ListingFactory(seller=alice)
    with django_assert_max_num_queries(3):
        assert "132 ratings" in client.get(alice.shop.get_absolute_url()).content.decode()


def test_order_page_budget_with_a_rated_parcel(client_for, charlie, delivered, django_assert_max_num_queries):
    leave_feedback(delivered, charlie, 5)
    client = client_for(charlie)
    # orders/tests/test_views_orders.py allows 11; a parcel that arrived adds the look-up of its rating.
    with django_assert_max_num_queries(12):
        response = client.get(delivered.order.get_absolute_url())
    assert 'data-feedback="rated"' in response.content.decode()


# --- The seller's standing on the sales dashboard ------------------------------------------------------------------


def test_the_sales_dashboard_shows_the_standing(client_for, alice, charlie, carriers, django_assert_max_num_queries):
    _order, shipment = order_from(charlie, alice, carriers)
    deliver(shipment, alice)
    leave_feedback(shipment, charlie, 5)
    refresh_standing()
    client = client_for(alice)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("shipping:sale_list")).content.decode()
    assert 'data-figure="orders">1<' in html and 'data-figure="on_time">100%<' in html
    assert 'data-figure="claims">0<' in html and "5.0 ★" in html


def test_the_sales_dashboard_before_any_figures(client_for, alice):
    html = client_for(alice).get(reverse("shipping:sale_list")).content.decode()
    assert "the day after your first sale" in html


def test_the_share_is_what_the_daily_job_left(client, alice, alice_listing):
    """Nothing is counted per page view: with no rating in the last 12 months there is no share to show."""
    rated_shop(alice.shop, count=1, total=5, rated_12m=0, positive_12m=0)
    html = client.get(alice_listing.get_absolute_url()).content.decode()
    assert "1 rating" in html and "positive in the last 12 months" not in html
