"""The scheduled jobs as the Celery worker runs them: the same services, once per period cluster-wide."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from jobs.models import ScheduledRun
from orders.models import Order, Shipment
from orders.services.shipments import mark_shipped
from orders.tasks import advance_shipments_task, expire_unpaid_orders_task

pytestmark = pytest.mark.django_db


def test_beat_sends_each_scheduled_job_at_its_interval():
    schedule = {name: (entry["task"], entry["schedule"]) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert schedule["orders.expire_unpaid_orders"] == ("orders.expire_unpaid_orders", 300)
    assert schedule["shipping.advance_shipments"] == ("shipping.advance_shipments", 3600)
    assert 15 <= schedule["jobs.relay_outbox"][1] <= 30


def test_expiry_runs_once_however_many_messages_arrive_in_its_period(make_order):
    late = make_order()
    Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_unpaid_orders_task()
    assert Order.objects.get(pk=late.pk).status == Order.Status.EXPIRED

    # An order that turns late within the same period waits for the next one: the claim lets one run through.
    later = make_order()
    Order.objects.filter(pk=later.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for _ in range(3):  # messages piled up while the worker was away, or a second beat
        expire_unpaid_orders_task()
    assert Order.objects.get(pk=later.pk).status == Order.Status.PENDING_PAYMENT
    [run] = ScheduledRun.objects.all()
    assert (run.task, run.result) == ("orders.expire_unpaid_orders", "1")


def test_the_carrier_simulator_runs_once_per_hour(placed_order, alice, settings):
    Order.objects.filter(pk=placed_order.pk).update(status=Order.Status.PAID)
    shipment = placed_order.shipments.get(seller=alice)
    Shipment.objects.filter(pk=shipment.pk).update(status=Shipment.Status.READY_TO_SHIP)
    mark_shipped(shipment, alice)
    settings.SHIPMENT_STEP_HOURS = 0
    advance_shipments_task()
    advance_shipments_task()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.IN_TRANSIT  # one step, not two
    assert ScheduledRun.objects.get().task == "shipping.advance_shipments"
