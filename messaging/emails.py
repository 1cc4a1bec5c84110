"""The email telling someone they have new messages in a thread (queued by messaging.services.post_message).

It lists the messages they have not read when it is sent, so one email covers every message written since the
last one. It is written in the reader's language (``accounts.languages.language_of``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import language_of
from messaging.models import Participant
from messaging.services import party_name


def send_new_messages(participant_id: int) -> None:
    """To one side of a thread: what the other side wrote that they have not read yet, with a link to reply."""
    participant = (
        Participant.objects.select_related("user", "thread__buyer", "thread__seller__shop")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        return
    thread = participant.thread
    recipient = participant.user
    unread = thread.messages.exclude(author=recipient).order_by("created_at", "id")
    if participant.last_read_at is not None:
        unread = unread.filter(created_at__gt=participant.last_read_at)
    unread = list(unread[:20])
    if not unread:
        return  # read on the site before the email went out
    other = thread.seller if recipient.pk == thread.buyer_id else thread.buyer
    with translation.override(language_of(recipient)):
        context = {
            "thread": thread,
            "sender": party_name(thread, other),
            "unread": unread,
            "thread_url": settings.SITE_URL.rstrip("/") + thread.get_absolute_url(),
        }
        subject = _("New message from %(sender)s about “%(title)s”") % {
            "sender": context["sender"],
            "title": thread.title,
        }
        text = render_to_string("messaging/emails/new_messages.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email])
    message.send()  # raises if the mail server refuses: the job records it and tries again later
