"""The Celery application: `celery -A bookstore worker` runs jobs, `celery -A bookstore beat` sends the schedule.

Configured from Django's settings (the CELERY_* names in bookstore/conf/jobs.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")

app = Celery("bookstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
