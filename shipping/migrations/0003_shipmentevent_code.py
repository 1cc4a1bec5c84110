"""Timeline events store a code (and its parameters) that pages word in the reader's language.

Events recorded before keep their text in ``description``; those whose text is one of the known messages, in
any of the site's languages, get its code and parameters, so they too follow the reader's language.

The new columns have a database default (``code``) or accept NULL (``params``): a release migrates before its
web tasks replace the previous ones, which keep recording events without knowing them.
"""

import re

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

# The messages of ShipmentEvent.Code as they were when this migration was written (code, English text).
EVENT_MESSAGES = [
    ("shipped", "The seller handed the parcel to %(carrier)s."),
    ("at_sorting_centre", "In transit: arrived at the sorting centre."),
    ("at_international_hub", "In transit: arrived at the international hub."),
    ("out_for_delivery", "Out for delivery with the local courier."),
    ("delivered", "Delivered to %(name)s."),
    ("shipment_cancelled", "The shipment was cancelled."),
    ("order_cancelled", "The order was cancelled."),
    ("cancelled_by_staff", "Cancelled by our staff."),
    ("not_paid_in_time", "The order was not paid in time."),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
BATCH = 500


def message_patterns() -> list[tuple[re.Pattern, str]]:
    """(pattern, code) for each message in English and in each language of the site; placeholders capture."""
    patterns = []
    for code, message in EVENT_MESSAGES:
        texts = set()
        for language in [None, *(language for language, _name in settings.LANGUAGES)]:
            with translation.override(language):
                texts.add(translation.gettext(message))
        for text in sorted(texts):
            parts = PLACEHOLDER.split(text)  # literal, name, literal, name, ...
            regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts))
            patterns.append((re.compile(regex, re.DOTALL), code))
    return patterns


def fill_codes(apps, schema_editor):
    ShipmentEvent = apps.get_model("shipping", "ShipmentEvent")
    patterns = message_patterns()
    batch = []
    for event in ShipmentEvent.objects.filter(code="").only("pk", "description").iterator(chunk_size=2000):
        for pattern, code in patterns:
            match = pattern.fullmatch(event.description)
            if match:
                event.code, event.params = code, match.groupdict()
                batch.append(event)
                break
        if len(batch) >= BATCH:
            ShipmentEvent.objects.bulk_update(batch, ["code", "params"])
            batch = []
    if batch:
        ShipmentEvent.objects.bulk_update(batch, ["code", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0002_default_carriers"),
    ]

    operations = [
        migrations.AddField(
            model_name="shipmentevent",
            name="code",
            field=models.CharField(
                blank=True,
                choices=EVENT_MESSAGES,
                db_default="",
                default="",
                max_length=30,
                verbose_name="code",
            ),
        ),
        migrations.AddField(
            model_name="shipmentevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, null=True, verbose_name="details"),
        ),
        migrations.AlterField(
            model_name="shipmentevent",
            name="description",
            field=models.CharField(blank=True, max_length=255, verbose_name="description"),
        ),
        # Backwards the codes simply go with their column; the descriptions were never changed.
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
