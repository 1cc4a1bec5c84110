"""The job queue with its real parts stopped for real: a Celery worker process, a redis-server of the test's own as
broker, and an SMTP server (aiosmtpd) the worker sends to.

- The worker stopped while orders are placed: their jobs wait (in the outbox and in Redis), and when the worker
  comes back each runs once, even with the relay having handed some over twice meanwhile.
- Redis stopped while an order is placed through the checkout page: the page answers at once and the order is
  placed; its job waits in the outbox. Redis back, the relay hands it over and the email arrives once.
- Beat sends a periodic task every period while the worker is stopped: when the worker comes back, the pile of
  messages runs the task once (it claims the current period, jobs.ScheduledRun), not once per missed period.
- The mail server refuses (451) while orders are placed: the worker tries, records the error and tries again
  after the backoff; once the server accepts, each email arrives once.

Each test records how long the queue takes to catch up once the stopped part is back (``record_recovery``).

The worker must open the test's database, so these tests need a server database (MariaDB/MySQL): SQLite's test
database lives in the test process's memory.
"""

import re
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from bookstore.celery import app as celery_app
from jobs.models import Job, JobStatus, ScheduledRun
from jobs.services import publish, relay_outbox
from orders.tests.conftest import carriers, charlie_address, charlie_cart, make_order  # noqa: F401 - fixtures
from orders.tests.test_journeys import checkout_post
from tests.faults import harness
from tests.faults.queue import CeleryWorker, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "mysql", reason="the worker process needs a server database"),
]


@pytest.fixture
def broker(redis_server):
    """The job broker: a redis-server of the test's own (conftest's redis_server, which skips without one)."""
    return redis_server()


@pytest.fixture
def queue_setup(settings, workdir, broker, inbox, transactional_db):
    """This process and a worker process share the test database, the private broker and one queue."""
    queue = f"bs-test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_BROKER_URL = broker.url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.JOBS_BROKER_PAUSE_SECONDS = 0
    db = connection.settings_dict
    database_url = f"mysql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    env = {
        **harness.app_environment(workdir, database_url),
        "DATABASE_PASSWORD": db["PASSWORD"] or "",
        "CELERY_BROKER_URL": broker.url,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "LOG_LEVEL": "INFO",
    }
    worker = CeleryWorker(workdir, env)
    yield worker
    worker.stop()


def subjects_by_order(inbox, numbers) -> dict[str, int]:
    counts = {}
    for _to, subject in inbox.received():
        for number in numbers:
            if number in subject:
                counts[number] = counts.get(number, 0) + 1
    return counts


def test_jobs_queued_while_the_worker_is_stopped_run_once_when_it_returns(
    queue_setup,
    inbox,
    make_order,  # noqa: F811
    record_recovery,
):
    worker = queue_setup
    worker.start()
    first = make_order()  # on commit its job goes to Redis and the worker sends it
    wait_for(lambda: len(inbox.messages) == 1, 30, worker.tail)
    worker.stop()

    orders = [make_order() for _ in range(3)]
    assert len(inbox.messages) == 1
    pending = Job.objects.filter(status=JobStatus.PENDING)
    assert pending.count() == 3 and all(job.published_at for job in pending)
    # The relay (beat keeps running) hands the oldest over a second time, as if its message looked lost.
    Job.objects.filter(pk=pending.order_by("pk").first().pk).update(published_at="2000-01-01T00:00:00Z")
    assert relay_outbox() == 1

    back = time.monotonic()
    worker.start()
    wait_for(lambda: not Job.objects.exclude(status=JobStatus.DONE).exists(), 60, worker.tail)
    recovery = time.monotonic() - back
    # Recovery is the worker's start-up plus a few sends, not a wait for some schedule.
    assert recovery < 30, f"the queued jobs took {recovery:.1f} s to run after the worker returned"
    record_recovery("worker restart", recovery, "from `celery worker` started to its 3 queued emails sent")
    numbers = [o.number for o in [first, *orders]]
    assert subjects_by_order(inbox, numbers) == dict.fromkeys(numbers, 1)
    assert len(inbox.messages) == 4
    assert set(Job.objects.values_list("attempts", flat=True)) == {1}
    time.sleep(1)  # the duplicate message has been taken by now; it sent nothing
    assert len(inbox.messages) == 4


def test_an_order_placed_while_redis_is_down_is_emailed_once_redis_returns(
    queue_setup,
    broker,
    inbox,
    client,
    charlie,
    charlie_cart,  # noqa: F811
    charlie_address,  # noqa: F811
    carriers,  # noqa: F811
    record_recovery,
):
    worker = queue_setup
    worker.start()
    broker.stop()

    client.force_login(charlie)
    page = client.get(reverse("orders:checkout"))
    started = time.monotonic()
    placed = client.post(reverse("orders:checkout"), checkout_post(page))
    took = time.monotonic() - started
    assert placed.status_code == 302 and "/pay/" in placed["Location"]
    assert took < 3, f"checkout took {took:.1f} s with the broker down"
    [job] = Job.objects.all()
    assert (job.status, job.published_at) == (JobStatus.PENDING, None)
    assert relay_outbox() == 0  # still down: the relay fails quietly too

    broker.start()
    back = time.monotonic()
    assert relay_outbox() == 1  # what beat's next relay does
    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.DONE, 60, worker.tail)
    recovery = time.monotonic() - back
    # The worker reconnects by itself (Celery retries the broker); the relay period adds up to JOBS_RELAY_SECONDS.
    assert recovery < 30, f"the email took {recovery:.1f} s to go out after Redis returned"
    record_recovery("job broker (Redis) restart", recovery, "from one relay after Redis returned to the email sent")
    [message] = inbox.messages
    assert str(message["to"]) == charlie.email and "placed" in str(message["subject"])
    assert relay_outbox() == 0
    time.sleep(1)
    assert len(inbox.messages) == 1


def test_emails_refused_by_the_mail_server_arrive_once_it_accepts_again(
    queue_setup,
    inbox,
    make_order,  # noqa: F811
    record_recovery,
):
    worker = queue_setup
    # A short backoff, so that the test waits seconds where production waits minutes (JOBS_RETRY_SECONDS).
    worker.env.update({"JOBS_RETRY_SECONDS": "1", "JOBS_RETRY_MAX_SECONDS": "1"})
    inbox.refusing = True
    worker.start()
    orders = [make_order() for _ in range(2)]
    jobs = Job.objects.filter(key__in=[f"order_placed:{order.pk}" for order in orders])

    def tried(times: int) -> bool:
        return jobs.filter(status=JobStatus.PENDING, attempts__gte=times).count() == len(orders)

    wait_for(lambda: tried(1), 30, worker.tail)
    assert all("451" in job.last_error for job in jobs)
    # The relay (beat's, every JOBS_RELAY_SECONDS) hands the jobs over again once their backoff has passed.
    wait_for(lambda: (relay_outbox() or True) and tried(2), 30, worker.tail)
    assert inbox.messages == [] and inbox.refused >= 4

    inbox.refusing = False
    back = time.monotonic()
    wait_for(lambda: (relay_outbox() or True) and not jobs.exclude(status=JobStatus.DONE).exists(), 30, worker.tail)
    recovery = max(inbox.arrived) - back
    record_recovery(
        "mail server accepting again",
        recovery,
        "until the last refused email was sent (backoff 1 s here, JOBS_RETRY_SECONDS; the relay polled)",
    )
    numbers = [order.number for order in orders]
    assert subjects_by_order(inbox, numbers) == dict.fromkeys(numbers, 1)
    # Later relays and a duplicate message for each job send nothing more.
    assert relay_outbox() == 0
    publish([job.pk for job in jobs])
    time.sleep(1)
    assert len(inbox.messages) == len(orders)


def test_a_schedule_missed_while_the_worker_was_stopped_runs_once_when_it_returns(queue_setup, broker):
    worker = queue_setup
    task = "jobs.prune"  # daily: the pile is run well within one period
    # What beat sent while the worker was away: one message per period, three periods of them.
    with celery_app.connection_for_write(broker.url) as connection:
        for _ in range(3):
            celery_app.send_task(task, connection=connection, queue=django_settings.CELERY_TASK_DEFAULT_QUEUE)
    assert not ScheduledRun.objects.exists()

    worker.start()

    def taken() -> int:
        return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker.log.read_text()))

    wait_for(lambda: taken() == 3, 60, worker.tail)
    assert list(ScheduledRun.objects.values_list("task", flat=True)) == [task]
    assert worker.log.read_text().count(f"{task} already ran for the period") == 2
