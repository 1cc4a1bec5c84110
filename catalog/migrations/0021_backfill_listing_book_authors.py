"""Give every existing listing its book's authors (the column 0020 added).

In batches of ids, so a large table does not hold one long transaction (MariaDB has no transactional DDL, and this
data step runs in a migration of its own), as 0015 did for the other copied columns. Going back drops the column.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 5000


def backfill(apps, schema_editor):
    Book = apps.get_model("catalog", "Book")
    Listing = apps.get_model("catalog", "Listing")
    authors = Subquery(Book.objects.filter(pk=OuterRef("book_id")).values("authors")[:1])
    last = 0
    while True:
        ids = list(Listing.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        Listing.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(book_authors=authors)
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0020_listing_book_authors")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
