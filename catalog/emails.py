"""The catalog's emails to sellers: a plain-text and an HTML template each, under ``templates/catalog/emails/``.

Services enqueue them as jobs (jobs.services.enqueue) in their own transaction, passing primary keys, so an
email goes out only for what was really committed and reads the committed rows. A failing mail server raises
here: the job is retried with backoff until the message is sent, and never undoes the change.
We do not know a seller's language: these emails use the site's default language, ``settings.LANGUAGE_CODE``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import Listing


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
        message = EmailMultiAlternatives(
            subject=_("Your listing “%(title)s” was hidden from the catalog") % {"title": listing.book.title},
            body=render_to_string("catalog/emails/listing_hidden.txt", context),
            to=[listing.seller.email],
        )
        message.attach_alternative(render_to_string("catalog/emails/listing_hidden.html", context), "text/html")
        message.send()  # raises if the mail server refuses: the job records it and tries again later
