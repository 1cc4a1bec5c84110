"""Remind buyers to rate the seller a few days after delivery (what beat runs daily). A parcel is reminded of once."""

from django.core.management.base import BaseCommand

from core.commands import parse_now
from feedback.services import send_reminders


class Command(BaseCommand):
    help = "Email one reminder to rate the seller for parcels delivered FEEDBACK_REMINDER_DAYS ago and not rated."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this time (ISO 8601), for tests and demos.")

    def handle(self, *args, **options):
        count = send_reminders(parse_now(options["now"]))
        self.stdout.write(f"{count} reminder(s) queued.")
