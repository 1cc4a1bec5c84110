"""The rules of messages: who may write to whom, how many new threads a day, read state and email notices.

Each write is one ``transaction.atomic()`` block that locks the thread row first, then its participants.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Listing
from core.badges import Badge, read_badge
from jobs.services import enqueue
from messaging.models import MAX_BODY_LENGTH, Block, Message, Participant, Thread
from orders.models import Shipment


class MessagingError(Exception):
    """A refused message or thread; ``message`` is for the user, ``code`` for the caller."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Reading ----------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    return f"messaging:unread:{user_id}"


# Writes and reads delete the entry (messaging.services._forget_unread); the time to live only bounds how long
# a deletion lost with an unreachable cache can leave the badge wrong.
UNREAD_CACHE_SECONDS = 3600


def _count_unread(user: User) -> int:
    return Participant.objects.filter(user=user, unread_count__gt=0).aggregate(n=Sum("unread_count"))["n"] or 0


# The navigation's count of unread messages (core.badges): read with the other badges of a page.
UNREAD_BADGE = Badge(key=_unread_key, count=_count_unread, seconds=UNREAD_CACHE_SECONDS)


def unread_total(user: User) -> int:
    """Unread messages of ``user`` over all threads: cached per user (counted at sign-in), one query on a miss."""
    return read_badge(user, UNREAD_BADGE)


def _forget_unread(*user_ids: int) -> None:
    def forget() -> None:
        # An unreachable cache: the count then ages out with its time to live.
        with contextlib.suppress(Exception):
            cache.delete_many([_unread_key(pk) for pk in user_ids])

    # Now, and again once committed: a page read between the two may have cached the count from before.
    forget()
    transaction.on_commit(forget)


def thread_for_participant(user: User, pk: int) -> Thread | None:
    """Thread ``pk`` with what its page shows, if ``user`` is one of its two sides; else None."""
    return (
        Thread.objects.select_related("listing__book", "shipment__order", "buyer", "seller__shop", "buyer__shop")
        .filter(pk=pk, participants__user=user)
        .first()
    )


def is_blocked(seller_id: int, buyer_id: int) -> bool:
    return Block.objects.filter(seller_id=seller_id, buyer_id=buyer_id).exists()


def seller_name(user: User) -> str:
    shop = getattr(user, "shop", None)
    return shop.name if shop is not None else (user.get_full_name() or _("Seller"))


def buyer_name(user: User) -> str:
    """What the other side sees of a buyer: their name, never their email address."""
    return user.get_full_name() or _("Buyer")


def party_name(thread: Thread, user: User) -> str:
    return seller_name(user) if user.pk == thread.seller_id else buyer_name(user)


# --- Writing ----------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise MessagingError(_("Write a message."), code="empty")
    if len(body) > MAX_BODY_LENGTH:
        raise MessagingError(
            _("A message holds at most %(max)d characters.") % {"max": MAX_BODY_LENGTH}, code="too_long"
        )
    return body


def threads_started_today(user: User) -> int:
    since = timezone.now() - timedelta(days=1)
    return Thread.objects.filter(started_by=user, created_at__gte=since).count()


def _check_daily_limit(user: User) -> None:
    limit = settings.MESSAGING_MAX_NEW_THREADS_PER_DAY
    if threads_started_today(user) >= limit:
        raise MessagingError(
            _(
                "You have started %(limit)d conversations in the last 24 hours, the most allowed. "
                "Please wait before starting another one, or write in one of your existing conversations."
            )
            % {"limit": limit},
            code="too_many_threads",
        )


def _check_not_blocked(thread_or_seller_id: int, author: User, buyer_id: int) -> None:
    if author.pk == buyer_id and is_blocked(thread_or_seller_id, buyer_id):
        raise MessagingError(_("This seller does not accept messages from you."), code="blocked")


def _create_thread(*, subject: str, title: str, buyer: User, seller: User, starter: User, **about) -> Thread:
    now = timezone.now()
    thread = Thread.objects.create(
        subject=subject,
        title=title[:255],
        buyer=buyer,
        seller=seller,
        started_by=starter,
        last_message_at=now,
        **about,
    )
    Participant.objects.bulk_create(
        [
            Participant(thread=thread, user=buyer, last_message_at=now),
            Participant(thread=thread, user=seller, last_message_at=now),
        ]
    )
    return thread


def listing_thread(listing: Listing, buyer: User) -> Thread | None:
    return Thread.objects.filter(listing=listing, buyer=buyer).first()


def shipment_thread(shipment: Shipment) -> Thread | None:
    return Thread.objects.filter(shipment=shipment).first()


def ask_about_listing(listing: Listing, buyer: User, body: str) -> Thread:
    """Write to the seller of ``listing``: in the buyer's thread about it, started now if there is none.

    Raises MessagingError: ``own_listing``, ``not_available``, ``blocked``, ``too_many_threads``, ``empty``,
    ``too_long``.
    """
    body = _clean_body(body)
    if listing.seller_id == buyer.pk:
        raise MessagingError(_("This is your own listing."), code="own_listing")
    existing = listing_thread(listing, buyer)
    if existing is not None:
        post_message(existing, buyer, body)
        return existing
    if not listing.is_visible:
        raise MessagingError(_("This listing is not for sale."), code="not_available")
    _check_not_blocked(listing.seller_id, buyer, buyer.pk)
    _check_daily_limit(buyer)
    try:
        with transaction.atomic():
            thread = _create_thread(
                subject=Thread.Subject.LISTING,
                title=listing.book.title,
                buyer=buyer,
                seller=listing.seller,
                starter=buyer,
                listing=listing,
            )
    except IntegrityError:  # a double submit created it meanwhile: write in that one
        thread = listing_thread(listing, buyer)
    post_message(thread, buyer, body)
    return thread


def write_about_shipment(shipment: Shipment, author: User, body: str) -> Thread:
    """Write in the thread of ``shipment`` (its order's buyer and its seller), started now if there is none.

    Raises MessagingError: ``not_party``, ``blocked``, ``too_many_threads``, ``empty``, ``too_long``.
    """
    body = _clean_body(body)
    buyer = shipment.order.buyer
    if author.pk not in (buyer.pk, shipment.seller_id):
        raise MessagingError(_("You are not part of this order."), code="not_party")
    existing = shipment_thread(shipment)
    if existing is not None:
        post_message(existing, author, body)
        return existing
    _check_not_blocked(shipment.seller_id, author, buyer.pk)
    _check_daily_limit(author)
    try:
        with transaction.atomic():
            thread = _create_thread(
                subject=Thread.Subject.SHIPMENT,
                title=_("Order %(number)s") % {"number": shipment.order.number},
                buyer=buyer,
                seller=shipment.seller,
                starter=author,
                shipment=shipment,
            )
    except IntegrityError:
        thread = shipment_thread(shipment)
    post_message(thread, author, body)
    return thread


def post_message(thread: Thread, author: User, body: str) -> Message:
    """Add ``author``'s message to ``thread``: the other side's unread count grows, and they get an email
    unless one about this thread was queued for them in the last MESSAGING_EMAIL_MINUTES (that one, or the
    next, covers this message).

    Raises MessagingError: ``not_party``, ``blocked``, ``empty``, ``too_long``.
    """
    body = _clean_body(body)
    if author.pk not in (thread.buyer_id, thread.seller_id):
        raise MessagingError(_("You are not part of this conversation."), code="not_party")
    _check_not_blocked(thread.seller_id, author, thread.buyer_id)
    recipient_id = thread.seller_id if author.pk == thread.buyer_id else thread.buyer_id
    with transaction.atomic():
        Thread.objects.select_for_update().filter(pk=thread.pk).first()
        message = Message.objects.create(thread=thread, author=author, body=body)
        now = message.created_at
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        Participant.objects.filter(thread=thread, user=author).update(
            last_message_at=now, unread_count=0, last_read_at=now
        )
        Participant.objects.filter(thread=thread, user_id=recipient_id).update(
            last_message_at=now, unread_count=F("unread_count") + 1
        )
        quiet_since = now - timedelta(minutes=settings.MESSAGING_EMAIL_MINUTES)
        recipient = Participant.objects.select_for_update().get(thread=thread, user_id=recipient_id)
        if recipient.notified_at is None or recipient.notified_at <= quiet_since:
            recipient.notified_at = now
            recipient.save(update_fields=["notified_at"])
            enqueue(
                "messaging.emails.send_new_messages",
                key=f"message_notice:{recipient.pk}:{message.pk}",
                participant_id=recipient.pk,
            )
        _forget_unread(recipient_id, author.pk)
    thread.last_message_at = now
    return message


def mark_read(thread: Thread, user: User) -> None:
    """Everything in ``thread`` counts as read by ``user`` (no write when nothing was unread)."""
    changed = Participant.objects.filter(thread=thread, user=user, unread_count__gt=0).update(
        unread_count=0, last_read_at=timezone.now()
    )
    if changed:
        _forget_unread(user.pk)


def block_buyer(thread: Thread, seller: User) -> None:
    """The thread's seller stops its buyer from writing to them (in every thread between them)."""
    if seller.pk != thread.seller_id:
        raise MessagingError(_("Only the seller can block the buyer."), code="not_seller")
    Block.objects.get_or_create(seller_id=thread.seller_id, buyer_id=thread.buyer_id)


def unblock_buyer(thread: Thread, seller: User) -> None:
    if seller.pk != thread.seller_id:
        raise MessagingError(_("Only the seller can unblock the buyer."), code="not_seller")
    Block.objects.filter(seller_id=thread.seller_id, buyer_id=thread.buyer_id).delete()
