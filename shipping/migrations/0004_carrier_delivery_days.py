"""A carrier's delivery time as two numbers of business days instead of English free text.

"2-4 business days" could only be shown in English; ``min_days``/``max_days`` are worded in the reader's
language by ``Carrier.delivery_time``. The text is read into the numbers before its column goes, and written
back from them when the migration is reversed.
"""

import re

import django.core.validators
from django.db import migrations, models

DAYS = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")


def text_to_days(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    for carrier in Carrier.objects.exclude(transit_days=""):
        match = DAYS.search(carrier.transit_days)
        if match is None:
            continue  # words without numbers: staff set the days in the admin
        low = int(match.group(1))
        high = int(match.group(2) or low)
        carrier.min_days, carrier.max_days = min(low, high), max(low, high)
        carrier.save(update_fields=["min_days", "max_days"])


def days_to_text(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    for carrier in Carrier.objects.filter(max_days__isnull=False):
        low = carrier.min_days if carrier.min_days is not None else carrier.max_days
        span = str(low) if low == carrier.max_days else f"{low}-{carrier.max_days}"
        carrier.transit_days = f"{span} business days"
        carrier.save(update_fields=["transit_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0003_shipmentevent_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="carrier",
            name="max_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(90)],
                verbose_name="slowest delivery (business days)",
            ),
        ),
        migrations.AddField(
            model_name="carrier",
            name="min_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(90)],
                verbose_name="fastest delivery (business days)",
            ),
        ),
        migrations.RunPython(text_to_days, days_to_text),
        migrations.RemoveField(
            model_name="carrier",
            name="transit_days",
        ),
        migrations.AddConstraint(
            model_name="carrier",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("min_days__isnull", True),
                    ("max_days__isnull", True),
                    ("min_days__lte", models.F("max_days")),
                    _connector="OR",
                ),
                name="carrier_min_days_not_above_max",
            ),
        ),
    ]
