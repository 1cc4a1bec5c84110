"""Abuse limits on buying: declined payments per order and per buyer (card testing), adding to the cart.

The limits count in the test cache (local memory, emptied before each test) exactly as in Redis in production.
"""

import pytest
from django.urls import reverse

from conftest import ListingFactory, UserFactory
from orders.models import CartLine, GatewayTransaction, Payment
from orders.states import OrderStatus, PaymentStatus
from orders.tests.conftest import APPROVE, DECLINE
from orders.tests.test_journeys import card_post

pytestmark = pytest.mark.usefixtures("steady_ratelimit_clock")

PAUSED = "Too many payments for this order were declined."


def pay_url(order) -> str:
    return reverse("orders:pay", args=[order.number])


def attempt(client, order, number):
    """One payment attempt through the real form (a fresh page, so a fresh idempotency key)."""
    page = client.get(pay_url(order))
    assert page.status_code == 200
    return client.post(pay_url(order), card_post(page, number))


@pytest.fixture
def charlie_client(client_for, charlie):
    return client_for(charlie)


def test_the_sixth_attempt_after_five_declines_is_refused_with_429(charlie_client, placed_order):
    for _n in range(5):
        response = attempt(charlie_client, placed_order, DECLINE)
        assert response.status_code == 200
        assert "Your payment was declined" in response.content.decode()

    # Even the good card is refused now: the gateway is not asked again until the window ends.
    response = attempt(charlie_client, placed_order, APPROVE)
    assert response.status_code == 429
    html = response.content.decode()
    assert PAUSED in html
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 600  # the end of the ten-minute window
    minutes = -(-retry_after // 60)
    assert f"You can try again in {minutes} minute" in html
    assert f'href="{placed_order.get_absolute_url()}"' in html

    # Nothing was lost or charged: the order still waits with its stock, five declined attempts on record.
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.filter(order=placed_order, status=PaymentStatus.DECLINED).count() == 5
    assert not Payment.objects.filter(status=PaymentStatus.APPROVED).exists()
    assert GatewayTransaction.objects.filter(kind="charge").count() == 5
    assert charlie_client.get(placed_order.get_absolute_url()).status_code == 200


def test_the_limit_is_translated(charlie_client, placed_order):
    for _n in range(5):
        attempt(charlie_client, placed_order, DECLINE)
    page = charlie_client.get(pay_url(placed_order))
    response = charlie_client.post(pay_url(placed_order), card_post(page, APPROVE), headers={"accept-language": "es"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Demasiados pagos de este pedido fueron rechazados." in html
    assert "Puedes volver a intentarlo en" in html


def test_replaying_a_declined_form_counts_once(charlie_client, placed_order):
    page = charlie_client.get(pay_url(placed_order))
    data = card_post(page, DECLINE)
    for _n in range(6):  # a double click, the back button: the same attempt each time
        assert charlie_client.post(pay_url(placed_order), data).status_code == 200
    assert attempt(charlie_client, placed_order, APPROVE).status_code == 302


def test_approved_and_invalid_attempts_do_not_count(charlie_client, make_order, charlie):
    order = make_order(buyer=charlie)
    for _n in range(6):  # card numbers that fail the Luhn check never reach the gateway
        assert attempt(charlie_client, order, "4242 4242 4242 4241").status_code == 400
    assert attempt(charlie_client, order, APPROVE).status_code == 302


def test_another_order_stays_payable_until_the_buyers_own_limit(charlie_client, charlie, make_order, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pay_declines_per_user": "7/h"}
    first, second, third = make_order(buyer=charlie), make_order(buyer=charlie), make_order(buyer=charlie)
    for _n in range(5):
        attempt(charlie_client, first, DECLINE)
    assert attempt(charlie_client, first, APPROVE).status_code == 429

    # The second order has its own count: two more declines are still tried at the gateway ...
    for _n in range(2):
        response = attempt(charlie_client, second, DECLINE)
        assert response.status_code == 200 and "Your payment was declined" in response.content.decode()
    # ... and then the buyer's seven declines in the hour stop every order of theirs.
    for order in (second, third):
        response = attempt(charlie_client, order, APPROVE)
        assert response.status_code == 429
        assert "Too many of your payments were declined in a short time." in response.content.decode()
    assert GatewayTransaction.objects.filter(kind="charge").count() == 7


def test_buyers_paying_from_one_address_share_its_limit(client_for, make_order, settings):
    """A card tester with several accounts: each stays under its own limits, their address does not."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pay_declines_per_ip": "4/h"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    testers = [make_order() for _n in range(3)]
    sent = 0
    for order in testers[:2]:
        client = client_for(order.buyer)
        for _n in range(2):
            page = client.get(pay_url(order))
            # Each time the client makes up another address; the proxy appends the one it saw.
            response = client.post(
                pay_url(order), card_post(page, DECLINE), headers={"x-forwarded-for": f"203.0.113.{sent}, 192.0.2.9"}
            )
            sent += 1
            assert response.status_code == 200
    order = testers[2]
    client = client_for(order.buyer)
    page = client.get(pay_url(order))
    refused = client.post(pay_url(order), card_post(page, APPROVE), headers={"x-forwarded-for": "192.0.2.9"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many payments from your network were declined" in refused.content.decode()
    spanish = client.post(
        pay_url(order), card_post(page, APPROVE), headers={"x-forwarded-for": "192.0.2.9", "accept-language": "es"}
    )
    assert "Demasiados pagos desde tu red fueron rechazados" in spanish.content.decode()
    assert GatewayTransaction.objects.filter(kind="charge").count() == 4
    # A buyer elsewhere pays.
    paid = client.post(pay_url(order), card_post(page, APPROVE), headers={"x-forwarded-for": "198.51.100.7"})
    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_another_buyer_is_not_affected(charlie_client, placed_order, make_order, client_for):
    for _n in range(5):
        attempt(charlie_client, placed_order, DECLINE)
    assert attempt(charlie_client, placed_order, APPROVE).status_code == 429
    other_order = make_order()
    other = client_for(other_order.buyer)
    assert attempt(other, other_order, APPROVE).status_code == 302


# --- Adding to the cart -----------------------------------------------------------------------------


def test_adding_to_the_cart_too_fast_is_refused_and_the_cart_kept(client_for, charlie, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cart_add": "3/m"}
    client = client_for(charlie)
    listings = [ListingFactory(quantity=5) for _n in range(4)]
    for listing in listings[:3]:
        assert client.post(reverse("orders:cart_add", args=[listing.pk]), {"quantity": 1}).status_code == 302

    response = client.post(reverse("orders:cart_add", args=[listings[3].pk]), {"quantity": 1})
    assert response.status_code == 429
    assert "You are adding books to your cart very fast." in response.content.decode()
    assert response["Retry-After"]
    assert sorted(CartLine.objects.values_list("listing_id", flat=True)) == sorted(x.pk for x in listings[:3])
    assert client.get(reverse("orders:cart")).status_code == 200


def test_the_cart_limit_counts_each_signed_in_buyer_apart(client_for, charlie, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cart_add": "1/m"}
    listing = ListingFactory(quantity=5)
    url = reverse("orders:cart_add", args=[listing.pk])
    assert client_for(charlie).post(url, {"quantity": 1}).status_code == 302
    assert client_for(charlie).post(url, {"quantity": 1}).status_code == 429

    assert client_for(UserFactory()).post(url, {"quantity": 1}).status_code == 302  # same address, other buyer
