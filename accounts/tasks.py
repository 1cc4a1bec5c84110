"""The accounts' periodic work: reopening shops whose vacation ends, once per period cluster-wide."""

from celery import shared_task

from accounts.services import reopen_returned_shops
from jobs.services import run_once_per_period
from jobs.tasks import schedule_period


@shared_task(name="accounts.reopen_returned_shops", ignore_result=True)
def reopen_returned_shops_task() -> None:
    name = "accounts.reopen_returned_shops"
    run_once_per_period(name, schedule_period(name), reopen_returned_shops)
