"""Helpers shared by the management commands."""

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def parse_now(value: str | None):
    """``--now`` as an aware datetime (ISO 8601; naive means the site's time zone), or the current time."""
    if not value:
        return timezone.now()
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"--now must be an ISO 8601 date and time, not {value!r}.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
