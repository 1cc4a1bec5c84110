"""The seller's earnings page, the sales export, and the back office's fee rates, ledger and payouts."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ListingFactory, UserFactory
from orders.models import FeeRate, LedgerEntry, Order, Payout
from orders.services import (
    add_to_cart,
    cancel_seller_part,
    get_or_create_cart,
    new_checkout_token,
    pay_order,
    place_order,
)
from orders.services.earnings import balances, send_payout
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, assert_admin_pages_render, card

pytestmark = pytest.mark.django_db

D = Decimal
EARNINGS = reverse("shipping:earnings")
EXPORT = reverse("shipping:sales_export")
SALES = reverse("shipping:sale_list")


@pytest.fixture
def paid_order(placed_order):
    pay_order(placed_order, card(), "earnings-paid-key-0001")
    return Order.objects.get(pk=placed_order.pk)


@pytest.fixture
def alice_part(paid_order, alice):
    return paid_order.shipments.get(seller=alice)


def today_period(**extra):
    today = timezone.localdate().isoformat()
    return {"start": today, "end": today, **extra}


# --- The earnings page ----------------------------------------------------------------


def test_seller_sees_balances_and_ledger(client_for, alice, alice_part):
    response = client_for(alice).get(EARNINGS)
    assert response.status_code == 200
    money = response.context["balances"]
    assert (money.pending, money.available, money.paid_out) == (D("27.10"), 0, 0)
    assert [e.kind for e in response.context["page"].object_list] == ["fee", "sale"]  # newest first
    html = response.content.decode()
    assert alice_part.order.number in html and reverse("shipping:sale_detail", args=[alice_part.pk]) in html


def test_the_sale_page_shows_the_fee_and_what_the_seller_receives_as_the_ledger_has_them(
    client_for, alice, alice_part
):
    html = client_for(alice).get(reverse("shipping:sale_detail", args=[alice_part.pk])).content.decode()
    shown = {
        part: D(re.search(rf'data-part="{part}">[^0-9]*([0-9.,]+)', html).group(1).replace(",", ""))
        for part in ("paid", "fee", "net")
    }
    entries = dict(LedgerEntry.objects.filter(shipment=alice_part).values_list("kind", "amount"))
    assert shown["paid"] == entries["sale"] and shown["fee"] == -entries["fee"] > 0
    assert shown["net"] == entries["sale"] + entries["fee"] == shown["paid"] - shown["fee"]
    percent = alice_part.lines.get().fee_percent
    assert f"Marketplace fee ({percent.normalize():f} % of the books)" in html
    html = (
        client_for(alice)
        .get(reverse("shipping:sale_detail", args=[alice_part.pk]), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "Lo que recibe" in html and f"Comisión del mercado ({percent.normalize():f} % de los libros)" in html


def test_the_balances_add_up_to_what_the_sales_earned(client_for, alice, staff, alice_part, refunded_part, bob):
    """What the page shows: pending + available + paid out is sales less fees and refunds, each named."""
    # Alice's part is delivered long ago (available), and part of it paid out; bob's was refunded.
    mark_shipped(alice_part, alice)
    for _n in range(3):
        advance_shipments(push_all=True)
    type(alice_part).objects.filter(pk=alice_part.pk).update(delivered_at=timezone.now() - timedelta(days=60))
    send_payout(alice, D("10.00"), staff)
    for seller in (alice, bob):
        html = client_for(seller).get(EARNINGS).content.decode()
        balance = {
            name: D(re.search(rf'data-balance="{name}">[^0-9-]*(-?[0-9.,]+)', html).group(1).replace(",", ""))
            for name in ("pending", "available", "paid_out")
        }
        line = re.search(r"<p[^>]*data-earned=[^>]*>", html).group(0)
        parts = {name: D(value) for name, value in re.findall(r'data-(\w+)="(-?[0-9.]+)"', line)}
        assert parts["earned"] == parts["sales"] - parts["fees"] - parts["refunds"] + parts["adjustments"]
        assert parts["earned"] == sum(balance.values()), (seller, balance, parts)
        if seller == alice:
            assert balance["available"] > 0 and balance["paid_out"] == D("10.00")
        assert "less fees" in html and "earned, the pending, available and paid-out amounts together" in html
    assert balance["paid_out"] == 0 and parts["refunds"] > 0  # bob's: all refunded
    spanish = client_for(alice).get(EARNINGS, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "lo pendiente, lo disponible y lo ya pagado juntos" in spanish


def test_other_seller_sees_only_their_own_money(client_for, bob, alice, alice_part):
    client = client_for(bob)
    response = client.get(EARNINGS)
    assert {e.seller_id for e in response.context["page"].object_list} == {bob.pk}
    assert response.context["balances"].pending == D("39.99")  # 9.99 + 31.00 - 1.00
    # The links of alice's ledger lead bob nowhere.
    assert client.get(reverse("shipping:sale_detail", args=[alice_part.pk])).status_code == 404


def test_filters_by_period_and_kind(client_for, alice, alice_part):
    client = client_for(alice)
    assert len(client.get(EARNINGS, today_period()).context["page"].object_list) == 2
    assert [e.kind for e in client.get(EARNINGS, {"kind": "sale"}).context["page"].object_list] == ["sale"]
    last_year = (timezone.localdate() - timedelta(days=365)).isoformat()
    response = client.get(EARNINGS, {"start": last_year, "end": last_year})
    assert response.status_code == 200 and not response.context["page"].object_list
    assert "No entries in this period." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01"},
        {"start": "yesterday"},
        {"start": "2026-05-02", "end": "2026-05-01"},
        {"start": "1899-01-01"},
        {"kind": "bonus"},
    ],
)
def test_bad_filter_is_a_400_showing_everything(client_for, alice, alice_part, params):
    response = client_for(alice).get(EARNINGS, params)
    assert response.status_code == 400
    assert len(response.context["page"].object_list) == 2
    assert "That period or kind is not valid" in response.content.decode()


def test_earnings_in_spanish(client_for, alice, alice_part):
    client = client_for(alice)
    with translation.override("es"):
        response = client.get(EARNINGS, HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert "Tus ganancias" in html and "Pendiente" in html and "Disponible" in html


def test_anonymous_and_shopless_visitors_are_sent_away(client, client_for, charlie, alice_part):
    for url in (EARNINGS, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    for url in (EARNINGS, EXPORT):
        response = client_for(charlie).get(url)  # the buyer has no shop
        assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")


def test_staff_without_a_shop_is_sent_to_set_one_up(client_for, staff):
    response = client_for(staff).get(EARNINGS)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")


def test_wrong_method(client_for, alice):
    client = client_for(alice)
    assert client.post(EARNINGS).status_code == 405
    assert client.post(EXPORT, today_period(format="csv")).status_code == 405


def test_earnings_query_budget(client_for, alice, carriers, django_assert_max_num_queries):
    listing = ListingFactory(seller=alice, quantity=50)
    for n in range(30):  # more entries than a page holds
        buyer = UserFactory()
        cart = get_or_create_cart(user=buyer)
        add_to_cart(cart, listing, 1)
        order = place_order(
            buyer, cart, AddressFactory(user=buyer), {alice.pk: carriers["ENVIA"].pk}, new_checkout_token()
        )
        pay_order(order, card(), f"earnings-budget-{n:04d}")
    client = client_for(alice)
    with django_assert_max_num_queries(8):
        response = client.get(EARNINGS)
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(8):
        assert client.get(EARNINGS, {"page": 3}).status_code == 200


def test_sales_and_earnings_pages_link_each_other(client_for, alice, alice_part):
    client = client_for(alice)
    sales = client.get(SALES).content.decode()
    assert EARNINGS in sales and f'action="{EXPORT}"' in sales
    assert SALES in client.get(EARNINGS).content.decode()


# --- The sales export -------------------------------------------------------------------


@pytest.fixture
def refunded_part(paid_order, alice, bob, charlie):
    """Bob's part of the paid order cancelled and refunded; alice's part still on its way."""
    cancel_seller_part(paid_order, bob, charlie)
    return paid_order.shipments.get(seller=bob)


def test_export_csv_has_the_sellers_own_sales(client_for, alice, alice_part):
    response = client_for(alice).get(EXPORT, today_period(format="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="sales-{today}-{today}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Order number", "Paid on", "Items", "Items amount", "Fees", "Shipping", "Refunds", "Net", "Status"],
        [
            alice_part.order.number,
            today,
            "2 x The Name of the Rose",
            "25.00",
            "2.50",
            "4.60",
            "0.00",
            "27.10",
            "Ready to ship",
        ],
    ]


def test_export_xlsx_with_refunds(client_for, bob, refunded_part):
    response = client_for(bob).get(EXPORT, today_period(format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert header[0] == "Order number" and header[6] == "Refunds"
    assert row[0] == refunded_part.order.number and row[2] == "1 x Dune"
    # 9.99 of books, its 1.00 fee given back, 31.00 shipping, all refunded: nothing left.
    assert [D(str(v)) for v in row[3:8]] == [D("9.99"), D("0.00"), D("31.00"), D("40.99"), D("0.00")]
    assert row[8] == "Cancelled"


def test_export_in_spanish(client_for, alice, alice_part):
    client = client_for(alice)
    with translation.override("es"):
        response = client.get(EXPORT, today_period(format="csv"), HTTP_ACCEPT_LANGUAGE="es")
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header[0] == "Número de pedido" and header[-1] == "Estado"


def test_other_seller_exports_none_of_alices_sales(client_for, alice_part, carriers):
    stranger = ListingFactory().seller  # a seller with a shop and no sales
    response = client_for(stranger).get(EXPORT, today_period(format="csv"))
    assert response.status_code == 200
    assert response.content.decode().strip().splitlines()[1:] == []


def test_export_only_covers_the_period(client_for, alice, alice_part):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(alice).get(EXPORT, {"start": yesterday, "end": yesterday, "format": "csv"})
    assert response.content.decode().strip().splitlines()[1:] == []


def test_export_without_a_period_shows_the_form(client_for, alice):
    response = client_for(alice).get(EXPORT)
    assert response.status_code == 200 and 'name="start"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-02-30", "end": "2026-03-01", "format": "csv"}, "Enter a valid date."),
        ({"end": "2026-03-01", "format": "csv"}, "This field is required."),
        ({"start": "2026-03-02", "end": "2026-03-01", "format": "csv"}, "must not be before its start"),
        ({"start": "2024-01-01", "end": "2025-06-01", "format": "csv"}, "at most one year"),
        ({"start": "2026-03-01", "end": "2026-03-01", "format": "pdf"}, "Select a valid choice."),
    ],
)
def test_bad_export_request_is_a_400_with_a_message(client_for, alice, params, message):
    response = client_for(alice).get(EXPORT, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a valid period to export." in html and message in html


def test_export_query_budget(client_for, alice, refunded_part, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(7):
        assert client.get(EXPORT, today_period(format="xlsx")).status_code == 200


# --- The back office -------------------------------------------------------------------------


def deliver_long_ago(shipment):
    mark_shipped(shipment, shipment.seller)
    for _ in range(3):
        advance_shipments(now=timezone.now() - timedelta(days=30), push_all=True)


def test_admin_pages_render(client_for, staff, alice, alice_part, django_assert_max_num_queries):
    deliver_long_ago(alice_part)
    FeeRate.objects.create(category=alice_part.lines.get().listing.book.category, percent=D("8"))
    client = client_for(staff)
    client.post(reverse("admin:orders_payout_add"), {"seller": alice.pk, "amount": "5.00", "reference": "T-1"})
    assert_admin_pages_render(client, LedgerEntry, 8, 8, django_assert_max_num_queries)
    assert_admin_pages_render(client, Payout, 8, 8, django_assert_max_num_queries)
    assert_admin_pages_render(client, FeeRate, 8, 12, django_assert_max_num_queries)


def test_admin_payout_up_to_the_available_balance(client_for, staff, alice, alice_part):
    deliver_long_ago(alice_part)
    client = client_for(staff)
    add = reverse("admin:orders_payout_add")
    response = client.post(add, {"seller": alice.pk, "amount": "27.11", "reference": "too much"})
    assert response.status_code == 200 and "at most the available balance" in response.content.decode()
    assert not Payout.objects.exists()

    response = client.post(add, {"seller": alice.pk, "amount": "27.10", "reference": "T-2"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert (payout.amount, payout.created_by, payout.reference) == (D("27.10"), staff, "T-2")
    assert LedgerEntry.objects.get(payout=payout).amount == D("-27.10")
    assert balances(alice).available == 0


def test_admin_cannot_change_or_delete_entries_or_payouts(client_for, staff, alice, alice_part):
    deliver_long_ago(alice_part)
    client = client_for(staff)
    client.post(reverse("admin:orders_payout_add"), {"seller": alice.pk, "amount": "1.00"})
    entry = LedgerEntry.objects.filter(kind="sale", seller=alice).get()
    payout = Payout.objects.get()
    for name, obj in (("ledgerentry", entry), ("payout", payout)):
        change = reverse(f"admin:orders_{name}_change", args=[obj.pk])
        assert client.post(change, {"amount": "999.00"}).status_code == 403
        assert client.post(reverse(f"admin:orders_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:orders_ledgerentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.amount == D("29.60")


def test_navigation_links_earnings_for_sellers_only(client_for, alice, charlie):
    assert EARNINGS not in client_for(charlie).get(reverse("orders:order_list")).content.decode()
    assert EARNINGS in client_for(alice).get(reverse("orders:order_list")).content.decode()


def test_admin_fee_rate_is_a_percentage(client_for, staff, alice_listing):
    category = alice_listing.book.category
    add = reverse("admin:orders_feerate_add")
    response = client_for(staff).post(add, {"category": category.pk, "percent": "150"})
    assert response.status_code == 200 and not FeeRate.objects.exists()
    assert client_for(staff).post(add, {"category": category.pk, "percent": "7.5"}).status_code == 302
    assert FeeRate.objects.get().percent == D("7.5")
