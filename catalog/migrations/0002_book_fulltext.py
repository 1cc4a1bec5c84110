"""FULLTEXT index for catalog search on MySQL/MariaDB; other databases use a LIKE fallback."""

from django.db import migrations

INDEX = "catalog_book_fulltext"


def create_fulltext(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        schema_editor.execute(f"CREATE FULLTEXT INDEX {INDEX} ON catalog_book (title, authors, description)")


def drop_fulltext(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        schema_editor.execute(f"DROP INDEX {INDEX} ON catalog_book")


class Migration(migrations.Migration):
    # InnoDB cannot add a FULLTEXT index inside a transaction on some versions.
    atomic = False

    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_fulltext, drop_fulltext)]
