"""The catalog's periodic work, run by the Celery worker when beat says so (once per period cluster-wide)."""

from celery import shared_task

from catalog.services.imports import prune_import_runs
from jobs.services import run_once_per_period
from jobs.tasks import schedule_period


@shared_task(name="catalog.prune_import_runs", ignore_result=True)
def prune_import_runs_task() -> None:
    name = "catalog.prune_import_runs"
    run_once_per_period(name, schedule_period(name), prune_import_runs)
