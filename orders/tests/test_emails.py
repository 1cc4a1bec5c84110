"""Emails go out after commit, in both plain text and HTML, and a broken mail server never breaks a sale."""

import pytest

from orders.emails import send_order_placed
from orders.models import Order
from orders.services import new_checkout_token, place_order

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_commit(
    charlie, charlie_cart, charlie_address, choice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_both_parts_render_completely(placed_order, mailoutbox):
    send_order_placed(placed_order.pk)
    [mail] = mailoutbox
    html = mail.alternatives[0][0]
    for part in (mail.body, html):
        assert placed_order.number in part
        assert "Dune" in part and "The Name of the Rose" in part
        assert "{{" not in part and "{%" not in part
    assert html.lstrip().startswith("<!doctype html>")
    assert "Calle 10 # 5-23" in mail.body


def test_mail_failure_is_logged_not_raised(placed_order, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    send_order_placed(placed_order.pk)
    assert "Could not send the order_placed email" in caplog.text
    assert Order.objects.filter(pk=placed_order.pk).exists()
