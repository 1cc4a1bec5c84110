"""The catalog's emails to sellers: a plain-text and an HTML template each, under ``templates/catalog/emails/``.

Services register them with ``transaction.on_commit`` and pass primary keys, so an email goes out only for what
was really committed and reads the committed rows. A failing mail server is logged and never undoes the change.
We do not know a seller's language: these emails use the site's default language, ``settings.LANGUAGE_CODE``.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import Listing

logger = logging.getLogger(__name__)


def send_listing_hidden(listing_id: int, reason: str) -> None:
    """To the seller: staff took their listing out of the catalog, why, and where to appeal."""
    listing = Listing.objects.select_related("book", "seller").get(pk=listing_id)
    inventory_url = settings.SITE_URL.rstrip("/") + reverse("sell:inventory") + "?status=hidden"
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "listing": listing,
            "seller": listing.seller,
            "reason": reason,
            "inventory_url": inventory_url,
            "LANGUAGE_CODE": settings.LANGUAGE_CODE,
        }
        try:
            message = EmailMultiAlternatives(
                subject=_("Your listing “%(title)s” was hidden from the catalog") % {"title": listing.book.title},
                body=render_to_string("catalog/emails/listing_hidden.txt", context),
                to=[listing.seller.email],
            )
            message.attach_alternative(render_to_string("catalog/emails/listing_hidden.html", context), "text/html")
            message.send()
        except Exception:
            logger.exception("Could not send the listing-hidden email for listing %s", listing_id)
