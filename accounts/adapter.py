"""allauth's account adapter, where the project's emails and verification differ from allauth's defaults.

allauth builds the links in its emails from the request (``request.build_absolute_uri``): whatever Host header
reached the server, or the port a developer happened to use. Every link and the site's name in those emails come
from ``settings.SITE_URL`` instead, the one public address of the site. And a user who confirms their address
after being stopped at checkout or at opening a shop (accounts/verification.py) goes back there. Every
message leaves through the job outbox (jobs/), so a mail server that is down delays it instead of losing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.verification import pop_return_path
from jobs.mail import enqueue_message


def public_url(url: str) -> str:
    """``url`` (absolute, or a path) moved onto ``settings.SITE_URL``: same path, query and fragment."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{settings.SITE_URL}{path}{query}{fragment}"


@dataclass(frozen=True)
class PublicSite:
    """What allauth's templates read from ``current_site``, for the public site rather than the request's host."""

    name: str
    domain: str


def public_site() -> PublicSite:
    return PublicSite(name="BookStore", domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, ctx: dict) -> None:
        """Render now (in the visitor's language, links on SITE_URL through ``render_mail``), send from a job.

        A mail server that is down then delays the message instead of losing it or failing the page.
        """
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **ctx},
        )
        # Each message is its own job: a second reset link asked for is a second email.
        enqueue_message(message, key=f"account-mail:{template_prefix.rsplit('/', 1)[-1]}:{uuid4().hex}")

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return public_url(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return public_url(super().get_reset_password_from_key_url(key))

    def render_mail(self, template_prefix, email, context, headers=None):
        # The other links allauth mails (sign up, reset your password) are built from the request too; every
        # "*_url" in an email's context is a link to this site.
        context = {
            **context,
            **{
                key: public_url(value)
                for key, value in context.items()
                if key.endswith("_url") and isinstance(value, str) and value
            },
            "current_site": public_site(),
        }
        return super().render_mail(template_prefix, email, context, headers=headers)

    def get_email_verification_redirect_url(self, email_address) -> str:
        # A signed-in user stopped at checkout or at opening a shop (accounts.verification) goes back there.
        request = self.request
        path = pop_return_path(request) if request is not None else None
        if (
            path
            and request.user.is_authenticated
            and request.user.pk == email_address.user_id
            and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
        ):
            return path
        return super().get_email_verification_redirect_url(email_address)
