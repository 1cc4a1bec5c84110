"""The job queue's rules: enqueue in the caller's transaction, claim with a lease, retry with backoff, relay.

A job is a row first (the outbox) and a Celery message second. The row is written in the same transaction as
the order or payment it reports, so both commit or neither does; after commit it is handed to the broker once,
and if the broker is unreachable the row simply waits for the relay. A worker claims the row with a conditional
UPDATE before running it, so a message delivered twice, or two workers holding the same message, run it once.
The one window left is a worker dying after its handler succeeded and before the row says done: that job runs
again once its lease runs out (at least once, never lost).

With no broker configured (``CELERY_BROKER_URL`` empty, the developer's default) jobs run in the process that
committed them, right after the commit; the ones that fail wait for ``manage.py run_jobs``.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Job, JobStatus, ScheduledRun, SchedulerLease

logger = logging.getLogger(__name__)

# Broker URL -> until when (monotonic clock) this process leaves it alone: see JOBS_BROKER_PAUSE_SECONDS.
_broker_down_until: dict[str, float] = {}


def eager() -> bool:
    """True when no broker is configured: jobs run in-process after commit (development, tests)."""
    return not settings.CELERY_BROKER_URL


def enqueue(name: str, key: str, **kwargs) -> Job:
    """Write a job for handler ``name`` (dotted path) in the current transaction; hand it over after commit.

    ``key`` is the job's idempotency key: a second call with the same key returns the first job and adds
    nothing. The kwargs must be JSON values. Never raises because the broker is down: the job then stays
    pending and the relay hands it over later. Raises ``IntegrityError`` only if the database refuses the row.
    """
    job, created = Job.objects.get_or_create(
        key=key, defaults={"name": name, "kwargs": kwargs, "run_after": timezone.now()}
    )
    if created:
        transaction.on_commit(_named(partial(_hand_over, job.pk), "hand_over"), robust=True)
    return job


def _named(func: partial, name: str) -> Callable[[], None]:
    """``func`` as a plain function: a robust on_commit callback that fails is logged by its ``__qualname__``,
    which a ``partial`` lacks (the logging itself would then raise and turn the response into a 500)."""

    def callback() -> None:
        func()

    callback.__qualname__ = callback.__name__ = f"jobs.{name}"
    return callback


def _hand_over(job_id: int) -> None:
    if eager():
        run_job(job_id)
    else:
        publish([job_id])


def publish(job_ids: Iterable[int]) -> int:
    """Send one Celery message per job id; mark them handed over. Returns how many the broker took.

    One short connection attempt, no retry loop: on any broker error this logs a warning and returns, and the
    jobs stay pending for the relay.
    """
    job_ids = list(job_ids)
    url = settings.CELERY_BROKER_URL
    if not job_ids or time.monotonic() < _broker_down_until.get(url, 0.0):
        return 0
    from jobs.tasks import run_job_task

    # The project's Celery app (bookstore/celery.py, loaded with the project package) is the current one:
    # jobs sits below the project and never names it.
    app = current_app

    sent: list[int] = []
    try:
        with app.connection_for_write(
            url,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            # One attempt, and a Redis that accepts but does not answer costs the same short wait.
            transport_options={
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "max_retries": 0,
                "socket_timeout": settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            },
        ) as connection:
            for job_id in job_ids:
                run_job_task.apply_async(
                    (job_id,), connection=connection, retry=False, queue=settings.CELERY_TASK_DEFAULT_QUEUE
                )
                sent.append(job_id)
    except Exception as exc:  # noqa: BLE001 - a broker outage must never reach the request or the caller
        _broker_down_until[url] = time.monotonic() + settings.JOBS_BROKER_PAUSE_SECONDS
        logger.warning(
            "The job broker is unreachable (%s); %d job(s) wait for the relay", exc, len(job_ids) - len(sent)
        )
    if sent:
        try:
            # Not one a worker claimed meanwhile: its claim cleared the mark on purpose.
            now = timezone.now()
            Job.objects.filter(_claimable(now), pk__in=sent).update(published_at=now)
        except Exception:  # only bookkeeping: the relay sends the job again later, and it runs once anyway
            logger.warning("Could not mark %d job(s) handed over", len(sent), exc_info=True)
    return len(sent)


def _claimable(now: datetime) -> Q:
    return Q(status=JobStatus.PENDING, run_after__lte=now) | Q(status=JobStatus.RUNNING, lease_until__lt=now)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: JOBS_RETRY_SECONDS, doubling, capped at JOBS_RETRY_MAX_SECONDS."""
    seconds = settings.JOBS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.JOBS_RETRY_MAX_SECONDS))


def run_job(job_id: int) -> str | None:
    """Claim job ``job_id``, run its handler, record the outcome. Returns the new status, or None if not claimed.

    A job that is done, failed, not yet due, or leased by another live worker is left alone (None): this is
    what makes a duplicate message harmless. A handler that raises is not re-raised: its error is recorded and
    the job waits ``retry_delay`` for the next attempt, or fails for good once JOBS_GIVE_UP_SECONDS have passed
    since it was created.
    """
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    # The message is used up: should this worker die, the relay hands the job over afresh once the lease ends.
    claimed = Job.objects.filter(_claimable(now), pk=job_id).update(
        status=JobStatus.RUNNING,
        lease_until=lease_until,
        attempts=F("attempts") + 1,
        published_at=None,
        updated_at=now,
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        handler: Callable = import_string(job.name)
        handler(**job.kwargs)
    except Exception as exc:  # noqa: BLE001 - whatever the handler raised is recorded and retried
        return _record_failure(job, exc)
    finished = timezone.now()
    # Arguments that carry secrets (a rendered password-reset link) are not kept once they served.
    forget = {"kwargs": {}} if getattr(handler, "forget_arguments_when_done", False) else {}
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, lease_until=None, finished_at=finished, updated_at=finished, **forget
    )
    return JobStatus.DONE


def _record_failure(job: Job, exc: Exception) -> str:
    now = timezone.now()
    give_up_at = job.created_at + timedelta(seconds=settings.JOBS_GIVE_UP_SECONDS)
    error = "".join(traceback.format_exception(exc))[-4000:]
    if now >= give_up_at:
        status, fields = JobStatus.FAILED, {"finished_at": now}
        logger.error("Job %s (%s) failed for good after %d attempts: %s", job.pk, job.key, job.attempts, exc)
    else:
        # The last attempt falls on the give-up time itself rather than being skipped.
        status, fields = JobStatus.PENDING, {"run_after": min(now + retry_delay(job.attempts), give_up_at)}
        logger.warning("Job %s (%s) attempt %d failed, retried at %s: %s", job.pk, job.key, job.attempts,
                       fields["run_after"], exc)  # fmt: skip
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status, last_error=error, lease_until=None, published_at=None, updated_at=now, **fields
    )
    return status


def due_jobs(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of the jobs that should run now: pending and due, or running on a lease that ran out."""
    now = now or timezone.now()
    return list(Job.objects.filter(_claimable(now)).order_by("run_after", "pk").values_list("pk", flat=True)[:limit])


def run_due_jobs(limit: int = 500) -> dict[str, int]:
    """Run every due job in this process, one after the other. Returns how many ended in each status."""
    outcome: dict[str, int] = {}
    for job_id in due_jobs(limit=limit):
        status = run_job(job_id)
        if status:
            outcome[status] = outcome.get(status, 0) + 1
    return outcome


def relay_outbox(now: datetime | None = None) -> int:
    """Hand the jobs that should run to the workers; what recovers every job after a broker or worker outage.

    A pending job already handed over is sent again only JOBS_REDELIVER_SECONDS later (its message may have
    been lost with a Redis restart); a second message for a job is harmless. Eager mode runs them here instead.
    Returns how many jobs were handed over (or run).
    """
    if eager():
        return sum(run_due_jobs().values())
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_REDELIVER_SECONDS)
    ids = list(
        Job.objects.filter(_claimable(now))
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=stale))
        .order_by("run_after", "pk")
        .values_list("pk", flat=True)[:500]
    )
    return publish(ids)


def retry_now(jobs: Iterable[Job]) -> int:
    """Make pending or failed jobs due at once (a staff action), with a fresh give-up clock. Returns how many."""
    now = timezone.now()
    ids = [job.pk for job in jobs if job.status in (JobStatus.PENDING, JobStatus.FAILED)]
    with transaction.atomic():
        count = Job.objects.filter(pk__in=ids, status__in=[JobStatus.PENDING, JobStatus.FAILED]).update(
            status=JobStatus.PENDING, run_after=now, finished_at=None, published_at=None, updated_at=now,
            created_at=now,
        )  # fmt: skip
        transaction.on_commit(_named(partial(_retry_handover, ids), "retry_handover"), robust=True)
    return count


def _retry_handover(ids: list[int]) -> None:
    if eager():
        for job_id in ids:
            run_job(job_id)
    else:
        publish(ids)


# --- Periodic tasks --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicOutcome:
    ran: bool
    period_start: datetime
    result: object = None


def period_start(now: datetime, period: timedelta) -> datetime:
    """The start of the period ``now`` falls in, periods counted from the Unix epoch (so every node agrees)."""
    seconds = int(period.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def run_once_per_period(
    task: str, period: timedelta, func: Callable[[], object], now: datetime | None = None
) -> PeriodicOutcome:
    """Run ``func`` unless ``task`` already ran in the current period anywhere in the cluster.

    The claim is a row with a unique (task, period start) pair: two beats by mistake, or a pile of messages
    delivered after a worker outage, let exactly one run through per period, so a schedule missed during an
    outage runs once on recovery. If ``func`` raises, the claim is given back so the next message may try.
    """
    start = period_start(now or timezone.now(), period)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(task=task, period_start=start)
    except IntegrityError:
        logger.info("%s already ran for the period starting %s", task, start)
        return PeriodicOutcome(False, start)
    try:
        result = func()
    except Exception:
        ScheduledRun.objects.filter(pk=run.pk).delete()
        raise
    ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=str(result)[:255])
    return PeriodicOutcome(True, start, result)


def prune(now: datetime | None = None) -> int:
    """Delete done jobs and scheduled-run claims older than JOBS_KEEP_DAYS; failed ones stay for staff."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOBS_KEEP_DAYS)
    jobs, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff).delete()
    runs, _ = ScheduledRun.objects.filter(period_start__lt=cutoff).delete()
    return jobs + runs


# --- The scheduler lease ---------------------------------------------------------------------------------------


def acquire_lease(name: str, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder`` for ``seconds``; False while another holder's is current.

    Conditional UPDATEs (renew ours, or take a lapsed one) or, for the very first holder, an INSERT that the
    unique name lets only one process win: two schedulers asking at the same moment never both get it.
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=seconds)
    leases = SchedulerLease.objects.filter(name=name)
    if leases.filter(holder=holder).update(expires_at=until, renewed_at=now):
        return True
    # A lapsed lease goes to whoever updates it first: the row lock makes the second UPDATE see the new expiry.
    if leases.filter(expires_at__lt=now).update(holder=holder, expires_at=until, acquired_at=now, renewed_at=now):
        return True
    try:
        with transaction.atomic():
            SchedulerLease.objects.create(name=name, holder=holder, expires_at=until, acquired_at=now, renewed_at=now)
    except IntegrityError:
        return False
    return True


def release_lease(name: str, holder: str) -> bool:
    """Give the lease up at once (a clean shutdown), so a waiting scheduler need not wait for it to lapse."""
    now = timezone.now()
    return bool(SchedulerLease.objects.filter(name=name, holder=holder).update(expires_at=now - timedelta(seconds=1)))
