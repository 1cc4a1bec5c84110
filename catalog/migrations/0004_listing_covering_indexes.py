"""Catalog indexes that also hold the seller (and the sort key), so paging reads only the index.

Each index is rebuilt under a temporary name first and renamed last: while the old one is dropped another index
still starts with the same foreign key, so MySQL needs no extra single-column index for the constraint.
"""

from django.db import migrations, models

# (name, old fields, new fields)
CHANGES = [
    ("listing_newest_idx", ["status", "-published_at", "-id"], ["status", "-published_at", "-id", "seller"]),
    ("listing_price_idx", ["status", "price", "id"], ["status", "price", "id", "seller"]),
    ("listing_book_idx", ["book", "status"], ["book", "status", "-published_at", "seller"]),
    ("listing_seller_idx", ["seller", "status"], ["seller", "status", "-published_at", "-id"]),
]


def rebuild(name: str, fields: list[str]) -> list:
    temporary = f"{name}_v2"
    return [
        migrations.AddIndex(model_name="listing", index=models.Index(fields=fields, name=temporary)),
        migrations.RemoveIndex(model_name="listing", name=name),
        migrations.RenameIndex(model_name="listing", new_name=name, old_name=temporary),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_default_categories"),
    ]

    operations = [operation for name, _old, new in CHANGES for operation in rebuild(name, new)]
