"""The form of each known carrier's tracking numbers, for sellers who type the number the carrier gave them."""

from django.db import migrations

PATTERNS = {
    "USPSMM": r"\d{20,22}",
    "UPSGND": r"1Z[A-Z0-9]{16}",
    "DHL": r"\d{10}",
    "FEDEX": r"\d{12}|\d{15}",
}


def set_patterns(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    for code, pattern in PATTERNS.items():
        Carrier.objects.filter(code=code, tracking_pattern="").update(tracking_pattern=pattern)


def clear_patterns(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    for code, pattern in PATTERNS.items():
        Carrier.objects.filter(code=code, tracking_pattern=pattern).update(tracking_pattern="")


class Migration(migrations.Migration):
    dependencies = [("shipping", "0007_shop_shipping_settings")]

    operations = [migrations.RunPython(set_patterns, clear_patterns)]
