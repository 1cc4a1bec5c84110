"""Run the jobs that are due, in this process: how a developer without a worker retries a failed email.

With a broker configured the relay hands due jobs to the workers instead (``--relay`` does that once by hand).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from jobs.services import relay_outbox, run_due_jobs


class Command(BaseCommand):
    help = "Run every due background job (pending and due, or abandoned by a dead worker) in this process."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, help="Keep going: run the due jobs again every this many seconds.")
        parser.add_argument("--relay", action="store_true", help="Hand due jobs to the Celery workers instead.")

    def handle(self, *args, **options):
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds.")
        while True:
            if options["relay"]:
                self.stdout.write(f"Handed {relay_outbox()} job(s) to the workers.")
            else:
                outcome = run_due_jobs()
                summary = ", ".join(f"{count} {status}" for status, count in sorted(outcome.items())) or "none due"
                self.stdout.write(f"Ran jobs: {summary}.")
            if every is None:
                return
            time.sleep(every)
