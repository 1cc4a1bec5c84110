"""`manage.py run_jobs`: how a developer without a worker retries what failed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def test_run_jobs_sends_what_failed_once_it_is_due(capsys):
    waiting = Job.objects.create(
        name="jobs.tests.handlers.greet", key="greet:waiting", kwargs={"to": "dora@example.com"}, attempts=1,
        run_after=timezone.now() - timedelta(seconds=1), last_error="SMTPServerDisconnected",
    )  # fmt: skip
    later = Job.objects.create(
        name="jobs.tests.handlers.greet", key="greet:later", kwargs={"to": "eve@example.com"},
        run_after=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    call_command("run_jobs")
    assert "Ran jobs: 1 done." in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]
    assert Job.objects.get(pk=waiting.pk).status == JobStatus.DONE
    assert Job.objects.get(pk=later.pk).status == JobStatus.PENDING
    call_command("run_jobs")
    assert "Ran jobs: none due." in capsys.readouterr().out


def test_run_jobs_refuses_a_pause_that_is_not_positive():
    with pytest.raises(CommandError, match="--every must be a positive number of seconds"):
        call_command("run_jobs", "--every", "0")
