"""Price help on the listing form: lowest asking price now, median and range of what sold in 12 months."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Listing
from conftest import BookFactory, ListingFactory
from orders.models import Order
from orders.services import pay_order
from orders.services.price_help import price_help
from orders.tests.conftest import card

pytestmark = pytest.mark.django_db
ISBN = "9780141439549"
URL = reverse("shipping:price_help")


@pytest.fixture
def book():
    return BookFactory(isbn13=ISBN, title="Middlemarch")


@pytest.fixture
def sell(book, make_order):
    """sell(price, quantity=1, pay=True, condition="good"): a copy of the book sold by a new seller."""

    def sold(price: str, quantity: int = 1, pay: bool = True, condition: str = "good"):
        order = make_order(quantity=quantity, price=Decimal(price))
        # the seller sold their only copies: not on sale any more
        Listing.objects.filter(pk=order.lines.get().listing_id).update(book=book, condition=condition, quantity=0)
        order.lines.update(isbn13=ISBN, condition=condition)
        if pay:
            pay_order(order, card(), f"price-help-key-{order.pk:08d}")
        return order

    return sold


def test_figures_from_listings_on_sale_and_paid_orders(alice, book, sell):
    ListingFactory(book=book, condition="good", price=Decimal("9.00"))
    ListingFactory(book=book, condition="good", price=Decimal("7.50"))
    ListingFactory(book=book, condition="good", price=Decimal("1.00"), quantity=0)  # sold out
    ListingFactory(book=book, condition="good", price=Decimal("2.00"), status=Listing.Status.PAUSED)
    ListingFactory(book=book, condition="fine", price=Decimal("3.00"))  # another condition
    ListingFactory(book=book, condition="good", price=Decimal("5.00"), seller=alice)  # the asker's own
    sell("10.00")
    sell("12.00", quantity=2)
    sell("20.00")
    sell("99.00", pay=False)  # awaiting payment: not sold
    sell("1.00", condition="poor")
    old = sell("50.00")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    help = price_help(ISBN, "good", exclude_seller_id=alice.pk)
    assert (help.lowest_asking, help.offers) == (Decimal("7.50"), 2)
    assert help.sold_copies == 4  # 10, 12, 12, 20
    assert help.sold_median == Decimal("12.00")
    assert (help.sold_low, help.sold_high) == (Decimal("10.00"), Decimal("20.00"))


def test_median_of_an_even_count_is_rounded_to_cents(book, sell):
    sell("10.00")
    sell("10.05")
    assert price_help(ISBN, "good").sold_median == Decimal("10.03")  # 10.025 half up


def test_no_offers_and_no_sales(book):
    help = price_help(ISBN, "good")
    assert (help.lowest_asking, help.offers, help.sold_copies, help.sold_median) == (None, 0, 0, None)


def test_the_page_and_its_fragment(client_for, alice, book, sell, django_assert_max_num_queries):
    ListingFactory(book=book, condition="good", price=Decimal("9.00"))
    sell("10.00")
    client = client_for(alice)
    with django_assert_max_num_queries(5):
        fragment = client.get(URL, {"isbn": "0-14-143954-8", "condition": "good", "partial": "1"})
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert "$9.00" in html and "$10.00" in html
    page = client.get(URL, {"isbn": ISBN, "condition": "good"})
    assert page.status_code == 200 and "<h1" in page.content.decode() and "$10.00" in page.content.decode()


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 200, "Enter the ISBN and choose the condition"),
        ({"isbn": ISBN}, 200, "Enter the ISBN and choose the condition"),
        ({"isbn": "9780141439548", "condition": "good"}, 400, "check digit"),
        ({"isbn": "hello", "condition": "good"}, 400, "valid ISBN"),
        ({"isbn": ISBN, "condition": "mint"}, 400, "valid choice"),
        ({"isbn": "9" * 200, "condition": "good"}, 400, "at most 20"),
    ],
)
def test_missing_or_bad_input(client_for, alice, params, status, message):
    response = client_for(alice).get(URL, {**params, "partial": "1"})
    assert response.status_code == status
    assert message in response.content.decode()


def test_only_sellers_see_it(client, client_for, charlie, staff):
    assert "/accounts/login/" in client.get(URL).url
    assert client_for(charlie).get(URL).url == reverse("accounts:shop_edit")
    assert client_for(staff).get(URL).url == reverse("accounts:shop_edit")


def test_post_is_405(client_for, alice):
    assert client_for(alice).post(URL).status_code == 405


def test_the_listing_form_links_to_the_price_help(client_for, alice, book):
    listing = ListingFactory(seller=alice, book=book, condition="fine")
    html = client_for(alice).get(reverse("sell:listing_edit", args=[listing.pk])).content.decode()
    assert f'data-price-help-url="{URL}"' in html
    assert f"{URL}?isbn=978-0-14-143954-9&amp;condition=fine" in html
