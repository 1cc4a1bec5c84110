"""Feedback's emails, sent by jobs (``jobs.services.enqueue``) so they go out once, after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from feedback.models import Feedback
from orders.models import Shipment


def send_feedback_reminder(shipment_id: int) -> None:
    """To the buyer, a few days after delivery: how was it? A link to rate the seller. Nothing if rated meanwhile."""
    shipment = Shipment.objects.select_related("order__buyer", "seller__shop").get(pk=shipment_id)
    if Feedback.objects.filter(shipment=shipment).exists():
        return
    order = shipment.order
    shop = getattr(shipment.seller, "shop", None)
    with translation.override(order.language):
        path = reverse("feedback:rate", kwargs={"number": order.number, "shipment_id": shipment.pk})
        context = {
            "order": order,
            "shop_name": shop.name if shop else shipment.seller.display_name,
            "rate_url": settings.SITE_URL.rstrip("/") + path,
            "site_url": settings.SITE_URL,
        }
        subject = _("How was your parcel from %(shop)s?") % {"shop": context["shop_name"]}
        text = render_to_string("feedback/emails/reminder.txt", context)
        html = render_to_string("feedback/emails/reminder.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[order.buyer.email])
    message.attach_alternative(html, "text/html")
    message.send()  # raises if the mail server refuses: the job tries again later
