"""The daily work: the seller's standing, the 12-month recount's task, and the one reminder per delivered parcel."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import ShopStats
from claims.services import open_claim
from claims.states import ClaimKind
from feedback import tasks
from feedback.services import leave_feedback, send_reminders
from feedback.standing import refresh_standing, ship_by
from feedback.tests.conftest import deliver, order_from
from jobs.models import Job, ScheduledRun
from orders.models import Order, Shipment
from orders.services import cancel_order
from orders.services.shipments import mark_shipped

pytestmark = pytest.mark.django_db


def test_two_business_days_skip_the_weekend(settings):
    zone = ZoneInfo(settings.TIME_ZONE)
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=zone)
    assert ship_by(friday).replace(tzinfo=None) == datetime(2026, 12, 8, 15, 0)  # Tuesday
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=zone)
    assert ship_by(saturday).replace(tzinfo=None) == datetime(2026, 12, 8, 10, 0)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=zone)
    assert ship_by(monday).replace(tzinfo=None) == datetime(2026, 12, 9, 9, 0)


def test_standing_over_90_days(alice, charlie, staff, carriers):
    now = timezone.now()
    # On time, rated 4.
    _o, on_time = order_from(charlie, alice, carriers)
    deliver(on_time, alice)
    leave_feedback(on_time, charlie, 4)
    # The buyer says it was not as described: one claim in the window.
    open_claim(on_time, charlie, ClaimKind.NOT_AS_DESCRIBED, "The cover is torn, the listing said As new.")
    # Paid 10 days ago, shipped 6 days later: late.
    _o, late = order_from(charlie, alice, carriers)
    Order.objects.filter(pk=late.order_id).update(paid_at=now - timedelta(days=10))
    mark_shipped(late, alice, now=now - timedelta(days=4))
    # Paid 10 days ago and never shipped: due, not on time.
    _o, waiting = order_from(charlie, alice, carriers)
    Order.objects.filter(pk=waiting.order_id).update(paid_at=now - timedelta(days=10))
    # Cancelled by staff after payment: counts against the seller; the buyer's own cancellation does not.
    staff_cancelled, _s = order_from(charlie, alice, carriers)
    cancel_order(staff_cancelled, by=staff, by_staff=True)
    buyer_cancelled, _s = order_from(charlie, alice, carriers)
    cancel_order(buyer_cancelled, by=charlie)
    # Paid 100 days ago: outside the window.
    _o, old = order_from(charlie, alice, carriers)
    Order.objects.filter(pk=old.order_id).update(paid_at=now - timedelta(days=100))

    now = timezone.now()
    assert refresh_standing(now) >= 1
    stats = ShopStats.objects.get(shop=alice.shop)
    assert stats.orders_90d == 5
    assert (stats.due_90d, stats.shipped_on_time_90d, stats.on_time_percent_90d) == (3, 1, 33)
    assert stats.cancelled_by_seller_90d == 1
    assert stats.claims_90d == 1
    assert (stats.rated_90d, stats.rating_90d) == (1, 4)
    assert stats.standing_updated_at == now
    # Ratings the standing job does not touch stay as the services left them.
    assert stats.rating_count == 1


def test_a_shop_whose_window_emptied_goes_back_to_zero(alice, charlie, carriers):
    _o, _shipment = order_from(charlie, alice, carriers)
    refresh_standing()
    assert ShopStats.objects.get(shop=alice.shop).orders_90d == 1
    refresh_standing(timezone.now() + timedelta(days=91))
    stats = ShopStats.objects.get(shop=alice.shop)
    assert (stats.orders_90d, stats.on_time_percent_90d) == (0, None)


def test_the_daily_task_runs_once_per_day(alice, charlie, delivered):
    leave_feedback(delivered, charlie, 5)
    ShopStats.objects.filter(shop=alice.shop).update(rating_count=7)
    tasks.refresh_shop_stats_task()
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 1
    ShopStats.objects.filter(shop=alice.shop).update(rating_count=7)
    tasks.refresh_shop_stats_task()  # the same day: already ran
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 7
    assert ScheduledRun.objects.filter(task="feedback.refresh_shop_stats").count() == 1


# --- Reminders ---------------------------------------------------------------------------------------------------


def _delivered_days_ago(shipment, days):
    Shipment.objects.filter(pk=shipment.pk).update(delivered_at=timezone.now() - timedelta(days=days))


def test_one_reminder_a_few_days_after_delivery(delivered, charlie, settings, django_capture_on_commit_callbacks):
    settings.FEEDBACK_REMINDER_DAYS = 3
    mail.outbox.clear()
    _delivered_days_ago(delivered, 2)
    assert send_reminders() == 0
    _delivered_days_ago(delivered, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [charlie.email] and "Rate the seller" in message.body
    assert f"/orders/{delivered.order.number}/parts/{delivered.pk}/feedback/" in message.body
    # Again the next day: the job key names the shipment, nothing new goes out.
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(timezone.now() + timedelta(days=1))
    assert len(mail.outbox) == 1
    assert Job.objects.filter(key=f"feedback_reminder:{delivered.pk}").count() == 1


def test_no_reminder_once_rated(delivered, charlie, django_capture_on_commit_callbacks):
    leave_feedback(delivered, charlie, 5)
    _delivered_days_ago(delivered, 4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0
    assert mail.outbox == []


def test_no_reminder_for_an_old_delivery(delivered):
    _delivered_days_ago(delivered, 30)
    assert send_reminders() == 0


def test_a_reminder_for_a_parcel_rated_meanwhile_is_not_sent(delivered, charlie, django_capture_on_commit_callbacks):
    from feedback.emails import send_feedback_reminder

    leave_feedback(delivered, charlie, 5)
    mail.outbox.clear()
    send_feedback_reminder(delivered.pk)
    assert mail.outbox == []


def test_the_reminder_is_in_the_buyers_language(delivered, django_capture_on_commit_callbacks):
    Order.objects.filter(pk=delivered.order_id).update(language="es")
    _delivered_days_ago(delivered, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert "Valora al vendedor" in mail.outbox[0].body


def test_the_reminder_task_runs_once_per_day(delivered, django_capture_on_commit_callbacks):
    _delivered_days_ago(delivered, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders_task()
        tasks.send_reminders_task()
    assert len(mail.outbox) == 1


def test_the_commands(delivered, charlie, alice, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    leave_feedback(delivered, charlie, 5)
    out = StringIO()
    call_command("refresh_shop_stats", stdout=out)
    assert "standing written for 1 shop(s)" in out.getvalue()
    assert ShopStats.objects.get(shop=alice.shop).standing_updated_at
    out = StringIO()
    call_command("send_feedback_reminders", "--now", "2026-01-01T00:00", stdout=out)
    assert "0 reminder(s) queued." in out.getvalue()
