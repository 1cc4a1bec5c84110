"""The orders' periodic work, run by the Celery worker when beat says so (once per period cluster-wide)."""

from celery import shared_task

from jobs.services import run_once_per_period
from jobs.tasks import schedule_period
from orders.services.expiry import expire_unpaid_orders


@shared_task(name="orders.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders_task() -> None:
    name = "orders.expire_unpaid_orders"
    run_once_per_period(name, schedule_period(name), expire_unpaid_orders)
