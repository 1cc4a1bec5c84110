"""Recount every shop's 12-month rating window and its 90-day standing (what beat runs daily).

Safe to run at any time and several times: it only recounts.
"""

from django.core.management.base import BaseCommand

from core.commands import parse_now
from feedback.services import recompute_rating_window
from feedback.standing import refresh_standing


class Command(BaseCommand):
    help = "Recount the shops' 12-month ratings and their standing over the last 90 days."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this time (ISO 8601), for tests and demos.")

    def handle(self, *args, **options):
        now = parse_now(options["now"])
        window = recompute_rating_window(now)
        standing = refresh_standing(now)
        self.stdout.write(f"Rating window changed for {window} shop(s); standing written for {standing} shop(s).")
