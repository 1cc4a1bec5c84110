"""The want lists' daily work, run by the Celery worker when beat says so (once per period cluster-wide)."""

from celery import shared_task

from jobs.services import run_once_per_period
from jobs.tasks import schedule_period
from wants.services.digest import send_digests


@shared_task(name="wants.send_digests", ignore_result=True)
def send_digests_task() -> None:
    name = "wants.send_digests"
    run_once_per_period(name, schedule_period(name), send_digests)
