"""Give every existing listing a stock code of its own, "BS-" and its id (0008 gave them all the same one).

Ids are unique, so the codes are too; a generated code ("BS-" and 8 random letters or digits) never looks like
one of these. In batches, so a large table does not hold one long transaction (MariaDB has no transactional DDL,
and this data step runs in a migration of its own). Reversible: going back drops the column anyway.
"""

from django.db import migrations

BATCH = 1000


def backfill(apps, schema_editor):
    Listing = apps.get_model("catalog", "Listing")
    last = 0
    while True:
        ids = list(Listing.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        listings = [Listing(pk=pk, sku=f"BS-{pk}") for pk in ids]
        Listing.objects.bulk_update(listings, ["sku"])
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0008_listing_sku")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
