"""Cart rules: what may be added, quantity limits, flags on lines that changed, merging at login."""

from decimal import Decimal

import pytest

from catalog.models import Listing
from conftest import ListingFactory
from orders.errors import CartError
from orders.models import Cart, CartLine
from orders.services import (
    SESSION_CART_KEY,
    accept_current_prices,
    add_to_cart,
    attach_session_cart,
    cart_for_request,
    cart_item_count,
    cart_summary,
    get_cart,
    get_or_create_cart,
    merge_carts,
    remove_line,
    set_line_quantity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(charlie):
    return get_or_create_cart(user=charlie)


def test_one_cart_per_user_and_per_session_token(charlie):
    assert get_cart(user=charlie) is None
    cart = get_or_create_cart(user=charlie)
    assert get_or_create_cart(user=charlie) == cart
    anonymous = get_or_create_cart(session_key="token-abc")
    assert anonymous != cart and anonymous.user is None
    assert get_cart(session_key="token-abc") == anonymous
    with pytest.raises(ValueError):
        get_or_create_cart()
    with pytest.raises(ValueError):
        get_or_create_cart(user=charlie, session_key="token-abc")


def test_add_remembers_the_price_seen_and_adds_up(cart, alice_listing):
    line = add_to_cart(cart, alice_listing, 1)
    assert (line.quantity, line.price_seen) == (1, Decimal("12.50"))
    line = add_to_cart(cart, alice_listing, 2)
    assert line.quantity == 3
    assert CartLine.objects.filter(cart=cart).count() == 1


def test_own_listing_is_refused(alice, alice_listing):
    cart = get_or_create_cart(user=alice)
    with pytest.raises(CartError) as info:
        add_to_cart(cart, alice_listing, 1)
    assert info.value.code == "own_listing"
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1000, 100, "abc", "", None, 1.5, True, "-3"])
def test_bad_quantities_are_refused(cart, alice_listing, quantity):
    with pytest.raises(CartError) as info:
        add_to_cart(cart, alice_listing, quantity)
    assert info.value.code == "invalid_quantity"
    assert not CartLine.objects.exists()


def test_more_than_in_stock_is_refused_also_in_total(cart, alice_listing):
    with pytest.raises(CartError) as info:
        add_to_cart(cart, alice_listing, 4)
    assert info.value.code == "over_stock"
    assert "3" in str(info.value.message)
    add_to_cart(cart, alice_listing, 2)
    with pytest.raises(CartError):
        add_to_cart(cart, alice_listing, 2)
    assert cart.lines.get().quantity == 2


def test_sold_out_listing_is_refused(cart, alice):
    listing = ListingFactory(seller=alice, quantity=0)
    with pytest.raises(CartError) as info:
        add_to_cart(cart, listing, 1)
    assert info.value.code == "sold_out"


@pytest.mark.parametrize("status", ["draft", "paused", "hidden", "archived"])
def test_only_visible_listings_can_be_added(cart, alice, status):
    listing = ListingFactory(seller=alice, status=status)
    with pytest.raises(CartError) as info:
        add_to_cart(cart, listing, 1)
    assert info.value.code == "not_available"


def test_listing_of_inactive_seller_cannot_be_added(cart, alice, alice_listing):
    alice.is_active = False
    alice.save()
    with pytest.raises(CartError) as info:
        add_to_cart(cart, alice_listing.pk, 1)
    assert info.value.code == "not_available"


def test_set_quantity_checks_limits_and_ownership_of_the_line(cart, charlie, alice_listing, bob):
    line = add_to_cart(cart, alice_listing, 1)
    assert set_line_quantity(cart, line.pk, 3).quantity == 3
    for bad in (0, -1, 1000):
        with pytest.raises(CartError) as info:
            set_line_quantity(cart, line.pk, bad)
        assert info.value.code == "invalid_quantity"
    with pytest.raises(CartError) as info:
        set_line_quantity(cart, line.pk, 4)
    assert info.value.code == "over_stock"
    other_cart = get_or_create_cart(user=bob)
    with pytest.raises(CartError) as info:
        set_line_quantity(other_cart, line.pk, 1)
    assert info.value.code == "line_not_found"
    with pytest.raises(CartError):
        remove_line(other_cart, line.pk)
    with pytest.raises(CartError):
        remove_line(cart, "not-a-number")
    assert CartLine.objects.get(pk=line.pk).quantity == 3
    remove_line(cart, line.pk)
    assert not cart.lines.exists()


def test_summary_groups_by_seller_with_subtotals(cart, alice, alice_listing, bob_listing, django_assert_num_queries):
    second = ListingFactory(seller=alice, price=Decimal("5.00"), quantity=10)
    add_to_cart(cart, alice_listing, 2)
    add_to_cart(cart, bob_listing, 1)
    add_to_cart(cart, second, 3)
    with django_assert_num_queries(1):
        summary = cart_summary(cart)
        assert [g.seller_name for g in summary.groups] == ["Alice's Attic", "Bob's Books"]
        alice_group, bob_group = summary.groups
        assert [v.listing.pk for v in alice_group.lines] == [alice_listing.pk, second.pk]
        assert alice_group.subtotal == Decimal("40.00")
        assert alice_group.item_count == 5
        assert alice_group.origin_country == "CO"
        assert bob_group.subtotal == Decimal("9.99")
        assert summary.items_total == Decimal("49.99")
        assert summary.item_count == 6
        assert summary.can_checkout and not summary.problems


def test_summary_flags_lines_that_changed(cart, alice, bob, alice_listing, bob_listing):
    paused = ListingFactory(seller=alice, book__title="Paused one")
    hidden = ListingFactory(seller=alice, book__title="Hidden one")
    sold_out = ListingFactory(seller=alice, book__title="Sold out one")
    fewer = ListingFactory(seller=alice, book__title="Fewer left", quantity=5)
    for listing in (paused, hidden, sold_out):
        add_to_cart(cart, listing, 1)
    add_to_cart(cart, fewer, 4)
    add_to_cart(cart, alice_listing, 1)
    add_to_cart(cart, bob_listing, 1)
    Listing.objects.filter(pk=paused.pk).update(status=Listing.Status.PAUSED)
    Listing.objects.filter(pk=hidden.pk).update(status=Listing.Status.HIDDEN)
    Listing.objects.filter(pk=sold_out.pk).update(quantity=0)
    Listing.objects.filter(pk=fewer.pk).update(quantity=2)
    Listing.objects.filter(pk=alice_listing.pk).update(price=Decimal("15.00"))
    bob.is_active = False
    bob.save()

    summary = cart_summary(cart)

    codes = {view.listing.book.title: view.problem_codes for view in summary.lines}
    assert codes == {
        "Paused one": ["not_available"],
        "Hidden one": ["not_available"],
        "Sold out one": ["sold_out"],
        "Fewer left": ["over_stock"],
        "The Name of the Rose": ["repriced"],
        "Dune": ["not_available"],
    }
    repriced = next(p for p in summary.problems if p.code == "repriced")
    assert (repriced.price_seen, repriced.current_price) == (Decimal("12.50"), Decimal("15.00"))
    assert "$12.50" in repriced.message and "$15.00" in repriced.message
    assert next(p for p in summary.problems if p.code == "over_stock").available == 2
    assert not summary.can_checkout
    # Only the repriced line can still be bought (at its new price).
    assert summary.items_total == Decimal("15.00")

    assert accept_current_prices(cart) == 1
    assert "repriced" not in [p.code for p in cart_summary(cart).problems]


def test_summary_of_no_cart_is_empty():
    summary = cart_summary(None)
    assert summary.is_empty and not summary.can_checkout and summary.items_total == 0
    assert cart_item_count(None) == 0


def test_item_count_for_the_badge(cart, alice_listing, bob_listing, django_assert_num_queries):
    add_to_cart(cart, alice_listing, 2)
    add_to_cart(cart, bob_listing, 1)
    with django_assert_num_queries(1):
        assert cart_item_count(cart) == 3


def test_merge_sums_quantities_caps_at_stock_and_drops_own_listings(charlie, alice_listing, bob_listing):
    charlie_listing = ListingFactory(seller=charlie)
    user_cart = get_or_create_cart(user=charlie)
    add_to_cart(user_cart, alice_listing, 2)
    anonymous = get_or_create_cart(session_key="visitor-token")
    add_to_cart(anonymous, alice_listing, 2)  # 2 + 2 > 3 in stock
    add_to_cart(anonymous, bob_listing, 1)
    add_to_cart(anonymous, charlie_listing, 1)  # anonymous carts cannot know it is charlie's own

    merged = merge_carts(anonymous, user_cart)

    assert merged == user_cart
    assert dict(user_cart.lines.values_list("listing_id", "quantity")) == {alice_listing.pk: 3, bob_listing.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_attach_session_cart_at_login(client, charlie, alice_listing):
    session = client.session
    session[SESSION_CART_KEY] = "visitor-token-123"
    session.save()
    add_to_cart(get_or_create_cart(session_key="visitor-token-123"), alice_listing, 1)

    cart = attach_session_cart(session, charlie)

    assert cart.user == charlie
    assert cart.lines.get().listing == alice_listing
    assert SESSION_CART_KEY not in session
    assert attach_session_cart(session, charlie) is None


class FakeRequest:
    """Just what cart_for_request reads: the user and the session."""

    def __init__(self, user, session):
        self.user, self.session = user, session


def test_cart_for_request_keeps_the_visitor_token_in_the_session(client, charlie, alice_listing):
    from django.contrib.auth.models import AnonymousUser

    session = client.session
    visitor = FakeRequest(AnonymousUser(), session)
    assert cart_for_request(visitor) is None  # reading creates nothing
    assert not Cart.objects.exists()
    cart = cart_for_request(visitor, create=True)
    assert cart.session_key == session[SESSION_CART_KEY]
    assert cart_for_request(visitor) == cart
    assert cart_for_request(FakeRequest(charlie, session), create=True).user == charlie


def test_login_signal_moves_the_visitor_cart(client, charlie, alice_listing):
    from django.contrib.auth.signals import user_logged_in

    import orders.signals  # noqa: F401 - connects the receiver, as OrdersConfig.ready() does

    session = client.session
    visitor_cart = cart_for_request(FakeRequest(None, session), create=True)
    add_to_cart(visitor_cart, alice_listing, 1)
    user_logged_in.send(sender=type(charlie), request=FakeRequest(charlie, session), user=charlie)
    assert get_cart(user=charlie).lines.get().listing == alice_listing
    assert not Cart.objects.filter(pk=visitor_cart.pk).exists()
