"""The orders' periodic work (expiring unpaid orders, the carrier simulator's step), run by the Celery worker
when beat says so (once per period cluster-wide).
"""

from celery import shared_task

from jobs.services import run_once_per_period
from jobs.tasks import schedule_period
from orders.services.expiry import expire_unpaid_orders
from orders.services.shipments import advance_shipments


@shared_task(name="orders.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders_task() -> None:
    name = "orders.expire_unpaid_orders"
    run_once_per_period(name, schedule_period(name), expire_unpaid_orders)


# The carrier simulator's step. Its task name predates the move of shipments into orders and stays: beat
# schedules, queued messages and the ScheduledRun rows of a live cluster know it by this name.
@shared_task(name="shipping.advance_shipments", ignore_result=True)
def advance_shipments_task() -> None:
    name = "shipping.advance_shipments"
    run_once_per_period(name, schedule_period(name), advance_shipments)
