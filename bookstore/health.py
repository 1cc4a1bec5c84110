"""Liveness and readiness probes for the load balancer, Swarm and Docker."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """The process is up and serving requests; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


def _media_ok() -> bool:
    name = f".readyz/{uuid.uuid4().hex}"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


@never_cache
@require_safe
def readyz(request):
    """Ready for traffic: the database answers and the media root is writable."""
    checks = {"database": _database_ok(), "media": _media_ok()}
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
