"""A real SMTP server (aiosmtpd, on a free port) that refuses each message twice before taking it: every email of
an order placed and paid meanwhile arrives exactly once, and so does allauth's password reset.

Retries are driven by moving each pending job's next-attempt time into the past and running the relay, as a
worker would after the backoff, instead of sleeping for minutes.
"""

import email
import email.policy
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from conftest import free_port
from core.templatetags.site_tags import datetime_with_zone
from jobs.models import Job, JobStatus
from jobs.services import relay_outbox
from orders.services import new_checkout_token, pay_order, place_order
from orders.tests.conftest import APPROVE, card

pytestmark = pytest.mark.django_db


class RefusesTwiceThenAccepts:
    """An aiosmtpd handler: answers 451 (try again later) to the first two deliveries of each message."""

    def __init__(self, refusals: int = 2):
        self.refusals = refusals
        self.attempts: dict[tuple[str, str], int] = {}
        self.delivered: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        which = (",".join(envelope.rcpt_tos), str(message["subject"]))
        self.attempts[which] = self.attempts.get(which, 0) + 1
        if self.attempts[which] <= self.refusals:
            return "451 4.3.0 Mail server busy, try again later"
        self.delivered.append(message)
        return "250 2.0.0 OK"

    def received(self) -> list[tuple[str, str]]:
        return sorted((str(m["to"]), str(m["subject"])) for m in self.delivered)


@pytest.fixture
def mail_server(settings):
    handler = RefusesTwiceThenAccepts()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.JOBS_RETRY_SECONDS, settings.JOBS_RETRY_MAX_SECONDS = 60, 3600
    yield handler
    controller.stop()


def after_the_backoff() -> int:
    """What a worker does once the backoff has passed: make the waiting jobs due, relay them. Returns how many ran."""
    assert relay_outbox() == 0  # nothing is retried before its time
    Job.objects.filter(status=JobStatus.PENDING).update(run_after=timezone.now() - timedelta(seconds=1))
    return relay_outbox()


def test_an_order_placed_and_paid_while_the_server_refuses_gets_each_email_once(
    mail_server, charlie, charlie_cart, charlie_address, choice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_order(order, card(APPROVE), "pay-while-the-mail-server-refuses")
    assert payment.status == "approved"  # the sale never waits for the mail server
    assert mail_server.delivered == []
    jobs = Job.objects.order_by("pk")
    assert [(j.key, j.status, j.attempts) for j in jobs] == [
        (f"order_placed:{order.pk}", JobStatus.PENDING, 1),
        *((f"new_sale:{s.pk}", JobStatus.PENDING, 1) for s in order.shipments.order_by("pk")),
        (f"payment_result:{payment.pk}", JobStatus.PENDING, 1),
    ]
    assert all("451" in j.last_error for j in jobs)

    assert after_the_backoff() == 4  # refused a second time
    assert mail_server.delivered == []
    assert {j.run_after - j.updated_at for j in Job.objects.all()} == {timedelta(seconds=120)}  # doubled

    assert after_the_backoff() == 4  # taken
    number = order.number
    assert mail_server.received() == [
        ("alice@example.com", f"New sale: order {number} is paid, please ship it"),
        ("bob@example.com", f"New sale: order {number} is paid, please ship it"),
        ("charlie@example.com", f"Order {number} placed: please pay by {datetime_with_zone(order.expires_at)}"),
        ("charlie@example.com", f"Payment received for order {number}"),
    ]
    assert {(j.status, j.attempts) for j in Job.objects.all()} == {(JobStatus.DONE, 3)}

    # Later relays, duplicate messages and the staff's retry find nothing left to send.
    Job.objects.update(run_after=timezone.now() - timedelta(days=1))
    assert relay_outbox() == 0
    assert len(mail_server.delivered) == 4
    placed = next(m for m in mail_server.delivered if "placed" in str(m["subject"]))
    assert placed.get_body(("html",)) is not None and number in placed.get_body(("plain",)).get_content()


def test_a_password_reset_asked_for_in_spanish_arrives_once_in_spanish(
    mail_server, client, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": charlie.email}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302  # the page answers at once, whatever the mail server says
    [job] = Job.objects.all()
    assert job.key.startswith("account-mail:password_reset_key:") and job.status == JobStatus.PENDING

    after_the_backoff()
    after_the_backoff()
    [message] = mail_server.delivered
    assert str(message["to"]) == charlie.email
    body = message.get_body(("plain",)).get_content()
    assert "restablecer la contraseña de tu cuenta" in body  # rendered in the visitor's language, sent later
    assert "/accounts/password/reset/key/" in body
    assert relay_outbox() == 0 and len(mail_server.delivered) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.kwargs == {}  # the reset link is not kept once sent
