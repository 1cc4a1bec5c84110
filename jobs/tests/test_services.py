"""The outbox on the real database: transactional enqueue, idempotency keys, retries with backoff, leases, the
relay, claims once per period, and the staff's retry action."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job, JobStatus, ScheduledRun
from jobs.services import (
    due_jobs,
    enqueue,
    period_start,
    prune,
    relay_outbox,
    retry_delay,
    run_due_jobs,
    run_job,
    run_once_per_period,
)

pytestmark = pytest.mark.django_db

GREET = "jobs.tests.handlers.greet"
EXPLODE = "jobs.tests.handlers.explode"


def make_due(job: Job) -> None:
    """Move the clock of one job instead of sleeping until its retry."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(GREET, key="greet:rolled-back", to="dora@example.com")
        raise RuntimeError("the order failed")
    assert not Job.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_a_committed_job_runs_after_commit_in_eager_mode(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue(GREET, key="greet:1", to="dora@example.com")
    assert mail.outbox == [] and job.status == JobStatus.PENDING  # nothing before the commit
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at is not None) == (JobStatus.DONE, 1, True)
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]


def test_the_same_key_twice_makes_one_job_and_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(GREET, key="greet:once", to="dora@example.com")
        second = enqueue(GREET, key="greet:once", to="dora@example.com", text="again")
    assert first.pk == second.pk
    assert Job.objects.count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "hello"


def test_a_done_job_run_again_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(GREET, key="greet:done", to="dora@example.com")
    assert len(mail.outbox) == 1
    # A second delivery of its message (the relay, a redelivery after a worker died, a staff retry).
    assert run_job(job.pk) is None
    assert run_due_jobs() == {}
    job.refresh_from_db()
    assert (job.status, job.attempts, len(mail.outbox)) == (JobStatus.DONE, 1, 1)


def test_backoff_doubles_and_is_capped(settings):
    settings.JOBS_RETRY_SECONDS, settings.JOBS_RETRY_MAX_SECONDS = 60, 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [60, 120, 240, 3600, 3600, 3600]


def test_a_failing_handler_is_retried_with_backoff_then_fails_after_the_give_up_time(settings, caplog):
    settings.JOBS_RETRY_SECONDS, settings.JOBS_RETRY_MAX_SECONDS = 60, 3600
    settings.JOBS_GIVE_UP_SECONDS = 86400
    job = enqueue(EXPLODE, key="explode:1", reason="mail server says no")

    started = timezone.now()
    assert run_job(job.pk) == JobStatus.PENDING
    job.refresh_from_db()
    assert job.attempts == 1 and "RuntimeError: mail server says no" in job.last_error
    assert timedelta(seconds=59) < job.run_after - started < timedelta(seconds=62)
    assert run_job(job.pk) is None  # not due yet: a duplicate message changes nothing
    assert due_jobs() == []

    make_due(job)
    before = timezone.now()
    assert run_job(job.pk) == JobStatus.PENDING
    job.refresh_from_db()
    assert job.attempts == 2
    assert timedelta(seconds=119) < job.run_after - before < timedelta(seconds=122)  # doubled

    # A day after it was created the job gives up: failed, kept for staff, never run again.
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=1, seconds=1))
    make_due(job)
    assert run_job(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at is not None) == (JobStatus.FAILED, 3, True)
    assert "failed for good after 3 attempts" in caplog.text
    assert run_due_jobs() == {}


def test_the_last_attempt_falls_on_the_give_up_time(settings):
    settings.JOBS_RETRY_SECONDS, settings.JOBS_GIVE_UP_SECONDS = 3600, 600
    job = enqueue(EXPLODE, key="explode:2", reason="no")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert job.run_after == job.created_at + timedelta(seconds=600)


def test_a_job_whose_worker_died_runs_again_once_its_lease_runs_out():
    job = enqueue(GREET, key="greet:lease", to="dora@example.com")
    # A worker claimed it and died before finishing.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, lease_until=timezone.now() + timedelta(seconds=60)
    )
    assert run_job(job.pk) is None and mail.outbox == []  # still leased: another worker has it
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert due_jobs() == [job.pk]
    assert run_due_jobs() == {JobStatus.DONE: 1}
    job.refresh_from_db()
    assert (job.status, job.attempts, len(mail.outbox)) == (JobStatus.DONE, 2, 1)


def test_the_relay_runs_due_jobs_in_eager_mode_and_leaves_the_others():
    due = enqueue(GREET, key="greet:due", to="due@example.com")
    later = enqueue(GREET, key="greet:later", to="later@example.com")
    Job.objects.filter(pk=later.pk).update(run_after=timezone.now() + timedelta(minutes=5))
    assert relay_outbox() == 1
    assert [m.to for m in mail.outbox] == [["due@example.com"]]
    assert Job.objects.get(pk=due.pk).status == JobStatus.DONE
    assert Job.objects.get(pk=later.pk).status == JobStatus.PENDING


# --- Periodic tasks: once per period, cluster-wide -----------------------------------------------------------------


def test_period_start_is_the_same_on_every_node():
    moment = datetime(2026, 12, 6, 3, 7, 42, tzinfo=UTC)
    assert period_start(moment, timedelta(minutes=5)) == datetime(2026, 12, 6, 3, 5, tzinfo=UTC)
    assert period_start(moment, timedelta(hours=1)) == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def test_a_periodic_task_runs_once_per_period_whoever_asks():
    runs = []
    five = timedelta(minutes=5)
    moment = datetime(2026, 12, 6, 3, 7, tzinfo=UTC)
    # Two beats by mistake, or a pile of messages sent while the worker was down, all in one period.
    outcomes = [run_once_per_period("demo", five, lambda: runs.append(1) or "ok", now=moment) for _ in range(5)]
    assert [o.ran for o in outcomes] == [True, False, False, False, False]
    assert runs == [1]
    run = ScheduledRun.objects.get()
    assert (run.task, run.period_start, run.result) == ("demo", datetime(2026, 12, 6, 3, 5, tzinfo=UTC), "ok")
    assert run.finished_at is not None
    # The next period runs again; another task has periods of its own.
    assert run_once_per_period("demo", five, lambda: runs.append(2), now=moment + five).ran
    assert run_once_per_period("other", five, lambda: runs.append(3), now=moment).ran
    assert runs == [1, 2, 3]


def test_a_periodic_run_that_fails_gives_its_claim_back():
    def broken():
        raise ConnectionError("database went away")

    moment = datetime(2026, 12, 6, 3, 7, tzinfo=UTC)
    with pytest.raises(ConnectionError):
        run_once_per_period("demo", timedelta(minutes=5), broken, now=moment)
    assert not ScheduledRun.objects.exists()
    assert run_once_per_period("demo", timedelta(minutes=5), lambda: None, now=moment).ran


def test_prune_keeps_failed_and_recent_jobs(settings):
    settings.JOBS_KEEP_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    for key, status, finished in [
        ("old-done", "done", old),
        ("old-failed", "failed", old),
        ("new-done", "done", None),
    ]:
        Job.objects.create(name=GREET, key=key, status=status, run_after=old, finished_at=finished or timezone.now())
    ScheduledRun.objects.create(task="demo", period_start=old)
    assert prune() == 2
    assert sorted(Job.objects.values_list("key", flat=True)) == ["new-done", "old-failed"]
    assert not ScheduledRun.objects.exists()


# --- Admin ---------------------------------------------------------------------------------------------------------


def test_staff_see_failures_and_retry_a_job_now(client, staff, alice, django_capture_on_commit_callbacks):
    failed = Job.objects.create(
        name=GREET, key="greet:failed", kwargs={"to": "dora@example.com"}, status=JobStatus.FAILED, attempts=9,
        run_after=timezone.now(), last_error="Traceback ...\nSMTPDataError: (451, b'Try again later')",
    )  # fmt: skip
    done = Job.objects.create(name=GREET, key="greet:done", kwargs={"to": "x@example.com"}, status=JobStatus.DONE,
                              run_after=timezone.now())  # fmt: skip
    client.force_login(staff)
    listing = client.get(reverse("admin:jobs_job_changelist"), {"status__exact": "failed"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "greet:failed" in html and "greet:done" not in html
    assert "SMTPDataError: (451, b&#x27;Try again later&#x27;)" in html
    assert client.get(reverse("admin:jobs_job_changelist"), {"q": "greet:done"}).status_code == 200
    assert client.get(reverse("admin:jobs_job_change", args=[failed.pk])).status_code == 200
    assert client.get(reverse("admin:jobs_scheduledrun_changelist")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:jobs_job_changelist"),
            {"action": "retry_selected", "_selected_action": [failed.pk, done.pk]},
            follow=True,
        )
    assert "1 job will be tried again now." in response.content.decode()
    assert "1 job was running or done and was left alone." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (JobStatus.DONE, 10)
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]  # the done job was not sent again

    # Someone else than staff cannot reach the list.
    client.force_login(alice)
    assert client.get(reverse("admin:jobs_job_changelist")).status_code == 302


def test_staff_see_whom_an_email_is_for_but_not_its_links(client, staff):
    job = Job.objects.create(
        name="jobs.mail.send_rendered_email", key="account-mail:reset:1", run_after=timezone.now(),
        kwargs={"subject": "[BookStore] Password Reset", "to": ["charlie@example.com"], "from_email": "x@example.com",
                "body": "https://books.example.com/accounts/password/reset/key/secret-token/"},
    )  # fmt: skip
    client.force_login(staff)
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Password Reset" in page and "charlie@example.com" in page
    assert "secret-token" not in page


def test_staff_list_pending_and_retried_jobs(client, staff, django_assert_max_num_queries):
    now = timezone.now()
    for key, status, error in [
        ("greet:waiting", JobStatus.PENDING, ""),
        ("greet:retrying", JobStatus.PENDING, "SMTPDataError: (451, b'Try again later')"),
        ("greet:gave-up", JobStatus.FAILED, "SMTPDataError: (451, b'Try again later')"),
        ("greet:sent-at-last", JobStatus.DONE, "ConnectionRefusedError"),
        ("greet:sent", JobStatus.DONE, ""),
    ]:
        Job.objects.create(name=GREET, key=key, status=status, last_error=error, attempts=2 if error else 1,
                           run_after=now)  # fmt: skip
    client.force_login(staff)

    def keys(**query) -> set[str]:
        with django_assert_max_num_queries(12):
            response = client.get(reverse("admin:jobs_job_changelist"), query)
        assert response.status_code == 200
        return {job.key for job in response.context["cl"].result_list}

    assert keys(status__exact="pending") == {"greet:waiting", "greet:retrying"}
    assert keys(retried="yes") == {"greet:retrying", "greet:gave-up", "greet:sent-at-last"}
    assert keys(retried="yes", status__exact="pending") == {"greet:retrying"}
    assert keys(retried="no") == {"greet:waiting", "greet:sent"}
