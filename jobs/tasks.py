"""Celery's entry points into the outbox. They hold no rules: jobs.services does."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from jobs import services


def schedule_period(task: str) -> timedelta:
    """How often the beat schedule (settings.CELERY_BEAT_SCHEDULE) sends ``task``: the length of its period."""
    return timedelta(seconds=settings.CELERY_BEAT_SCHEDULE[task]["schedule"])


@shared_task(name="jobs.run_job", ignore_result=True)
def run_job_task(job_id: int) -> None:
    services.run_job(job_id)


@shared_task(name="jobs.relay_outbox", ignore_result=True)
def relay_outbox_task() -> None:
    services.relay_outbox()


@shared_task(name="jobs.prune", ignore_result=True)
def prune_task() -> None:
    services.run_once_per_period("jobs.prune", schedule_period("jobs.prune"), services.prune)
