"""The outbox: one row per piece of background work, written in the transaction that makes it necessary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A call of a handler (a dotted function name) with JSON keyword arguments, run at least once until done.

    ``key`` is the idempotency key: enqueueing the same key again finds this row instead of adding a second job,
    and a job that is done is never run again, however often its message is delivered.
    """

    name = models.CharField(_("handler"), max_length=200)
    key = models.CharField(_("key"), max_length=200, unique=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    run_after = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    published_at = models.DateTimeField(_("handed to the queue"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The relay's question: which pending jobs are due, and which leases ran out.
            models.Index(fields=["status", "run_after"], name="job_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.key}]"


class ScheduledRun(models.Model):
    """A claim on one period of a periodic task: the unique pair lets one run per period through, cluster-wide."""

    task = models.CharField(_("task"), max_length=100)
    period_start = models.DateTimeField(_("period start"))
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-period_start", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="scheduledrun_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.task} @ {self.period_start:%Y-%m-%d %H:%M}"


class SchedulerLease(models.Model):
    """Who sends the schedule: one row per scheduler name, held by one process until ``expires_at``.

    Every beat (one per AWS instance, a second Swarm task during an update) asks for the lease before sending
    anything; the holder renews it well before it runs out, the others wait and take over once it has lapsed
    (the holder died or lost the database). See jobs.beat.LeasedScheduler.
    """

    name = models.CharField(_("scheduler"), max_length=100, unique=True)
    holder = models.CharField(_("held by"), max_length=200)
    expires_at = models.DateTimeField(_("expires"))
    acquired_at = models.DateTimeField(_("acquired"))
    renewed_at = models.DateTimeField(_("renewed"))

    class Meta:
        verbose_name = _("scheduler lease")
        verbose_name_plural = _("scheduler leases")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
