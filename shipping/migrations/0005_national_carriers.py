"""National carriers for every country where a shop can open (accounts.models.SHOP_COUNTRIES).

Colombia already had Envia and Servientrega; without these, a shop in the United States, Mexico or Spain
could only sell abroad. Rates are in the site currency (settings.CURRENCY, US dollars by default), as the
retail price of a parcel of used books; staff adjust them in the admin.
"""

from decimal import Decimal

from django.db import migrations

CARRIERS = [
    # code, name, country, fastest and slowest delivery in business days, first copy, each extra copy
    ("USPSMM", "USPS Media Mail", "US", 2, 8, "4.63", "0.80"),
    ("UPSGND", "UPS Ground", "US", 1, 5, "11.00", "1.50"),
    ("CORMX", "Correos de México", "MX", 4, 10, "4.20", "0.90"),
    ("ESTAF", "Estafeta", "MX", 2, 5, "7.90", "1.30"),
    ("CORES", "Correos", "ES", 2, 4, "5.40", "1.10"),
    ("SEUR", "SEUR", "ES", 1, 2, "8.50", "1.40"),
]


def add_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    Rate = apps.get_model("shipping", "Rate")
    for code, name, country, min_days, max_days, base, per_extra_item in CARRIERS:
        carrier, _created = Carrier.objects.get_or_create(
            code=code,
            defaults={"name": name, "scope": "national", "min_days": min_days, "max_days": max_days},
        )
        Rate.objects.get_or_create(
            carrier=carrier,
            origin_country=country,
            destination_country=country,
            defaults={"base": Decimal(base), "per_extra_item": Decimal(per_extra_item)},
        )


def remove_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    # A carrier that already carried a shipment stays: orders must keep pointing at it.
    Carrier.objects.filter(code__in=[c[0] for c in CARRIERS], shipments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0004_carrier_delivery_days")]

    operations = [migrations.RunPython(add_carriers, remove_carriers)]
