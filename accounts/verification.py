"""A confirmed email address before buying or selling.

Order confirmations, sales to ship and tracking updates all go to the user's email address, so checking out,
opening a shop and listing a book need that address confirmed (allauth's ``EmailAddress.verified``). Anyone may
browse and fill a cart first. A user stopped here sees what to do and can have the link sent again; once they
follow it they come back to the page they were on (``AccountAdapter.get_email_verification_redirect_url``).

``ACCOUNT_EMAIL_VERIFICATION = "none"`` turns the whole check off, as it turns off allauth's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.models import User

RETURN_PATH_KEY = "verify_email_return_path"

# What the user was about to do: the page's heading and why the address matters for it.
PURPOSES = {
    "checkout": (
        _("Confirm your email address to check out"),
        _("Your order confirmation, payment receipt and shipping updates go to this address."),
    ),
    "open_shop": (
        _("Confirm your email address to open your shop"),
        _("Buyers' orders and the sales you need to ship go to this address."),
    ),
    "list_book": (
        _("Confirm your email address to list a book"),
        _("Buyers' orders and the sales you need to ship go to this address."),
    ),
}


def verification_enabled() -> bool:
    return settings.ACCOUNT_EMAIL_VERIFICATION != "none"


def has_confirmed_email(user: User) -> bool:
    """Whether the address the user signs in with, where the site mails them, is confirmed."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def needs_confirmed_email(user: User) -> bool:
    """Whether ``user`` must confirm their address before buying or selling."""
    return verification_enabled() and not has_confirmed_email(user)


def send_confirmation(request: HttpRequest, user: User) -> bool:
    """Email ``user`` a new confirmation link for the address they sign in with; False while allauth's cooldown
    between two such emails (``ACCOUNT_RATE_LIMITS["confirm_email"]``) holds it back.

    Sent through allauth's own resend, the one its email-management page uses: same email, same cooldown, same
    "sent" message. A user created outside allauth (the admin, ``createsuperuser``) gets their address row here.
    """
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        # get_or_create: two quick clicks must not make the row twice.
        address, _created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": not has_primary, "verified": False}
        )
    return send_verification_email_to_address(request, address)


def pop_return_path(request: HttpRequest) -> str | None:
    """The page a user was stopped on, taken out of the session (once they confirm, it is done with)."""
    session = getattr(request, "session", None)
    return session.pop(RETURN_PATH_KEY, None) if session is not None else None


def return_path(request: HttpRequest) -> str:
    """Where to come back to: the page itself when it was shown, the page the form was on when it was posted."""
    return request.get_full_path() if request.method in ("GET", "HEAD") else request.path


def confirmation_required_page(request: HttpRequest, purpose: str) -> HttpResponse:
    """The page that stops an unconfirmed user: what to do, and a button that sends the link again."""
    title, reason = PURPOSES[purpose]
    back = return_path(request)
    request.session[RETURN_PATH_KEY] = back
    context = {"title": title, "reason": reason, "purpose": purpose, "next": back, "email": request.user.email}
    return render(request, "accounts/confirm_email_required.html", context)


def confirmed_email_required(purpose: str) -> Callable[[Callable], Callable]:
    """Let a signed-in user through only with a confirmed address; show the others what to do instead.

    Nothing the view would do happens for them: a POST is answered with the same page, and nothing is written.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if needs_confirmed_email(request.user):
                return confirmation_required_page(request, purpose)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
