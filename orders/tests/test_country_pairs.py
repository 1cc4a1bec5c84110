"""Buying across countries through the real pages: every shop country of the demo to every buyer country of the demo,
and a seller no carrier can bring to the buyer is named before the cart, in the cart and at checkout."""

import itertools

import pytest
from django.urls import reverse
from django.utils import translation

from bookstore.management.commands.seed_demo import DEMO_ACCOUNTS
from conftest import ListingFactory, ShopFactory, UserFactory
from orders.models import Order
from orders.states import OrderStatus
from orders.tests.conftest import APPROVE, AddressFactory
from orders.tests.test_journeys import ADDRESS, card_post, checkout_post
from shipping.models import Carrier

pytestmark = pytest.mark.django_db

SHOP_COUNTRIES = sorted({account.shop["country"] for account in DEMO_ACCOUNTS if account.shop})
BUYER_COUNTRIES = sorted({account.address["country"] for account in DEMO_ACCOUNTS if account.address})
PAIRS = list(itertools.product(SHOP_COUNTRIES, BUYER_COUNTRIES))
CHECKOUT = reverse("orders:checkout")


def test_the_demo_has_pairs_within_one_country_and_across_borders():
    assert any(shop == buyer for shop, buyer in PAIRS) and any(shop != buyer for shop, buyer in PAIRS)
    assert {"CO", "US"} <= set(SHOP_COUNTRIES)


@pytest.mark.parametrize(("shop_country", "buyer_country"), PAIRS)
def test_a_buyer_can_check_out_and_pay_from_each_demo_shop_country(
    client, carriers, shop_country, buyer_country, django_capture_on_commit_callbacks
):
    seller = ShopFactory(country=shop_country, city="Somewhere").owner
    listing = ListingFactory(seller=seller, book__title="Pedro Páramo")
    buyer = UserFactory()
    client.force_login(buyer)

    page = client.get(listing.get_absolute_url())
    assert "Does not ship" not in page.content.decode()
    assert client.post(reverse("orders:cart_add", args=[listing.pk]), {"quantity": 2}).status_code == 302

    saved = client.post(CHECKOUT, {**ADDRESS, "country": buyer_country, "city": "Capital"})
    assert saved.status_code == 302
    page = client.get(saved["Location"])
    (choice,) = page.context["preview"].shipping
    expected_scope = Carrier.Scope.NATIONAL if shop_country == buyer_country else Carrier.Scope.INTERNATIONAL
    assert choice.options and {q.carrier.scope for q in choice.options} == {expected_scope}
    assert page.context["preview"].ready

    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(CHECKOUT, checkout_post(page))
    order = Order.objects.get(buyer=buyer)
    assert placed.status_code == 302 and placed["Location"] == reverse("orders:pay", args=[order.number])
    pay_page = client.get(placed["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(placed["Location"], card_post(pay_page, APPROVE))
    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    shipment = order.shipments.get()
    assert shipment.carrier.scope == expected_scope and shipment.origin_country.code == shop_country
    assert order.total == order.items_total + shipment.shipping_cost

    # Back on a listing of the same shop, the buyer is told it reaches their address's country.
    other = ListingFactory(seller=seller)
    html = client.get(other.get_absolute_url()).content.decode()
    assert 'data-delivery="ships"' in html and "Does not ship" not in html


# --- A seller no carrier brings to the buyer's country ---------------------------------------------


@pytest.fixture
def paris_listing(db):
    """A shop opened in France before shops were limited to the countries our carriers serve."""
    seller = ShopFactory(name="Rive Gauche", country="FR", city="Paris").owner
    return ListingFactory(seller=seller, book__title="Le Petit Prince")


@pytest.fixture
def paris_buyer(db):
    buyer = UserFactory(email="pierre@example.com")
    AddressFactory(user=buyer, country="FR", city="Lyon")
    return buyer


def test_listing_page_says_the_shop_does_not_ship_to_the_buyers_country(
    client_for, carriers, paris_listing, paris_buyer
):
    client = client_for(paris_buyer)
    html = client.get(paris_listing.get_absolute_url()).content.decode()
    assert 'data-delivery="none"' in html
    assert "Does not ship to France" in html
    assert "No carrier takes parcels from France to France, the country of your address." in html
    assert "Ships abroad only, not within France." in html
    with translation.override("es"):
        spanish = client.get(paris_listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No envía a Francia" in spanish and "Solo envía al exterior, no dentro de Francia." in spanish


def test_a_buyer_elsewhere_is_told_it_ships_and_anonymous_visitors_where_it_ships(
    client, client_for, carriers, paris_listing, charlie
):
    html = client.get(paris_listing.get_absolute_url()).content.decode()
    assert "Ships abroad only, not within France." in html and "Does not ship" not in html
    AddressFactory(user=charlie, country="CO")
    html = client_for(charlie).get(paris_listing.get_absolute_url()).content.decode()
    assert "Ships to Colombia, the country of your address." in html and "Does not ship" not in html


def test_the_newest_address_is_the_one_the_listing_page_checks(client_for, carriers, paris_listing, charlie):
    AddressFactory(user=charlie, country="FR")
    AddressFactory(user=charlie, country="MX")
    html = client_for(charlie).get(paris_listing.get_absolute_url()).content.decode()
    assert "Ships to Mexico" in html and "Does not ship" not in html


def test_when_a_countrys_national_carriers_stop_the_listing_page_says_so(
    client_for, carriers, bob_listing, charlie, staff, django_capture_on_commit_callbacks
):
    AddressFactory(user=charlie, country="US")
    client = client_for(charlie)
    assert "Ships to United States of America" in client.get(bob_listing.get_absolute_url()).content.decode()
    # Staff pause both US carriers in the admin: the cached routes are forgotten with the change.
    admin = client_for(staff)
    for code in ("USPSMM", "UPSGND"):
        carrier = Carrier.objects.get(code=code)
        changelist = reverse("admin:shipping_carrier_changelist")
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": carrier.pk,
            "_save": "Save",
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert admin.post(changelist, data).status_code == 302
    assert not Carrier.objects.filter(code__in=["USPSMM", "UPSGND"], active=True).exists()
    client = client_for(charlie)
    html = client.get(bob_listing.get_absolute_url()).content.decode()
    assert "Does not ship to United States of America" in html


def test_cart_flags_the_sellers_lines_and_checkout_still_refuses(
    client_for, carriers, paris_listing, paris_buyer, alice_listing
):
    client = client_for(paris_buyer)
    client.post(reverse("orders:cart_add", args=[paris_listing.pk]), {"quantity": 1})
    client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 1})
    cart = client.get(reverse("orders:cart"))
    html = cart.content.decode()
    assert cart.context["unreachable"] == {paris_listing.seller_id}
    assert html.count('data-delivery="none"') == 1
    # Only Rive Gauche's section carries the note.
    sections = html.split('<section class="card mb-4')[1:]
    (paris_section,) = [section for section in sections if "Le Petit Prince" in section]
    (alice_section,) = [section for section in sections if "The Name of the Rose" in section]
    assert "Does not ship to France" in paris_section and "border-warning" in paris_section
    assert "Does not ship" not in alice_section

    page = client.get(CHECKOUT)
    assert "No carrier delivers from France to France." in page.content.decode()
    assert not page.context["preview"].ready
    refused = client.post(CHECKOUT, checkout_post(page))
    assert refused.status_code == 400 and not Order.objects.exists()


def test_cart_of_a_buyer_without_an_address_flags_nothing(client_for, carriers, paris_listing, charlie):
    client = client_for(charlie)
    client.post(reverse("orders:cart_add", args=[paris_listing.pk]), {"quantity": 1})
    cart = client.get(reverse("orders:cart"))
    assert cart.context["unreachable"] == set() and "Does not ship" not in cart.content.decode()


def test_listing_and_cart_budgets_hold_with_the_delivery_check(
    client_for, carriers, paris_listing, paris_buyer, django_assert_max_num_queries
):
    client = client_for(paris_buyer)
    with django_assert_max_num_queries(11):  # the listing page's cold budget (catalog/tests/test_detail.py)
        response = client.get(paris_listing.get_absolute_url())
    assert response.context["delivery"].ships is False
    client.post(reverse("orders:cart_add", args=[paris_listing.pk]), {"quantity": 1})
    client.get(reverse("orders:cart"))
    with django_assert_max_num_queries(5):  # the cart page's budget (test_views_cart.py)
        response = client.get(reverse("orders:cart"))
    assert response.context["unreachable"] == {paris_listing.seller_id}
