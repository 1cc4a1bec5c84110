"""The handler that sends an email rendered earlier (in the request, in the reader's language)."""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives

from jobs.services import enqueue


def message_kwargs(message: EmailMessage) -> dict:
    """A rendered message as JSON values for ``send_rendered_email``."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def enqueue_message(message: EmailMessage, key: str) -> None:
    """Send a rendered message through the outbox: it goes out after commit, retried until the server takes it."""
    enqueue("jobs.mail.send_rendered_email", key=key, **message_kwargs(message))


def send_rendered_email(
    subject: str,
    body: str,
    from_email: str,
    to: list[str],
    cc: list[str] = (),
    bcc: list[str] = (),
    reply_to: list[str] = (),
    headers: dict | None = None,
    content_subtype: str = "plain",
    alternatives: list[list[str]] = (),
) -> None:
    """Send the message; raises on any mail server error so that the job is retried."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, cc=cc, bcc=bcc, reply_to=reply_to, headers=headers
    )
    message.content_subtype = content_subtype
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    message.send()


# The message may hold a sign-in or password-reset link: the job row drops it once the server took it.
send_rendered_email.forget_arguments_when_done = True
