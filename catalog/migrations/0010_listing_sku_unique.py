# Once every listing has its own code (0009), a seller's codes are unique.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_backfill_listing_sku"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.UniqueConstraint(fields=("seller", "sku"), name="listing_sku_unique_per_seller"),
        ),
    ]
