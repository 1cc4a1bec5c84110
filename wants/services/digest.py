"""The daily digest: one email a day per buyer with every new match, each listing once.

``send_digests`` runs once a day (wants.tasks, a once-per-period claim). For each buyer with matches not yet
emailed it renders the email in the buyer's language and puts it in the outbox with the key
``wants_digest:<user>:<day>``, marking those matches emailed in the same transaction: the email goes out once,
and a second run the same day adds nothing (its matches wait for tomorrow).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from jobs.mail import enqueue_message
from jobs.models import Job
from wants.models import Match, SavedSearch, Want
from wants.services import unsubscribe_token
from wants.services.matching import for_sale


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _language(user: User) -> str:
    """The person's language (accounts.languages), else that of their newest want or saved search."""
    if user.language:
        return user.language
    user_id = user.pk
    latest = [
        row.site_language
        for row in (
            Want.objects.filter(user_id=user_id).order_by("-created_at").only("site_language").first(),
            SavedSearch.objects.filter(user_id=user_id).order_by("-created_at").only("site_language").first(),
        )
        if row
    ]
    return latest[0] if latest else settings.LANGUAGE_CODE


def digest_key(user_id: int, day) -> str:
    return f"wants_digest:{user_id}:{day.isoformat()}"


def send_digest(user_id: int, now: datetime | None = None) -> bool:
    """Put ``user_id``'s digest in the outbox if they have new matches and had none today. Returns whether sent."""
    now = now or timezone.now()
    key = digest_key(user_id, timezone.localdate(now))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if Job.objects.filter(key=key).exists():
            return False
        matches = list(
            Match.objects.filter(user_id=user_id, emailed_at__isnull=True)
            .select_related("want", "saved_search")
            .order_by("created_at", "pk")
        )
        if not matches:
            return False
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(emailed_at=now)
        items: dict[int, dict] = {}
        for match in matches:
            if match.listing_id not in items:
                listing = for_sale(match.listing_id)
                if listing is None:  # sold or withdrawn since: not worth an email
                    continue
                items[match.listing_id] = {"listing": listing, "price": match.price, "reasons": []}
            item = items[match.listing_id]
            if match.price is not None and (item["price"] is None or match.price < item["price"]):
                item["price"] = match.price
            item["reasons"].append(match)
        if not items or not user.is_active:
            return False
        with translation.override(_language(user)):
            message = _digest_message(user, list(items.values()))
        enqueue_message(message, key=key)
    return True


def _digest_message(user: User, items: list[dict]) -> EmailMultiAlternatives:
    unsubscribes = {}
    for item in items:
        item["url"] = _absolute(item["listing"].get_absolute_url())
        for match in item["reasons"]:
            kind, obj = ("want", match.want) if match.want_id else ("search", match.saved_search)
            if (kind, obj.pk) not in unsubscribes:
                unsubscribes[(kind, obj.pk)] = {
                    "label": obj.describe() if kind == "want" else obj.q,
                    "url": _absolute(reverse("wants:unsubscribe", args=[unsubscribe_token(user.pk, kind, obj.pk)])),
                }
    all_url = _absolute(reverse("wants:unsubscribe", args=[unsubscribe_token(user.pk, "all")]))
    context = {
        "user": user,
        "items": items,
        "unsubscribes": list(unsubscribes.values()),
        "unsubscribe_all_url": all_url,
        "wants_url": _absolute(reverse("wants:list")),
        "site_url": settings.SITE_URL,
    }
    subject = (
        _("A book you want is for sale")
        if len(items) == 1
        else _("%(count)d books you want are for sale") % {"count": len(items)}
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("wants/emails/digest.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{all_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("wants/emails/digest.html", context), "text/html")
    return message


def send_digests(now: datetime | None = None) -> int:
    """Every buyer's digest of the day. Returns how many were put in the outbox."""
    now = now or timezone.now()
    user_ids = Match.objects.filter(emailed_at__isnull=True).order_by().values_list("user_id", flat=True).distinct()
    return sum(send_digest(user_id, now) for user_id in list(user_ids))
