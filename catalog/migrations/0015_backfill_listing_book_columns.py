"""Give every existing listing its book's language, binding, shelf and title (the columns 0014 added).

In batches of ids, so a large table does not hold one long transaction (MariaDB has no transactional DDL, and this
data step runs in a migration of its own). Reversible: going back drops the columns anyway.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 5000


def backfill(apps, schema_editor):
    Book = apps.get_model("catalog", "Book")
    Listing = apps.get_model("catalog", "Listing")
    book = Book.objects.filter(pk=OuterRef("book_id"))
    columns = {
        "book_language": Subquery(book.values("language")[:1]),
        "book_binding": Subquery(book.values("binding")[:1]),
        "book_category_id": Subquery(book.values("category_id")[:1]),
        "book_title": Subquery(book.values("title")[:1]),
    }
    last = 0
    while True:
        ids = list(Listing.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        Listing.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(**columns)
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0014_listing_book_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
