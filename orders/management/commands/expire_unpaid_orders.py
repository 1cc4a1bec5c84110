"""Expire orders left unpaid past their deadline; their copies go back on sale.

Run it every few minutes: a cron line (``*/5 * * * * manage.py expire_unpaid_orders``), a systemd timer, or a
Swarm service looping ``manage.py expire_unpaid_orders; sleep 300``. Several runs at once are safe.
"""

from django.core.management.base import BaseCommand

from core.commands import parse_now
from orders.services.expiry import expire_unpaid_orders


class Command(BaseCommand):
    help = "Expire orders still awaiting payment after their deadline and put their copies back on sale."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this time (ISO 8601), for tests and demos.")

    def handle(self, *args, **options):
        count = expire_unpaid_orders(parse_now(options["now"]))
        self.stdout.write(f"Expired {count} unpaid order(s).")
