"""Handlers the job tests enqueue: real functions with a visible effect (an email), one that always fails."""

from django.core.mail import send_mail


def greet(to: str, text: str = "hello") -> None:
    send_mail("Greeting", text, None, [to])


def explode(reason: str) -> None:
    raise RuntimeError(reason)
