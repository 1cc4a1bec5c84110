"""The project's settings with a two-second schedule of one test task, for the beats test_beat.py starts."""

from bookstore.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"jobs.tests.tick": {"task": "jobs.tests.tick", "schedule": 2}}
CELERY_IMPORTS = ["jobs.tests.beat_tasks"]
