"""The accounts' periodic work, once per period cluster-wide: reopening shops whose vacation ends, and checking the
hidden sellers' table against the users and shops."""

import logging

from celery import shared_task

from accounts.services import reopen_returned_shops
from accounts.visibility import check_hidden_sellers
from jobs.services import run_once_per_period
from jobs.tasks import schedule_period

logger = logging.getLogger(__name__)


@shared_task(name="accounts.reopen_returned_shops", ignore_result=True)
def reopen_returned_shops_task() -> None:
    name = "accounts.reopen_returned_shops"
    run_once_per_period(name, schedule_period(name), reopen_returned_shops)


@shared_task(name="accounts.check_hidden_sellers", ignore_result=True)
def check_hidden_sellers_task() -> None:
    name = "accounts.check_hidden_sellers"
    run_once_per_period(name, schedule_period(name), _check_hidden_sellers)


def _check_hidden_sellers() -> None:
    corrected = check_hidden_sellers()
    if corrected:
        # Every service and save keeps the table in step: a correction means a change made around them.
        logger.warning("The hidden sellers' table differed from the users and shops in %d rows; corrected.", corrected)
