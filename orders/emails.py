"""The emails of buying: each is a plain-text and an HTML template under ``templates/orders/emails/``.

Services never call these directly: they enqueue a job naming one of them (``jobs.services.enqueue``, with
primary keys and a stable key such as ``order_placed:<order id>``) in the transaction that makes the email
necessary, so an email goes out only for what was really committed, reads the committed rows, and goes out once
however often its job is delivered. A failing mail server raises here: the job is retried with backoff, and the
sale is never undone.

The buyer's emails are written in the language the buyer placed the order in (``Order.language``), whoever
or whatever triggers them (the seller shipping, the carrier simulator). A seller's are written in the language they
last used the site in (``accounts.languages.language_of``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.languages import language_of
from core.money import format_money
from core.templatetags.site_tags import datetime_with_zone
from orders.models import Order, Payment, Shipment
from orders.states import PaymentStatus

SHIPPED_SUBJECT = gettext_lazy("Your books from order %(number)s are on their way")
DELIVERED_SUBJECT = gettext_lazy("Your books from order %(number)s were delivered")


def _absolute(url_name: str, **kwargs) -> str:
    """An absolute link to a page, or "" while the page does not exist yet."""
    try:
        path = reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def _send(template: str, subject: str, to: str, context: dict) -> None:
    context = {**context, "site_url": settings.SITE_URL, "currency": settings.CURRENCY}
    text = render_to_string(f"orders/emails/{template}.txt", context)
    html = render_to_string(f"orders/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()  # raises if the mail server refuses: the job records it and tries again later


def _order(order_id: int) -> Order:
    return Order.objects.select_related("buyer").prefetch_related("lines", "shipments__carrier").get(pk=order_id)


def _order_url(order: Order) -> str:
    return _absolute("orders:order_detail", number=order.number)


def send_order_placed(order_id: int) -> None:
    """To the buyer: the order is placed, what it holds, and how long they have to pay."""
    order = _order(order_id)
    with translation.override(order.language):
        _send(
            "order_placed",
            _("Order %(number)s placed: please pay by %(deadline)s")
            % {"number": order.number, "deadline": datetime_with_zone(order.expires_at)},
            order.buyer.email,
            {"order": order, "order_url": _order_url(order), "pay_url": _absolute("orders:pay", number=order.number)},
        )


def send_payment_result(payment_id: int) -> None:
    """To the buyer: the payment was approved (the order is paid) or declined (with why, and how to retry)."""
    payment = Payment.objects.select_related("order__buyer").get(pk=payment_id)
    order = payment.order
    approved = payment.status != PaymentStatus.DECLINED
    with translation.override(order.language):
        subject = (
            _("Payment received for order %(number)s") if approved else _("Payment declined for order %(number)s")
        ) % {"number": order.number}
        _send(
            "payment_result",
            subject,
            order.buyer.email,
            {
                "order": order,
                "payment": payment,
                "approved": approved,
                "order_url": _order_url(order),
                "pay_url": _absolute("orders:pay", number=order.number),
            },
        )


def send_new_sale(shipment_id: int) -> None:
    """To a seller: a paid sale to ship, their lines only, and where to send it."""
    shipment = (
        Shipment.objects.select_related("order", "seller", "carrier").prefetch_related("lines").get(pk=shipment_id)
    )
    with translation.override(language_of(shipment.seller)):
        _send(
            "new_sale",
            _("New sale: order %(number)s is paid, please ship it") % {"number": shipment.order.number},
            shipment.seller.email,
            {
                "shipment": shipment,
                "order": shipment.order,
                "lines": list(shipment.lines.all()),
                "sale_url": _absolute("shipping:sale_detail", pk=shipment.pk),
            },
        )


def _send_tracking(shipment_id: int, template: str, subject) -> None:
    shipment = (
        Shipment.objects.select_related("order__buyer", "carrier")
        .prefetch_related("lines", "events")
        .get(pk=shipment_id)
    )
    # The event this email tells of (the templates are named after the status), for where it happened.
    event = next((e for e in reversed(shipment.events.all()) if e.status == template), None)
    with translation.override(shipment.order.language):
        _send(
            template,
            str(subject) % {"number": shipment.order.number},
            shipment.order.buyer.email,
            {
                "shipment": shipment,
                "order": shipment.order,
                "lines": list(shipment.lines.all()),
                "order_url": _order_url(shipment.order),
                # Worded here, inside the buyer's language.
                "place": event.place if event else "",
            },
        )


def send_shipment_shipped(shipment_id: int) -> None:
    """To the buyer: one seller's parcel left, with its carrier and tracking number."""
    _send_tracking(shipment_id, "shipped", SHIPPED_SUBJECT)


def send_shipment_delivered(shipment_id: int) -> None:
    """To the buyer: one seller's parcel arrived."""
    _send_tracking(shipment_id, "delivered", DELIVERED_SUBJECT)


def send_cancellation(order_id: int, shipment_ids: list[int], refund_amount: str) -> None:
    """To the buyer: what was cancelled, and what is refunded."""
    order = _order(order_id)
    shipments = list(
        Shipment.objects.filter(pk__in=shipment_ids).select_related("seller", "carrier").prefetch_related("lines")
    )
    refund = Decimal(refund_amount)
    with translation.override(order.language):
        _send(
            "cancelled",
            _("Order %(number)s: cancellation confirmed") % {"number": order.number},
            order.buyer.email,
            {
                "order": order,
                "shipments": shipments,
                "refund": refund,
                "refund_text": format_money(refund) if refund else "",
                "order_url": _order_url(order),
            },
        )


def send_sale_cancelled(shipment_id: int) -> None:
    """To a seller who was told of the sale: their part of the order was cancelled, do not ship it.

    One job per seller, so that a retry after one seller's mail server failed never writes to the others twice.
    """
    shipment = (
        Shipment.objects.select_related("order", "seller", "carrier").prefetch_related("lines").get(pk=shipment_id)
    )
    with translation.override(language_of(shipment.seller)):
        _send(
            "sale_cancelled",
            _("Order %(number)s was cancelled: do not ship it") % {"number": shipment.order.number},
            shipment.seller.email,
            {"order": shipment.order, "shipment": shipment, "lines": list(shipment.lines.all())},
        )
