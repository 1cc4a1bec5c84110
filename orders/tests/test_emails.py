"""Emails go out after commit, in both plain text and HTML, and a broken mail server never breaks a sale.

The buyer's emails are in the language the buyer placed the order in, whoever sends them and whenever.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from jobs.models import Job, JobStatus
from orders.emails import send_order_placed
from orders.models import Order
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import APPROVE, DECLINE, AddressFactory, card
from orders.tests.test_journeys import card_post, checkout_post

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_nothing_is_sent_before_commit(
    charlie, charlie_cart, charlie_address, choice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert mailoutbox == []
    # The emails wait in the job queue's one hand-over; the rest renew the shops' stock figures (catalog.shop_stock).
    names = [callback.__name__ for callback in callbacks]
    assert names.count("jobs.hand_over") == 1
    assert names.count("renew_versions") == 1  # the two sellers' stock figures, renewed together


def test_both_parts_render_completely(placed_order, mailoutbox):
    send_order_placed(placed_order.pk)
    [mail] = mailoutbox
    html = mail.alternatives[0][0]
    for part in (mail.body, html):
        assert placed_order.number in part
        assert "Dune" in part and "The Name of the Rose" in part
        assert "{{" not in part and "{%" not in part
    assert html.lstrip().startswith("<!doctype html>")
    assert "Calle 10 # 5-23" in mail.body


def test_mail_failure_is_logged_not_raised(
    charlie, charlie_cart, charlie_address, choice, settings, caplog, django_capture_on_commit_callbacks
):
    # The sender raises now; its job records the error and waits for a retry, and the sale stands.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert "attempt 1 failed" in caplog.text
    assert Order.objects.filter(pk=order.pk).exists()
    job = Job.objects.get(key=f"order_placed:{order.pk}")
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "ConnectionRefusedError" in job.last_error


# --- In the buyer's language -------------------------------------------------------------------------------------


@pytest.fixture
def buy_through_the_pages(
    client_for, charlie, charlie_cart, charlie_address, carriers, mailoutbox, django_capture_on_commit_callbacks
):
    """buy(headers) -> the order charlie places and pays (declined first, then approved) browsing with headers."""

    def buy(headers: dict) -> Order:
        client = client_for(charlie)
        page = client.get(reverse("orders:checkout"), **headers)
        with django_capture_on_commit_callbacks(execute=True):
            placed = client.post(reverse("orders:checkout"), checkout_post(page), **headers)
        pay_url = placed["Location"]
        pay_page = client.get(pay_url, **headers)
        with django_capture_on_commit_callbacks(execute=True):
            declined = client.post(pay_url, card_post(pay_page, DECLINE), **headers)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(pay_url, card_post(declined, APPROVE), **headers)
        return Order.objects.get(buyer=charlie)

    return buy


def buyer_mails(mailoutbox, buyer):
    return [mail for mail in mailoutbox if mail.to == [buyer.email]]


def test_a_buyer_browsing_in_spanish_gets_spanish_emails(buy_through_the_pages, charlie, mailoutbox):
    order = buy_through_the_pages(SPANISH)
    assert order.language == "es"
    placed, declined, approved = buyer_mails(mailoutbox, charlie)
    number = order.number

    assert placed.subject.startswith(f"Pedido {number} realizado: paga antes de")
    assert "Gracias por tu pedido" in placed.body and "Thank you for your order" not in placed.body
    assert "Gracias por tu pedido" in placed.alternatives[0][0]

    assert declined.subject == f"Se rechazó el pago del pedido {number}"
    for part in (declined.body, declined.alternatives[0][0]):
        assert f"Se rechazó tu pago del pedido {number}." in part
        assert "Motivo: La tarjeta fue rechazada." in part
        assert "The card was declined." not in part

    assert approved.subject == f"Recibimos el pago del pedido {number}"
    assert "Recibimos tu pago de" in approved.body

    # The sellers have not used the site in a language yet: their emails are in the site's default language.
    seller_subjects = [mail.subject for mail in mailoutbox if mail.to != [charlie.email]]
    assert seller_subjects == [f"New sale: order {number} is paid, please ship it"] * 2


def test_a_sellers_emails_are_in_the_language_they_last_used_the_site_in(
    buy_through_the_pages, charlie, charlie_cart, mailoutbox
):
    sellers = {line.listing.seller for line in charlie_cart.lines.select_related("listing__seller")}
    spanish_seller = min(sellers, key=lambda seller: seller.pk)
    User.objects.filter(pk=spanish_seller.pk).update(language="es")
    order = buy_through_the_pages(ENGLISH)
    number = order.number

    [to_spanish] = [mail for mail in mailoutbox if mail.to == [spanish_seller.email]]
    assert to_spanish.subject == f"Nueva venta: el pedido {number} está pagado, envíalo por favor"
    assert '<html lang="es">' in to_spanish.alternatives[0][0]
    [other] = [mail for mail in mailoutbox if mail.to not in ([spanish_seller.email], [charlie.email])]
    assert other.subject == f"New sale: order {number} is paid, please ship it"
    assert '<html lang="en">' in other.alternatives[0][0]
    # The buyer's stay in the order's language.
    assert all(mail.subject.startswith(("Order", "Payment")) for mail in buyer_mails(mailoutbox, charlie))


def test_a_buyer_browsing_in_english_gets_english_emails(buy_through_the_pages, charlie, mailoutbox):
    order = buy_through_the_pages(ENGLISH)
    assert order.language == "en"
    placed, declined, approved = buyer_mails(mailoutbox, charlie)
    number = order.number

    assert placed.subject.startswith(f"Order {number} placed: please pay by")
    assert "Thank you for your order" in placed.body and "Gracias" not in placed.body
    assert declined.subject == f"Payment declined for order {number}"
    assert "Reason: The card was declined." in declined.body
    assert approved.subject == f"Payment received for order {number}"
    assert "We received your payment of" in approved.body


def test_an_emails_language_is_the_orders_not_the_senders(
    buy_through_the_pages, charlie, alice, mailoutbox, django_capture_on_commit_callbacks
):
    order = buy_through_the_pages(SPANISH)
    mailoutbox.clear()
    # The seller ships from a page in English: the buyer still hears in Spanish.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        mark_shipped(order.shipments.get(seller=alice), alice)
    [shipped] = buyer_mails(mailoutbox, charlie)
    assert shipped.subject == f"Los libros de tu pedido {order.number} están en camino"


@pytest.mark.parametrize(
    "active, language, subject",
    [
        ("es-co", "es", "Pedido {number} realizado"),
        ("fr", "en", "Order {number} placed"),
        ("en", "en", "Order {number} placed"),
    ],
)
def test_an_order_records_the_active_language_as_one_the_site_offers(
    charlie,
    charlie_cart,
    charlie_address,
    choice,
    mailoutbox,
    django_capture_on_commit_callbacks,
    active,
    language,
    subject,
):
    # A regional variant counts as its language; one the site does not offer is the default language.
    with translation.override(active), django_capture_on_commit_callbacks(execute=True):
        order = place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert order.language == language
    assert mailoutbox[0].subject.startswith(subject.format(number=order.number))


@pytest.mark.parametrize(
    "language, worker_language, sent_from, delivered_in",
    [
        ("es", "en", "Enviado desde Austin, Estados Unidos.", "Entregado en Miami, Estados Unidos."),
        ("en", "es", "Sent from Austin, United States of America.", "Delivered in Miami, United States of America."),
    ],
)
def test_tracking_emails_name_the_places_country_in_the_buyers_language(
    charlie,
    bob,
    bob_listing,
    carriers,
    mailoutbox,
    django_capture_on_commit_callbacks,
    language,
    worker_language,
    sent_from,
    delivered_in,
):
    # Charlie orders in one language to a Miami address; bob ships and the carrier simulator delivers while
    # the other language is active.
    with translation.override(language):
        cart = get_or_create_cart(user=charlie)
        add_to_cart(cart, bob_listing, 1)
        address = AddressFactory(
            user=charlie, line1="100 Biscayne Blvd", city="Miami", region="FL", postal_code="33132", country="US"
        )
        order = place_order(charlie, cart, address, {bob.pk: carriers["USPSMM"].pk}, new_checkout_token())
    assert order.language == language
    pay_order(order, card(APPROVE), "tracking-places-0001")
    mailoutbox.clear()
    with translation.override(worker_language), django_capture_on_commit_callbacks(execute=True):
        mark_shipped(order.shipments.get(), bob)
        for _step in range(3):
            advance_shipments(push_all=True)

    shipped, delivered = buyer_mails(mailoutbox, charlie)
    other = "United States of America" if language == "es" else "Estados Unidos"
    for part in (shipped.body, shipped.alternatives[0][0]):
        assert sent_from in part and other not in part
    for part in (delivered.body, delivered.alternatives[0][0]):
        assert delivered_in in part and other not in part
