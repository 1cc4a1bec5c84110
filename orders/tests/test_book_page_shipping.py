"""A book page's shipping line for each copy: the cheapest quote to the signed-in buyer's country or to the country
a visitor picks (``?ship_to=``), at each seller's own prices, sortable by price with shipping."""

import re
from decimal import Decimal

import pytest

from conftest import BookFactory, ListingFactory
from orders.tests.conftest import AddressFactory
from shipping.shop_settings import save_shop_shipping

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def rose(alice, bob, carriers):
    """Alice (Colombia) sells at $10 and ships at home for $2; Bob (United States) sells at $8."""
    save_shop_shipping(alice.shop, 2, {carriers["ENVIA"]: {"domestic": (D("2.00"), D("0.50"))}})
    book = BookFactory(title="The Name of the Rose")
    ListingFactory(book=book, seller=alice, price=D("10.00"))
    ListingFactory(book=book, seller=bob, price=D("8.00"))
    return book


def prices(html: str) -> list[str]:
    return re.findall(r'data-price="([0-9.]+)"', html)


def test_a_signed_in_buyer_sees_shipping_to_their_address(client_for, charlie, rose):
    AddressFactory(user=charlie, country="CO")
    html = client_for(charlie).get(f"/books/work/{rose.pk}/").content.decode()
    assert "Shipping to Colombia, the country of your address." in html
    assert 'data-shipping-price="2.00"' in html and "$12.00 in all" in html
    assert "Expected delivery" in html


def test_a_visitor_picks_a_country_and_sorts_by_price_with_shipping(client, rose):
    url = f"/books/work/{rose.pk}/"
    assert prices(client.get(url, {"ship_to": "CO"}).content.decode()) == ["8.00", "10.00"]
    by_total = client.get(url, {"ship_to": "CO", "sort": "shipping"}).content.decode()
    # Bob's copy is cheaper, but its parcel from the United States costs more than Alice's $2 at home.
    assert prices(by_total) == ["10.00", "8.00"]
    assert "Shipping to Colombia." in by_total


def test_without_a_country_the_page_asks_for_one(client, rose):
    html = client.get(f"/books/work/{rose.pk}/").content.decode()
    assert "Choose a country to see the shipping price" in html and "data-shipping-price" not in html


def test_a_copy_whose_seller_does_not_ship_there_says_so(client, alice, carriers, rose):
    save_shop_shipping(alice.shop, 1, {carriers["ENVIA"]: {}})
    html = client.get(f"/books/work/{rose.pk}/", {"ship_to": "US"}).content.decode()
    assert "Does not ship to United States" in html


def test_book_page_budget_with_shipping(client_for, charlie, rose, django_assert_max_num_queries):
    AddressFactory(user=charlie, country="CO")
    client = client_for(charlie)
    client.get(f"/books/work/{rose.pk}/")  # carriers and shop terms cached
    with django_assert_max_num_queries(7):
        assert client.get(f"/books/work/{rose.pk}/").status_code == 200
