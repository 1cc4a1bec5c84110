"""The catalog's emails to sellers: a plain-text and an HTML template each, under ``templates/catalog/emails/``.

Services enqueue them as jobs (jobs.services.enqueue) in their own transaction, passing primary keys, so an
email goes out only for what was really committed and reads the committed rows. A failing mail server raises
here: the job is retried with backoff until the message is sent, and never undoes the change.
They are written in the seller's language (``accounts.languages.language_of``); an import's summary in the language
its file was checked in.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import language_of
from catalog.models import ImportRun, Listing
from catalog.services.imports import run_language


def send_listing_hidden(listing_id: int, reason: str) -> None:
    """To the seller: staff took their listing out of the catalog, why, and where to appeal."""
    listing = Listing.objects.select_related("book", "seller").get(pk=listing_id)
    inventory_url = settings.SITE_URL.rstrip("/") + reverse("sell:inventory") + "?status=hidden"
    with translation.override(language_of(listing.seller)):
        context = {
            "listing": listing,
            "seller": listing.seller,
            "reason": reason,
            "inventory_url": inventory_url,
        }
        message = EmailMultiAlternatives(
            subject=_("Your listing “%(title)s” was hidden from the catalog") % {"title": listing.book.title},
            body=render_to_string("catalog/emails/listing_hidden.txt", context),
            to=[listing.seller.email],
        )
        message.attach_alternative(render_to_string("catalog/emails/listing_hidden.html", context), "text/html")
        message.send()  # raises if the mail server refuses: the job records it and tries again later


def send_import_summary(run_id: int) -> None:
    """To the seller: their listings file is applied; what it created, updated, left alone, refused and paused."""
    run = ImportRun.objects.select_related("seller").get(pk=run_id)
    run_url = settings.SITE_URL.rstrip("/") + reverse("sell:import_run", kwargs={"pk": run.pk})
    with translation.override(run_language(run)):
        context = {"run": run, "seller": run.seller, "run_url": run_url, "errors": run.row_errors[:20]}
        message = EmailMultiAlternatives(
            subject=_("Your listings file “%(name)s” is imported") % {"name": run.original_name},
            body=render_to_string("catalog/emails/import_summary.txt", context),
            to=[run.seller.email],
        )
        message.send()
