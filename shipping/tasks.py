"""The carrier simulator's periodic step, run by the Celery worker when beat says so (once per period)."""

from celery import shared_task

from jobs.services import run_once_per_period
from jobs.tasks import schedule_period
from shipping.services import advance_shipments


@shared_task(name="shipping.advance_shipments", ignore_result=True)
def advance_shipments_task() -> None:
    name = "shipping.advance_shipments"
    run_once_per_period(name, schedule_period(name), advance_shipments)
