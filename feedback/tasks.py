"""Feedback's daily work, run by the Celery worker when beat says so (once per period cluster-wide)."""

from celery import shared_task

from feedback.services import recompute_rating_window, send_reminders
from feedback.standing import refresh_standing
from jobs.services import run_once_per_period
from jobs.tasks import schedule_period


def refresh_shop_stats() -> dict[str, int]:
    """The 12-month rating window and the 90-day standing of every shop."""
    return {"window": recompute_rating_window(), "standing": refresh_standing()}


@shared_task(name="feedback.refresh_shop_stats", ignore_result=True)
def refresh_shop_stats_task() -> None:
    name = "feedback.refresh_shop_stats"
    run_once_per_period(name, schedule_period(name), refresh_shop_stats)


@shared_task(name="feedback.send_reminders", ignore_result=True)
def send_reminders_task() -> None:
    name = "feedback.send_reminders"
    run_once_per_period(name, schedule_period(name), send_reminders)
