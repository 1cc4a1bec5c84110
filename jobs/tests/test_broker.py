"""Handing jobs to a real Redis broker: once after commit, again only when the relay finds them stale, and a broker
that is down never reaches the caller."""

import base64
import json
import socket
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from conftest import REDIS_TEST_URL, free_port, needs_redis
from jobs.models import Job, JobStatus
from jobs.services import enqueue, relay_outbox

pytestmark = pytest.mark.django_db

GREET = "jobs.tests.handlers.greet"


@pytest.fixture
def broker(settings):
    """The tests' Redis (db 15) as broker, on a queue of this test's own."""
    settings.CELERY_BROKER_URL = REDIS_TEST_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = f"bs-test-jobs-{uuid.uuid4().hex}"
    settings.JOBS_BROKER_PAUSE_SECONDS = 0
    client = redis.Redis.from_url(REDIS_TEST_URL)
    yield client, settings.CELERY_TASK_DEFAULT_QUEUE
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)


def queued_job_ids(client, queue) -> list[int]:
    """The job ids of the messages waiting in the queue, oldest first."""
    ids = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        message = json.loads(raw)
        assert message["headers"]["task"] == "jobs.run_job"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.append(args[0])
    return ids


@needs_redis
def test_a_committed_job_is_handed_to_the_broker_once(broker, django_capture_on_commit_callbacks):
    client, queue = broker
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(GREET, key="greet:broker", to="dora@example.com")
    assert queued_job_ids(client, queue) == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.published_at is not None

    # The relay leaves a job handed over recently alone, and sends it again once it looks lost.
    assert relay_outbox() == 0
    Job.objects.filter(pk=job.pk).update(published_at=timezone.now() - timedelta(minutes=6))
    assert relay_outbox() == 1
    assert queued_job_ids(client, queue) == [job.pk, job.pk]


@needs_redis
def test_a_job_rolled_back_is_never_handed_over(broker, django_capture_on_commit_callbacks):
    client, queue = broker
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError), transaction.atomic():
        enqueue(GREET, key="greet:never", to="dora@example.com")
        raise ValueError("payment failed")
    assert client.llen(queue) == 0 and not Job.objects.exists()


def test_a_broker_that_is_down_leaves_the_job_pending_without_an_error(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.JOBS_BROKER_PAUSE_SECONDS = 0
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(GREET, key="greet:down", to="dora@example.com")
    assert time.monotonic() - started < 3
    job.refresh_from_db()
    assert (job.status, job.attempts, job.published_at) == (JobStatus.PENDING, 0, None)
    assert "The job broker is unreachable" in caplog.text
    assert relay_outbox() == 0  # the relay tries too, and fails as quietly


@needs_redis
def test_a_job_abandoned_by_a_dead_worker_is_handed_over_again_once_its_lease_ends(broker):
    client, queue = broker
    job = enqueue(GREET, key="greet:abandoned", to="dora@example.com")
    # A worker claimed it (its message used up) and died without finishing.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, lease_until=timezone.now() + timedelta(minutes=1), published_at=None
    )
    assert relay_outbox() == 0  # still leased
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert relay_outbox() == 1
    assert relay_outbox() == 0  # handed over: not again before JOBS_REDELIVER_SECONDS
    assert queued_job_ids(client, queue) == [job.pk]


def test_a_broker_that_accepts_but_never_answers_costs_one_short_timeout(
    settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings.JOBS_BROKER_PAUSE_SECONDS = 60
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            first = enqueue(GREET, key="greet:hung-1", to="dora@example.com")
        took = time.monotonic() - started
        assert took < settings.CELERY_BROKER_CONNECTION_TIMEOUT + 2, f"{took:.1f} s"
        # Later commits in this process do not wait again while the broker is known to be away.
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            second = enqueue(GREET, key="greet:hung-2", to="dora@example.com")
        assert time.monotonic() - started < 0.5
    assert set(Job.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", "published_at")) == {
        (JobStatus.PENDING, None)
    }
    assert caplog.text.count("The job broker is unreachable") == 1
