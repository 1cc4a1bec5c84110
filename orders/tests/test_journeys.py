"""Whole journeys through the web pages: a buyer from empty cart to delivered parcels, a seller shipping."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from orders.models import Cart, Order, Payment, Refund, Shipment
from orders.states import OrderStatus, PaymentStatus, RefundStatus, ShipmentStatus
from orders.tests.conftest import APPROVE, DECLINE

ADDRESS = {
    "action": "address",
    "full_name": "Charlie Buyer",
    "line1": "Carrera 43A # 1-50",
    "line2": "Apto 301",
    "city": "Medellín",
    "region": "Antioquia",
    "postal_code": "050021",
    "country": "CO",
    "phone": "+57 300 555 0101",
}


def checkout_post(response, action="place", **overrides) -> dict:
    """What the checkout page's form would submit, as the page shows it (cheapest carriers preselected)."""
    context = response.context
    data = {
        "action": action,
        "checkout_token": context["checkout_token"],
        "confirmed": context["confirmed_key"],
        "address": context["address"].pk,
    }
    for choice in context["preview"].shipping:
        if choice.chosen:
            data[f"carrier_{choice.group.seller.pk}"] = choice.chosen.carrier.pk
    data.update(overrides)
    return data


def card_post(response, number, **overrides) -> dict:
    data = {
        "idempotency_key": response.context["idempotency_key"],
        "name": "Charlie Buyer",
        "number": number,
        "exp_month": "12",
        "exp_year": str(response.context["form"].fields["exp_year"].choices[-1][0]),
        "cvc": "123",
    }
    data.update(overrides)
    return data


def test_buyer_and_seller_journey(
    client, charlie, alice, bob, alice_listing, bob_listing, carriers, django_capture_on_commit_callbacks
):
    client.force_login(charlie)

    # Fill the cart from two sellers' listing pages.
    listing_page = client.get(alice_listing.get_absolute_url())
    assert reverse("orders:cart_add", args=[alice_listing.pk]) in listing_page.content.decode()
    client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 2})
    client.post(reverse("orders:cart_add", args=[bob_listing.pk]), {"quantity": 1, "price": "0.01"})
    cart_page = client.get(reverse("orders:cart"))
    assert [g.seller for g in cart_page.context["summary"].groups] == [alice, bob]
    assert 'data-cart-count="3"' in cart_page.content.decode()

    # Checkout: a new address, saved for reuse, then a carrier per seller.
    page = client.get(reverse("orders:checkout"))
    assert page.status_code == 200 and page.context["address"] is None
    response = client.post(reverse("orders:checkout"), ADDRESS)
    address = charlie.addresses.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?address={address.pk}")
    page = client.get(response["Location"])
    options = {c.group.seller: [q.carrier.code for q in c.options] for c in page.context["preview"].shipping}
    assert options == {alice: ["SERVI", "ENVIA"], bob: ["FEDEX", "DHL"]}

    # Pick DHL for bob's parcel: the page shows the new total before the order can be placed.
    page = client.post(
        reverse("orders:checkout"), checkout_post(page, "preview", **{f"carrier_{bob.pk}": carriers["DHL"].pk})
    )
    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.shipping[1].chosen.carrier.code == "DHL"
    shown_total = preview.total
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:checkout"), checkout_post(page))
    order = Order.objects.get(buyer=charlie)
    assert response.status_code == 302 and response["Location"] == reverse("orders:pay", args=[order.number])
    assert order.total == shown_total and order.status == OrderStatus.PENDING_PAYMENT
    assert order.lines.get(listing=bob_listing).unit_price == bob_listing.price  # not the posted 0.01
    alice_listing.refresh_from_db()
    bob_listing.refresh_from_db()
    assert (alice_listing.quantity, bob_listing.quantity) == (1, 2)
    assert not Cart.objects.get(user=charlie).lines.exists()
    assert any(order.number in m.subject for m in mail.outbox)

    # Pay: declined first (reason shown, order still payable), then approved.
    pay_page = client.get(response["Location"])
    assert "4242 4242 4242 4242" in pay_page.content.decode()
    declined = client.post(response["Location"], card_post(pay_page, DECLINE))
    assert declined.status_code == 200
    assert "The card was declined." in declined.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(response["Location"], card_post(declined, APPROVE))
    assert approved.status_code == 302 and approved["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.payments.values_list("status", flat=True)) == [PaymentStatus.APPROVED, PaymentStatus.DECLINED]
    detail = client.get(order.get_absolute_url())
    assert 'data-payment-status="approved"' in detail.content.decode()

    # Alice ships her part; the carrier moves it; the buyer sees the timeline.
    client.force_login(alice)
    sales = client.get(reverse("shipping:sale_list"))
    alice_shipment = Shipment.objects.get(order=order, seller=alice)
    assert list(sales.context["page"].object_list) == [alice_shipment]
    shipped = client.post(reverse("shipping:mark_shipped", args=[alice_shipment.pk]))
    assert shipped.status_code == 302
    alice_shipment.refresh_from_db()
    assert alice_shipment.status == ShipmentStatus.SHIPPED and alice_shipment.tracking_number
    call_command("advance_shipments", "--all", "--seed", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115

    client.force_login(charlie)
    detail = client.get(order.get_absolute_url())
    html = detail.content.decode()
    assert alice_shipment.tracking_number in html
    timeline = re.findall(r"<li class=\"position-relative", html)
    assert len(timeline) >= 2
    assert "In transit" in html

    # Bob has not shipped: charlie cancels his part; stock returns and the money for it is refunded.
    bob_shipment = Shipment.objects.get(order=order, seller=bob)
    part_total = bob_shipment.shipping_cost + sum(line.line_total for line in bob_shipment.lines.all())
    response = client.post(reverse("orders:order_cancel_part", args=[order.number, bob_shipment.pk]))
    assert response.status_code == 302
    bob_listing.refresh_from_db()
    bob_shipment.refresh_from_db()
    assert bob_listing.quantity == 3 and bob_shipment.status == ShipmentStatus.CANCELLED
    refund = Refund.objects.get(payment__order=order)
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == part_total
    assert Payment.objects.get(order=order, status=PaymentStatus.PARTIALLY_REFUNDED)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED  # the only part left has shipped
    detail = client.get(order.get_absolute_url())
    assert "Refunded" in detail.content.decode()


@pytest.mark.django_db
def test_anonymous_cart_follows_the_visitor_at_login(client, charlie, alice_listing):
    response = client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 2})
    assert response.status_code == 302
    assert 'data-cart-count="2"' in client.get(reverse("catalog:browse")).content.decode()

    login = client.post(reverse("account_login"), {"login": charlie.email, "password": "correct-horse-battery-staple"})
    assert login.status_code == 302
    cart = Cart.objects.get(user=charlie)
    assert list(cart.lines.values_list("listing_id", "quantity")) == [(alice_listing.pk, 2)]
    assert not Cart.objects.filter(user__isnull=True).exists()
    assert 'data-cart-count="2"' in client.get(reverse("catalog:browse")).content.decode()
    assert client.get(reverse("orders:checkout")).status_code == 200
