"""The claims' periodic work, run by the Celery worker when beat says so (once per period cluster-wide)."""

from celery import shared_task

from claims.services.decisions import escalate_overdue_claims
from jobs.services import run_once_per_period
from jobs.tasks import schedule_period


@shared_task(name="claims.escalate_overdue_claims", ignore_result=True)
def escalate_overdue_claims_task() -> None:
    name = "claims.escalate_overdue_claims"
    run_once_per_period(name, schedule_period(name), escalate_overdue_claims)
