"""The listing page's shipping line: the price and expected delivery to the signed-in buyer's country or to the
country a visitor picks (``?ship_to=``), at the seller's own prices, within the page's query budget."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.test_detail import add_photos
from conftest import ListingFactory, ShopFactory
from orders.tests.conftest import AddressFactory
from shipping.services import add_business_days
from shipping.shop_settings import save_shop_shipping

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def alice_prices(alice, carriers):
    save_shop_shipping(
        alice.shop,
        2,
        {
            carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))},
            carriers["DHL"]: {"neighbour": (D("12.00"), D("2.00"))},
        },
    )


def shipping_prices(response) -> dict[str, Decimal]:
    return {quote.carrier.code: quote.price for quote in response.context["delivery"].quotes}


def test_signed_in_buyer_sees_the_sellers_price_to_their_address(
    client_for, charlie, charlie_address, alice_listing, alice_prices
):
    response = client_for(charlie).get(alice_listing.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert shipping_prices(response) == {"ENVIA": D("2.00")}
    assert 'data-carrier="ENVIA" data-amount="2.00"' in html
    assert "Ships to Colombia, the country of your address." in html
    today = timezone.localdate()
    # Envia: 1 to 3 business days, after 2 days of handling.
    expected = f"{add_business_days(today, 3).isoformat()}/{add_business_days(today, 5).isoformat()}"
    assert f'data-expected="{expected}"' in html


def test_a_visitor_picks_a_country(client, alice_listing, alice_prices):
    response = client.get(alice_listing.get_absolute_url(), {"ship_to": "VE"})
    assert response.status_code == 200
    assert shipping_prices(response) == {"DHL": D("12.00")}  # the seller's price to a neighbouring country
    html = response.content.decode()
    assert "Ships to Venezuela" in html and '<option value="VE" selected>' in html
    # The rest of the world: DHL's own rate.
    assert shipping_prices(client.get(alice_listing.get_absolute_url(), {"ship_to": "de"})) == {"DHL": D("42.00")}


def test_without_a_country_the_picker_and_the_reach(client, alice_listing, alice_prices):
    response = client.get(alice_listing.get_absolute_url())
    html = response.content.decode()
    assert response.context["delivery"].quotes == [] and 'name="ship_to"' in html
    assert "Ships within Colombia and to every other country." in html


def test_a_shop_without_settings_quotes_the_carriers_rates(client, alice_listing, carriers):
    response = client.get(alice_listing.get_absolute_url(), {"ship_to": "CO"})
    assert shipping_prices(response) == {"SERVI": D("3.50"), "ENVIA": D("3.90")}


def test_a_country_the_sellers_carriers_do_not_reach(client, alice, alice_listing, carriers):
    save_shop_shipping(alice.shop, 1, {carriers["ENVIA"]: {}})
    response = client.get(alice_listing.get_absolute_url(), {"ship_to": "US"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-delivery="none"' in html
    assert "The seller's carriers take no parcels from Colombia to United States of America." in html
    assert "Ships only within Colombia." in html


@pytest.mark.parametrize("bad", ["XX", "COL", "<script>", "1", "C O"])
def test_a_bad_country_is_the_picker_with_a_message(client, alice_listing, alice_prices, bad):
    response = client.get(alice_listing.get_absolute_url(), {"ship_to": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "We do not know that country. Choose one from the list." in html and 'aria-invalid="true"' in html
    assert response.context["delivery"].quotes == []


def test_spanish(client, alice_listing, alice_prices):
    html = client.get(alice_listing.get_absolute_url(), {"ship_to": "CO"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Envia: " in html and "por un ejemplar" in html and "Entrega prevista" in html


@pytest.fixture
def busy_listing(alice_listing, alice, charlie):
    add_photos(alice_listing, count=5)
    for i in range(6):
        ListingFactory(seller=ShopFactory().owner, book=alice_listing.book, price=D(20 + i))
    AddressFactory(user=charlie)
    return alice_listing


def test_query_budget_holds_with_shop_settings(
    client, client_for, charlie, busy_listing, alice_prices, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):  # the listing page's budget (catalog/tests/test_detail.py)
        response = client.get(busy_listing.get_absolute_url(), {"ship_to": "CO"})
    assert shipping_prices(response) == {"ENVIA": D("2.00")}
    buyer = client_for(charlie)
    with django_assert_max_num_queries(8):
        response = buyer.get(busy_listing.get_absolute_url())
    assert shipping_prices(response) == {"ENVIA": D("2.00")}
