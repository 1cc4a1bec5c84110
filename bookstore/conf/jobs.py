"""Background jobs (the outbox in jobs, Celery and its beat) and the mail server they send through."""

from bookstore.conf.environment import env, env_secret

# --- Email ------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BookStore <noreply@bookstore.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before a silent mail server counts as failed (the job is then retried); Django's default waits for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Background jobs (jobs, Celery) -----------------------------------------

# The broker the Celery workers read jobs from, e.g. redis://redis:6379/1. Empty (the default): no worker is
# needed, each job runs in the process that committed it, right after the commit, and a failed one waits for
# `manage.py run_jobs`. Every job is a row of jobs.Job first (the outbox), so a broker outage loses nothing.
# CELERY_BROKER_URL_FILE names a file holding it, when the URL carries a password (AWS).
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", default="")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="bookstore")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged once its job ran, and a worker takes one message at a time: a worker that dies
# mid-job leaves its message to another one (and the job's lease to the relay).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Requests publish with one short attempt (jobs.services.publish): Redis away costs a request two seconds at
# most, and then nothing for a while.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# One beat per cluster sends these; each periodic task also claims its period in the database (jobs.ScheduledRun),
# so a second beat started by mistake, or messages piled up while the worker was away, run once per period.
CELERY_BEAT_SCHEDULE = {
    "jobs.relay_outbox": {"task": "jobs.relay_outbox", "schedule": env.int("JOBS_RELAY_SECONDS", default=20)},
    "orders.expire_unpaid_orders": {"task": "orders.expire_unpaid_orders", "schedule": 300},
    # The carrier simulator's step (orders.tasks): the name is older than the move of shipments into orders.
    "shipping.advance_shipments": {"task": "shipping.advance_shipments", "schedule": 3600},
    "jobs.prune": {"task": "jobs.prune", "schedule": 86400},
    # Claims whose seller missed the deadline go to staff (claims.tasks).
    "claims.escalate_overdue_claims": {"task": "claims.escalate_overdue_claims", "schedule": 3600},
    # Daily: the shops' 12-month rating window and 90-day standing, and the reminders to rate a seller.
    "feedback.refresh_shop_stats": {"task": "feedback.refresh_shop_stats", "schedule": 86400},
    "feedback.send_reminders": {"task": "feedback.send_reminders", "schedule": 86400},
    # Shops back from vacation reopen within the hour of their return date.
    "accounts.reopen_returned_shops": {"task": "accounts.reopen_returned_shops", "schedule": 3600},
    # The hidden sellers' table (accounts.visibility) against the users and shops: a change made around the services.
    "accounts.check_hidden_sellers": {"task": "accounts.check_hidden_sellers", "schedule": 300},
    # Sellers' listings files checked but never applied (catalog.services.imports).
    "catalog.prune_import_runs": {"task": "catalog.prune_import_runs", "schedule": 86400},
    # Daily: one email per buyer with the new matches of their wants and saved searches (wants.tasks).
    "wants.send_digests": {"task": "wants.send_digests", "schedule": 86400},
}
# Every beat asks for this database lease before sending anything (jobs.beat.LeasedScheduler): one beat per cluster
# sends the schedule, the others (one per AWS instance, a second Swarm task during an update) wait, and take over
# within JOBS_SCHEDULER_LEASE_SECONDS when the holder dies.
CELERY_BEAT_SCHEDULER = "jobs.beat:LeasedScheduler"
JOBS_SCHEDULER_LEASE_NAME = "celery-beat"
JOBS_SCHEDULER_LEASE_SECONDS = env.int("JOBS_SCHEDULER_LEASE_SECONDS", default=60)
# A failed job is tried again after JOBS_RETRY_SECONDS, doubling each time up to JOBS_RETRY_MAX_SECONDS, until
# JOBS_GIVE_UP_SECONDS after it was created; then it is "failed" and staff see it in the admin.
JOBS_RETRY_SECONDS = env.int("JOBS_RETRY_SECONDS", default=60)
# Capped at 15 minutes so that an email waits at most that long once the mail server is back after a long outage.
JOBS_RETRY_MAX_SECONDS = env.int("JOBS_RETRY_MAX_SECONDS", default=900)
JOBS_GIVE_UP_SECONDS = env.int("JOBS_GIVE_UP_SECONDS", default=86400)
# A worker holds a job this long; past it the job counts as abandoned (the worker died) and runs again.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=300)
# After the broker failed to take a message, a process stops trying for this long: the jobs wait for the relay
# anyway, and a request should not pay a connection timeout on every commit while Redis is away.
JOBS_BROKER_PAUSE_SECONDS = 10
# A pending job handed to the broker this long ago and still not run is handed over again (Redis lost it).
JOBS_REDELIVER_SECONDS = env.int("JOBS_REDELIVER_SECONDS", default=300)
# Done jobs and scheduled-run claims are deleted after this many days; failed jobs are kept.
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=30)
