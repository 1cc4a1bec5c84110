"""The cart pages: adding from a listing page, changing and removing lines, flagged lines, the navbar badge."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Listing
from conftest import ListingFactory, ShopFactory
from orders.models import Cart, CartLine
from orders.services import add_to_cart, get_or_create_cart

CART = reverse("orders:cart")
BROWSE = reverse("catalog:browse")


def add_url(listing) -> str:
    return reverse("orders:cart_add", args=[listing.pk])


def line_url(line) -> str:
    return reverse("orders:cart_line", args=[line.pk])


# --- Adding ---------------------------------------------------------------------


def test_anonymous_visitor_fills_a_cart_grouped_by_seller(client, alice, bob, alice_listing, bob_listing):
    client.post(add_url(alice_listing), {"quantity": 2})
    client.post(add_url(bob_listing), {"quantity": 1})
    response = client.get(CART)
    assert response.status_code == 200
    groups = response.context["summary"].groups
    assert [(g.seller, g.item_count, g.subtotal) for g in groups] == [
        (alice, 2, Decimal("25.00")),
        (bob, 1, Decimal("9.99")),
    ]
    html = response.content.decode()
    assert "Alice&#x27;s Attic" in html and "Bob&#x27;s Books" in html
    assert "$34.99" in html


def test_posted_price_is_ignored(client_for, charlie, alice_listing):
    client = client_for(charlie)
    response = client.post(add_url(alice_listing), {"quantity": 1, "price": "0.01", "price_seen": "0.01"})
    assert response.status_code == 302 and response["Location"] == CART
    assert CartLine.objects.get().price_seen == alice_listing.price == Decimal("12.50")


@pytest.mark.parametrize("quantity", ["-1", "0", "100", "99999999999999999999", "abc", "", "1.5", "1e3", " "])
def test_bad_quantities_are_form_errors_and_change_nothing(client, alice_listing, quantity):
    response = client.post(add_url(alice_listing), {"quantity": quantity})
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"]
    assert not Cart.objects.exists()


def test_more_than_in_stock_is_refused_with_what_is_left(client_for, charlie, alice_listing):
    client = client_for(charlie)
    response = client.post(add_url(alice_listing), {"quantity": 4})
    assert response.status_code == 409
    assert "Only 3 copies are available." in response.content.decode()
    assert not CartLine.objects.exists()
    # The typed value is kept so the buyer can correct it.
    assert 'value="4"' in response.content.decode()


def test_past_the_line_limit_the_add_form_names_the_stock_not_the_limit(client_for, charlie, alice_listing):
    response = client_for(charlie).post(add_url(alice_listing), {"quantity": 100})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only 3 copies are available." in html and "at most 99" not in html
    assert 'max="3"' in html  # the box offers what is in stock


def test_listing_page_shows_the_stock_count_and_offers_no_more(client, alice_listing):
    html = client.get(alice_listing.get_absolute_url()).content.decode()
    assert "3 in stock" in html and 'max="3"' in html
    assert (
        "3 en existencia" in client.get(alice_listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )


def test_a_seller_cannot_buy_their_own_listing(client_for, alice, alice_listing):
    response = client_for(alice).post(add_url(alice_listing), {"quantity": 1})
    assert response.status_code == 403
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("status", [Listing.Status.PAUSED, Listing.Status.DRAFT, Listing.Status.HIDDEN])
def test_listings_not_on_sale_answer_404(client_for, charlie, alice_listing, status):
    Listing.objects.filter(pk=alice_listing.pk).update(status=status)
    response = client_for(charlie).post(add_url(alice_listing), {"quantity": 1})
    assert response.status_code == 404
    assert not CartLine.objects.exists()


def test_unknown_listing_answers_404(client, db):
    assert client.post(reverse("orders:cart_add", args=[999999]), {"quantity": 1}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("orders:cart_add", args=[1]),
        reverse("orders:cart_line", args=[1]),
        reverse("orders:cart_accept_prices"),
    ],
)
def test_state_changing_urls_refuse_get(client, db, url):
    assert client.get(url).status_code == 405


# --- The listing page's form ----------------------------------------------------


def test_listing_page_offers_the_form_to_buyers_and_anonymous_visitors(client, charlie, alice_listing):
    html = client.get(alice_listing.get_absolute_url()).content.decode()
    assert f'action="{add_url(alice_listing)}"' in html and 'max="3"' in html
    client.force_login(charlie)
    assert f'action="{add_url(alice_listing)}"' in client.get(alice_listing.get_absolute_url()).content.decode()


def test_listing_page_has_no_form_for_the_owner_or_when_sold_out(client_for, alice, charlie, alice_listing):
    html = client_for(alice).get(alice_listing.get_absolute_url()).content.decode()
    assert add_url(alice_listing) not in html and "You cannot buy your own listing." in html
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=0)
    html = client_for(charlie).get(alice_listing.get_absolute_url()).content.decode()
    assert add_url(alice_listing) not in html


# --- Changing lines -------------------------------------------------------------


@pytest.fixture
def charlie_line(charlie, alice_listing):
    return add_to_cart(get_or_create_cart(user=charlie), alice_listing, 1)


def test_change_quantity_and_remove(client_for, charlie, charlie_line):
    client = client_for(charlie)
    response = client.post(line_url(charlie_line), {"action": "update", "quantity": 3})
    assert response.status_code == 302
    charlie_line.refresh_from_db()
    assert charlie_line.quantity == 3
    assert 'data-cart-count="3"' in client.get(CART).content.decode()
    client.post(line_url(charlie_line), {"action": "remove"})
    assert not CartLine.objects.exists()
    assert 'data-cart-count="0"' in client.get(BROWSE).content.decode()


@pytest.mark.parametrize("quantity", ["-2", "0", "1000", "x", ""])
def test_bad_line_quantities_are_shown_on_the_line(client_for, charlie, charlie_line, quantity):
    response = client_for(charlie).post(line_url(charlie_line), {"action": "update", "quantity": quantity})
    assert response.status_code == 400
    assert charlie_line.pk in response.context["line_errors"]
    charlie_line.refresh_from_db()
    assert charlie_line.quantity == 1


def test_unknown_action_is_a_400(client_for, charlie, charlie_line):
    response = client_for(charlie).post(line_url(charlie_line), {"action": "delete-everything"})
    assert response.status_code == 400
    assert CartLine.objects.filter(pk=charlie_line.pk).exists()


def test_line_over_stock_is_refused(client_for, charlie, charlie_line):
    response = client_for(charlie).post(line_url(charlie_line), {"action": "update", "quantity": 7})
    assert response.status_code == 409
    assert "Only 3 copies are available." in response.content.decode()
    charlie_line.refresh_from_db()
    assert charlie_line.quantity == 1


def test_someone_elses_line_is_a_404(client_for, bob, charlie_line):
    client = client_for(bob)
    assert client.post(line_url(charlie_line), {"action": "remove"}).status_code == 404
    assert client.post(line_url(charlie_line), {"action": "update", "quantity": 2}).status_code == 404
    assert client.post(line_url(charlie_line), {"action": "update", "quantity": "-1"}).status_code == 404
    charlie_line.refresh_from_db()
    assert charlie_line.quantity == 1


def test_anonymous_visitor_cannot_touch_a_users_line(client, charlie_line):
    assert client.post(line_url(charlie_line), {"action": "remove"}).status_code == 404
    assert CartLine.objects.filter(pk=charlie_line.pk).exists()


# --- Flagged lines --------------------------------------------------------------


def test_paused_sold_out_and_over_stock_lines_are_flagged_and_block_checkout(client_for, charlie, bob):
    cart = get_or_create_cart(user=charlie)
    paused = ListingFactory(seller=bob, book__title="Paused Book")
    sold_out = ListingFactory(seller=bob, book__title="Gone Book")
    short = ListingFactory(seller=bob, book__title="Short Book", quantity=5)
    hidden = ListingFactory(seller=bob, book__title="Hidden Book")
    for listing, quantity in [(paused, 1), (sold_out, 1), (short, 4), (hidden, 1)]:
        add_to_cart(cart, listing, quantity)
    Listing.objects.filter(pk=paused.pk).update(status=Listing.Status.PAUSED)
    Listing.objects.filter(pk=sold_out.pk).update(quantity=0)
    Listing.objects.filter(pk=short.pk).update(quantity=2)
    Listing.objects.filter(pk=hidden.pk).update(status=Listing.Status.HIDDEN)

    response = client_for(charlie).get(CART)
    html = response.content.decode()
    assert "The seller paused this listing." in html
    assert "Sold out." in html
    assert "Only 2 copies are left." in html and "Take the 2 copies left" in html
    assert "This listing was withdrawn by our staff." in html
    assert not response.context["summary"].can_checkout
    assert f'href="{reverse("orders:checkout")}"' not in html

    # "Take the copies left" fixes the over-stock line.
    line = CartLine.objects.get(listing=short)
    client_for(charlie).post(line_url(line), {"action": "update", "quantity": 2})
    line.refresh_from_db()
    assert line.quantity == 2


def test_repriced_line_shows_both_prices_until_accepted(client_for, charlie, charlie_line, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(price=Decimal("15.00"))
    client = client_for(charlie)
    html = client.get(CART).content.decode()
    assert "The price changed from $12.50 to $15.00." in html
    assert "Accept the new prices" in html
    response = client.post(reverse("orders:cart_accept_prices"))
    assert response.status_code == 302
    charlie_line.refresh_from_db()
    assert charlie_line.price_seen == Decimal("15.00")
    assert client.get(CART).context["summary"].can_checkout


# --- Query budgets and the navigation badge ---------------------------------------


def _fill(cart, count):
    for _ in range(count):
        add_to_cart(cart, ListingFactory(seller=ShopFactory().owner), 1)


@pytest.mark.parametrize("count", [1, 12])
def test_cart_page_query_budget(client_for, charlie, django_assert_max_num_queries, count):
    _fill(get_or_create_cart(user=charlie), count)
    client = client_for(charlie)
    client.get(CART)  # stores the badge count in the session
    with django_assert_max_num_queries(5):
        response = client.get(CART)
    assert len(response.context["summary"].lines) == count


def test_catalog_stays_within_six_queries_with_a_full_cart(
    client_for, charlie, alice_listing, django_assert_max_num_queries
):
    client = client_for(charlie)
    client.post(add_url(alice_listing), {"quantity": 2})
    _fill(get_or_create_cart(user=charlie), 5)
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE)
    assert 'data-cart-count="2"' in response.content.decode()  # as last counted by this browser
    client.get(CART)
    assert 'data-cart-count="7"' in client.get(BROWSE).content.decode()


def test_catalog_within_budget_right_after_login_for_a_seller(
    client_for, alice, bob_listing, django_assert_max_num_queries
):
    # Filled in another browser: the count is taken at sign-in; alice's shop decides the "Sales" link.
    add_to_cart(get_or_create_cart(user=alice), bob_listing, 2)
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE)
    html = response.content.decode()
    assert 'data-cart-count="2"' in html
    assert f'href="{reverse("shipping:sale_list")}"' in html and f'href="{reverse("orders:order_list")}"' in html


def test_navbar_has_no_sales_link_for_a_buyer_without_shop(client_for, charlie):
    html = client_for(charlie).get(BROWSE).content.decode()
    assert f'href="{reverse("orders:order_list")}"' in html
    assert reverse("shipping:sale_list") not in html


def test_anonymous_catalog_with_a_cart_counts_its_copies(client, alice_listing, django_assert_max_num_queries):
    client.post(add_url(alice_listing), {"quantity": 3})
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE)
    assert 'data-cart-count="3"' in response.content.decode()


def test_badge_is_recounted_after_logout(client, charlie, alice_listing):
    client.force_login(charlie)
    client.post(add_url(alice_listing), {"quantity": 2})
    client.post(reverse("account_logout"))
    assert 'data-cart-count="0"' in client.get(BROWSE).content.decode()


def test_a_session_without_a_stored_count_is_counted_without_writing(
    client_for, charlie, alice_listing, django_assert_max_num_queries
):
    client = client_for(charlie)
    client.post(add_url(alice_listing), {"quantity": 2})
    session = client.session
    del session["cart_nav"]
    session.save()
    with django_assert_max_num_queries(6):
        response = client.get(BROWSE)
    assert 'data-cart-count="2"' in response.content.decode()
    assert "cart_nav" not in client.session
