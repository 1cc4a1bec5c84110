"""A periodic task for the beat test: it claims its period like the real ones (orders.tasks, jobs.tasks)."""

import os

from celery import shared_task

from jobs.services import run_once_per_period
from jobs.tasks import schedule_period


@shared_task(name="jobs.tests.tick", ignore_result=True)
def tick() -> None:
    run_once_per_period("jobs.tests.tick", schedule_period("jobs.tests.tick"), lambda: f"worker {os.getpid()}")
