"""The payment page: test cards, declines and retries, replays that charge once, and who may pay."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import GatewayTransaction, Order, Payment
from orders.services import cancel_order, pay_order
from orders.states import OrderStatus, PaymentStatus
from orders.tests.conftest import APPROVE, DECLINE, NO_FUNDS, card
from orders.tests.test_journeys import card_post


def pay_url(order) -> str:
    return reverse("orders:pay", args=[order.number])


@pytest.fixture
def pay_page(client_for, charlie, placed_order):
    response = client_for(charlie).get(pay_url(placed_order))
    assert response.status_code == 200
    return response


def test_page_lists_the_test_cards_and_a_fresh_key(pay_page, client, placed_order):
    html = pay_page.content.decode()
    for number in ["4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 9995"]:
        assert number in html
    assert f'name="idempotency_key" value="{pay_page.context["idempotency_key"]}"' in html
    assert client.get(pay_url(placed_order)).context["idempotency_key"] != pay_page.context["idempotency_key"]


def test_approved_card_pays_the_order(pay_page, client, placed_order):
    response = client.post(pay_url(placed_order), card_post(pay_page, APPROVE))
    assert response.status_code == 302 and response["Location"] == placed_order.get_absolute_url()
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PAID
    payment = Payment.objects.get()
    assert (payment.card_brand, payment.card_last4, payment.amount) == ("visa", "4242", placed_order.total)
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("Payment approved" in m for m in messages)


def test_replayed_form_charges_once(pay_page, client, placed_order):
    data = card_post(pay_page, APPROVE)
    first = client.post(pay_url(placed_order), data)
    second = client.post(pay_url(placed_order), data)
    assert first["Location"] == second["Location"] == placed_order.get_absolute_url()
    assert Payment.objects.count() == 1
    assert GatewayTransaction.objects.filter(kind="charge").count() == 1


@pytest.mark.parametrize(
    "number, reason",
    [(DECLINE, "The card was declined."), (NO_FUNDS, "The card has insufficient funds.")],
)
def test_declined_card_shows_why_and_allows_a_retry(pay_page, client, placed_order, number, reason):
    response = client.post(pay_url(placed_order), card_post(pay_page, number))
    assert response.status_code == 200
    html = response.content.decode()
    assert reason in html
    number_input = re.search(r'<input[^>]*name="number"[^>]*>', html).group(0)
    assert "value=" not in number_input  # the number is never sent back
    assert response.context["idempotency_key"] != pay_page.context["idempotency_key"]
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PENDING_PAYMENT
    retry = client.post(pay_url(placed_order), card_post(response, APPROVE))
    assert retry.status_code == 302
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PAID
    assert Payment.objects.filter(status=PaymentStatus.DECLINED).count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"number": "4242 4242 4242 4241"}, "number"),  # fails the Luhn check
        ({"number": "not a card"}, "number"),
        ({"number": ""}, "number"),
        ({"cvc": "12"}, "cvc"),
        ({"cvc": "abc"}, "cvc"),
        ({"exp_month": "13"}, "exp_month"),
        ({"exp_month": "x"}, "exp_month"),
        ({"exp_year": "1999"}, "exp_year"),
        ({"name": ""}, "name"),
        ({"idempotency_key": "short"}, "idempotency_key"),
    ],
)
def test_bad_card_data_is_a_form_error_and_charges_nothing(pay_page, client, placed_order, changes, field):
    response = client.post(pay_url(placed_order), {**card_post(pay_page, APPROVE), **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Payment.objects.exists() and not GatewayTransaction.objects.exists()


def test_expired_card_is_refused(pay_page, client, placed_order):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    data = card_post(pay_page, APPROVE, exp_month=str(last_month.month), exp_year=str(last_month.year))
    response = client.post(pay_url(placed_order), data)
    assert response.status_code == 400 and not Payment.objects.exists()
    if last_month.year == timezone.localdate().year:  # in January the year list itself refuses it
        assert "The card has expired." in response.content.decode()


def test_paid_order_page_redirects_and_a_new_attempt_charges_nothing(pay_page, client, placed_order):
    pay_order(placed_order, card(), "k" * 20)
    response = client.get(pay_url(placed_order))
    assert response.status_code == 302 and response["Location"] == placed_order.get_absolute_url()
    response = client.post(pay_url(placed_order), card_post(pay_page, APPROVE))
    assert response.status_code == 302
    assert Payment.objects.count() == 1


def test_expired_or_cancelled_orders_cannot_be_paid(pay_page, client, placed_order, charlie):
    Order.objects.filter(pk=placed_order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(pay_url(placed_order)).status_code == 302
    response = client.post(pay_url(placed_order), card_post(pay_page, APPROVE))
    assert response.status_code == 302 and not Payment.objects.exists()

    Order.objects.filter(pk=placed_order.pk).update(expires_at=timezone.now() + timedelta(minutes=10))
    cancel_order(placed_order, by=charlie)
    response = client.post(pay_url(placed_order), card_post(pay_page, APPROVE))
    assert response.status_code == 302 and not Payment.objects.exists()


def test_only_the_buyer_may_pay(client, bob, placed_order, db):
    response = client.get(pay_url(placed_order))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(bob)
    assert client.get(pay_url(placed_order)).status_code == 404
    assert client.post(pay_url(placed_order), {"number": APPROVE}).status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(client_for, charlie, placed_order, method):
    assert getattr(client_for(charlie), method)(pay_url(placed_order)).status_code == 405


def test_pay_page_query_budget(pay_page, client, placed_order, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        assert client.get(pay_url(placed_order)).status_code == 200
