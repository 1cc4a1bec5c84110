"""The shelves a new shop starts with; staff edit them in the admin afterwards."""

from django.db import migrations

CATEGORIES = [
    ("fiction", "Fiction"),
    ("mystery-thriller", "Mystery & Thriller"),
    ("science-fiction-fantasy", "Science Fiction & Fantasy"),
    ("romance", "Romance"),
    ("history", "History"),
    ("biography-memoir", "Biography & Memoir"),
    ("science-nature", "Science & Nature"),
    ("philosophy-religion", "Philosophy & Religion"),
    ("art-photography", "Art & Photography"),
    ("children", "Children's Books"),
    ("poetry-drama", "Poetry & Drama"),
    ("travel", "Travel"),
    ("cooking", "Food & Cooking"),
    ("business-economics", "Business & Economics"),
    ("textbooks-reference", "Textbooks & Reference"),
    ("comics", "Comics & Graphic Novels"),
    ("other", "Other"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for position, (slug, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


def remove_categories(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    Category.objects.filter(slug__in=[slug for slug, _ in CATEGORIES], books__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_book_fulltext")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
