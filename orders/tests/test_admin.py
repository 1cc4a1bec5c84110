"""Back office for orders: every page renders for staff within a budget; the cancel-and-refund action."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import translation

from catalog.models import Listing
from orders.models import Address, GatewayTransaction, Order, Payment, Refund, ShipmentEvent
from orders.services import cancel_order, cancel_seller_part, pay_order
from orders.services.shipments import mark_shipped
from orders.states import OrderStatus, RefundStatus
from orders.tests.conftest import DECLINE, assert_admin_pages_render, card


@pytest.fixture
def admin_rows(placed_order, make_order, charlie, bob):
    """A paid order with a part cancelled (a refund), a declined attempt, and a few more orders."""
    pay_order(placed_order, card(DECLINE), "admin-declined-0001")
    pay_order(placed_order, card(), "admin-approved-0001")
    cancel_seller_part(placed_order, bob, by=charlie)
    for number in range(4):
        order = make_order()
        pay_order(order, card(), f"admin-more-orders-{number:04d}")
        if number % 2:
            cancel_order(order, by=order.buyer)
    return placed_order


def _messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    "model, list_budget, change_budget",
    [(Order, 8, 9), (Payment, 9, 8), (Refund, 7, 6), (Address, 7, 7), (GatewayTransaction, 7, 6)],
)
def test_changelist_and_change_page_render_for_staff(
    client_for, staff, admin_rows, model, list_budget, change_budget, django_assert_max_num_queries
):
    assert_admin_pages_render(client_for(staff), model, list_budget, change_budget, django_assert_max_num_queries)


def test_order_page_is_read_only_with_lines_shipments_and_payments(client_for, staff, admin_rows):
    response = client_for(staff).get(reverse("admin:orders_order_change", args=[admin_rows.pk]))
    html = response.content.decode()
    assert "The Name of the Rose" in html and "Dune" in html
    assert "Servientrega" in html and "declined" in html.lower()
    assert 'name="status"' not in html and 'name="total"' not in html  # nothing to edit by hand
    assert "field-language" in html and '<div class="readonly">English</div>' in html and 'name="language"' not in html
    assert client_for(staff).get(reverse("admin:orders_order_add")).status_code == 403


def test_search_and_filter(client_for, staff, admin_rows):
    client = client_for(staff)
    url = reverse("admin:orders_order_changelist")
    assert client.get(url, {"q": admin_rows.number}).context["cl"].result_count == 1
    assert client.get(url, {"q": "charlie@example.com"}).context["cl"].result_count == 1
    for status in ["paid", "cancelled"]:
        filtered = client.get(url, {"status__exact": status}).context["cl"].result_count
        assert filtered == Order.objects.filter(status=status).count() == 2 + (status == "paid")


def test_cancel_and_refund_action(client_for, staff, admin_rows, make_order, alice, alice_listing):
    shipped = make_order()
    pay_order(shipped, card(), "admin-shipped-0001")
    mark_shipped(shipped.shipments.get(), shipped.shipments.get().seller)
    response = client_for(staff).post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_and_refund", "_selected_action": [admin_rows.pk, shipped.pk]},
        follow=True,
    )
    admin_rows.refresh_from_db()
    shipped.refresh_from_db()
    assert admin_rows.status == OrderStatus.CANCELLED
    assert shipped.status == OrderStatus.SHIPPED
    assert Listing.objects.get(pk=alice_listing.pk).quantity == 3
    refunds = Refund.objects.filter(payment__order=admin_rows, status=RefundStatus.SUCCEEDED)
    assert refunds.count() == 2 and refunds.filter(created_by=staff).exists()
    assert refunds.filter(created_by=staff).get().reason == "Cancelled by our staff."
    # The buyer's timeline says so, in the buyer's language.
    event = ShipmentEvent.objects.filter(shipment__order=admin_rows, code="cancelled_by_staff").get()
    with translation.override("es"):
        assert event.display_description == "Cancelado por nuestro equipo."
    messages = _messages(response)
    assert any(admin_rows.number in m and "Cancelled 1 order" in m for m in messages)
    assert any(shipped.number in m and "Not cancelled" in m for m in messages)
    assert LogEntry.objects.filter(object_id=str(admin_rows.pk)).exists()


def test_retry_refunds_action_reports_nothing_to_retry(client_for, staff, admin_rows):
    response = client_for(staff).post(
        reverse("admin:orders_order_changelist"),
        {"action": "retry_refunds", "_selected_action": [admin_rows.pk]},
        follow=True,
    )
    assert "No refund was waiting for a retry." in _messages(response)


@pytest.mark.parametrize("model", [Order, Payment, Refund, Address])
def test_non_staff_and_anonymous_see_nothing(client, charlie, admin_rows, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(url).status_code == 302
    client.force_login(charlie)
    assert client.get(url).status_code == 302
