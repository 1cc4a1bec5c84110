"""allauth wiring: its emails (address verification, password reset) go out through the job outbox."""

from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site

from jobs.mail import enqueue_message


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, ctx: dict) -> None:
        """Render now (in the visitor's language, with the request's links), send from a job.

        A mail server that is down then delays the message instead of losing it or failing the page.
        """
        request = context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **ctx},
        )
        # Each message is its own job: a second reset link asked for is a second email.
        enqueue_message(message, key=f"account-mail:{template_prefix.rsplit('/', 1)[-1]}:{uuid4().hex}")
