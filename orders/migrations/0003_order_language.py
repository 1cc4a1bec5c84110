"""Orders record the language the buyer placed them in; orders placed before get the site's default language.

The column has a database default too: a release migrates before its web tasks replace the previous ones,
which keep placing orders without knowing the column. Both defaults are the setting where this runs (as the
model says), not the value it had where the migration was written.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Spanish")],
                db_default=settings.LANGUAGE_CODE,
                default=settings.LANGUAGE_CODE,
                max_length=10,
                verbose_name="language",
            ),
        ),
    ]
