"""The carriers BookStore starts with (as the original system had) and their rates; staff edit them afterwards.

Rates are in the site currency (settings.CURRENCY). A blank country means "any"; the most specific rate wins.
"""

from decimal import Decimal

from django.db import migrations

CARRIERS = [
    # code, name, scope, typical delivery time
    ("DHL", "DHL Express", "international", "3-6 business days"),
    ("FEDEX", "FedEx International", "international", "4-7 business days"),
    ("ENVIA", "Envia", "national", "1-3 business days"),
    ("SERVI", "Servientrega", "national", "2-4 business days"),
]

RATES = [
    # carrier code, origin, destination, first copy, each extra copy
    ("DHL", "", "", "42.00", "6.50"),
    ("DHL", "CO", "US", "34.00", "5.00"),
    ("FEDEX", "", "", "39.50", "7.00"),
    ("FEDEX", "US", "CO", "31.00", "5.50"),
    ("ENVIA", "CO", "CO", "3.90", "0.90"),
    ("SERVI", "CO", "CO", "3.50", "1.10"),
]


def add_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    Rate = apps.get_model("shipping", "Rate")
    carriers = {}
    for code, name, scope, transit_days in CARRIERS:
        carriers[code], _ = Carrier.objects.get_or_create(
            code=code, defaults={"name": name, "scope": scope, "transit_days": transit_days}
        )
    for code, origin, destination, base, per_extra_item in RATES:
        Rate.objects.get_or_create(
            carrier=carriers[code],
            origin_country=origin,
            destination_country=destination,
            defaults={"base": Decimal(base), "per_extra_item": Decimal(per_extra_item)},
        )


def remove_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    # A carrier that already carried a shipment stays: orders must keep pointing at it.
    Carrier.objects.filter(code__in=[c[0] for c in CARRIERS], shipments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]

    operations = [migrations.RunPython(add_carriers, remove_carriers)]
