# Loaded with the project so that shared tasks bind to this app in the web processes too (standard Celery wiring).
from bookstore.celery import app as celery_app

__all__ = ["celery_app"]
