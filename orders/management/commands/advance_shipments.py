"""Simulate the carriers: move shipped parcels one step (in transit, out for delivery, delivered).

Run it every hour or so (cron, systemd timer or a Swarm service loop); a parcel moves once
SHIPMENT_STEP_HOURS have passed since its last step. ``--all`` pushes every parcel one step now (demos).
"""

import random

from django.core.management.base import BaseCommand, CommandError

from core.commands import parse_now
from orders.services.shipments import advance_shipments


class Command(BaseCommand):
    help = "Move shipped parcels one carrier step forward, adding tracking events."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this time (ISO 8601); events are stamped with it.")
        parser.add_argument("--all", action="store_true", help="Move every parcel in flight one step, however recent.")
        parser.add_argument("--min-hours", type=float, help="Hours a parcel waits between steps (default: setting).")
        parser.add_argument("--seed", type=int, help="Seed for the simulated places (repeatable runs).")

    def handle(self, *args, **options):
        if options["min_hours"] is not None and options["min_hours"] < 0:
            raise CommandError("--min-hours cannot be negative.")
        rng = random.Random(options["seed"])  # noqa: S311 - simulated places, not security  # nosec B311
        count = advance_shipments(
            parse_now(options["now"]), rng, min_hours=options["min_hours"], push_all=options["all"]
        )
        self.stdout.write(f"Advanced {count} shipment(s).")
