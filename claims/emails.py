"""The claim emails: one per timeline step, to the side that did not take it (both when staff or the site did).

Jobs name :func:`send_claim_update` with the event and the recipient ("buyer" or "seller"); the buyer reads it in
the order's language, the seller in their own (``accounts.languages.language_of``, as ``orders.emails`` does).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import language_of
from claims.models import ClaimEvent


def send_claim_update(event_id: int, to: str) -> None:
    """To the buyer or the seller of the claim: what just happened, and a link to the claim page."""
    event = ClaimEvent.objects.select_related("claim__shipment__order__buyer", "claim__shipment__seller").get(
        pk=event_id
    )
    claim = event.claim
    order = claim.shipment.order
    recipient = order.buyer if to == "buyer" else claim.shipment.seller
    language = order.language if to == "buyer" else language_of(recipient)
    with translation.override(language):
        context = {
            "event": event,
            "claim": claim,
            "order": order,
            "recipient": recipient,
            "for_buyer": to == "buyer",
            "claim_url": settings.SITE_URL.rstrip("/") + reverse("claims:detail", kwargs={"pk": claim.pk}),
        }
        subject = _("Claim about order %(number)s: %(what)s") % {
            "number": order.number,
            "what": event.get_action_display(),
        }
        text = render_to_string("claims/emails/update.txt", context)
        html = render_to_string("claims/emails/update.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()  # raises if the mail server refuses: the job is retried
